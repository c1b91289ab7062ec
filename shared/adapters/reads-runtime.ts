/**
 * Wiring of the meter-data functions: the table stores plus the read exception store, and the
 * VEE overrides per service type and rate class from VEE_OVERRIDES (JSON, optional), e.g.
 * {"water/IRR": {"spikeFactor": 40, "actions": {"zero-consumption": "off"}}}.
 */
import { z } from 'zod';
import { VEE_REASONS, type VeeOverrides } from '../domain/vee/config';
import { lazy, tableDeps } from './runtime';
import { DynamoReadExceptionStore } from './read-exception-store';

const Action = z.enum(['hold', 'flag', 'off']);
const Patch = z.strictObject({
  actions: z.partialRecord(z.enum(VEE_REASONS), Action).optional(),
  futureSkewSec: z.number().int().min(0).optional(),
  spikeFactor: z.number().positive().optional(),
  spikeMinMicro: z.number().int().min(0).optional(),
  highUsageFactor: z.number().positive().optional(),
  lowUsageFactor: z.number().min(0).optional(),
  minHistoryDays: z.number().int().min(0).optional(),
  historyDays: z.number().int().min(1).max(31).optional(),
  zeroConsumptionDays: z.number().int().min(1).optional(),
  interpolateMaxGapSec: z.number().int().min(0).optional(),
  estimateMaxGapSec: z.number().int().min(0).optional(),
  highUsageAlertMicroPerDay: z.number().int().min(0).optional(),
  registerRolloverMicro: z.number().int().positive().optional(),
});
const Overrides = z.record(z.string().regex(/^(electric|water|gas)(\/[A-Za-z0-9_-]{1,64})?$/, 'keys are "electric", "water", "gas" or "<type>/<rate class>"'), Patch);

/** VEE_OVERRIDES parsed, or a startup error naming the variable. */
export function parseVeeOverrides(value: string | undefined): VeeOverrides {
  if (value === undefined || value.trim() === '') return {};
  let json: unknown;
  try {
    json = JSON.parse(value);
  } catch {
    throw new Error('environment variable VEE_OVERRIDES is not valid JSON');
  }
  const parsed = Overrides.safeParse(json);
  if (!parsed.success) throw new Error(`environment variable VEE_OVERRIDES: ${parsed.error.issues.map((issue) => `${issue.path.join('.') || '(root)'}: ${issue.message}`).join('; ')}`);
  return parsed.data as VeeOverrides;
}

export const readsDeps = lazy(() => {
  const deps = tableDeps();
  return { ...deps, exceptions: new DynamoReadExceptionStore(deps.documentClient, deps.tableName), veeOverrides: parseVeeOverrides(process.env['VEE_OVERRIDES']) };
});
