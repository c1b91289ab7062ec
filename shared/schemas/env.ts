/** Environment variables of the functions, parsed once at cold start. */
import { z } from 'zod';
import { isTimeZone } from '../domain/calendar';
import { SHARD_COUNT } from '../domain/segments';
import { VEE_REASONS, type VeeOverrides } from '../domain/vee/config';
import { AchOriginatorSchema } from './bank';

export const TableEnv = z.object({
  TABLE_NAME: z.string({ error: 'is required (the DynamoDB table name)' }).min(1, 'must not be empty'),
  UTILITY_TIMEZONE: z
    .string({ error: 'is required (the utility IANA time zone, e.g. America/Denver)' })
    .refine(isTimeZone, { error: (issue) => `${JSON.stringify(issue.input)} is not an IANA time zone` }),
});
export type TableEnv = z.infer<typeof TableEnv>;

export const BillSegmentEnv = TableEnv.extend({
  BILL_DUE_DAYS: z
    .string()
    .regex(/^\d{1,3}$/, 'must be a whole number of days from 0 to 365')
    .default('21')
    .transform(Number)
    .pipe(z.number().max(365, 'must be a whole number of days from 0 to 365')),
});
export type BillSegmentEnv = z.infer<typeof BillSegmentEnv>;

export const StartBillingRunEnv = TableEnv.extend({
  STATE_MACHINE_ARN: z.string({ error: 'is required (the billing state machine ARN)' }).regex(/^arn:aws[\w-]*:states:/, 'must be a Step Functions state machine ARN'),
});
export type StartBillingRunEnv = z.infer<typeof StartBillingRunEnv>;

export const PlanSegmentsEnv = TableEnv.extend({
  BILLING_SEGMENTS: z
    .string({ error: `is required (the number of billing segments, 1 to ${SHARD_COUNT})` })
    .regex(/^\d+$/, `must be a whole number from 1 to ${SHARD_COUNT}`)
    .transform(Number)
    .pipe(z.number().min(1, `must be a whole number from 1 to ${SHARD_COUNT}`).max(SHARD_COUNT, `must be a whole number from 1 to ${SHARD_COUNT}`)),
});
export type PlanSegmentsEnv = z.infer<typeof PlanSegmentsEnv>;

const EnvAmount = (example: string) => z.string().regex(/^(0|[1-9]\d{0,3})(\.\d{1,2})?$/, `must be a decimal amount from 0 to 9999.99 with at most 2 decimals, e.g. "${example}"`);

/** The payment functions: which provider takes portal payments, and the returned-payment fee. */
export const PaymentsEnv = TableEnv.extend({
  PAYMENT_PROVIDER: z.enum(['none', 'sandbox'], { error: 'must be "none" or "sandbox" (the only provider adapter so far)' }).default('none'),
  RETURNED_PAYMENT_FEE: EnvAmount('25.00').default('25.00'),
});
export type PaymentsEnv = z.infer<typeof PaymentsEnv>;

/** The provider's webhook also needs the signing secret. */
export const PaymentWebhookEnv = PaymentsEnv.extend({
  /** Absent: webhooks are not configured and answer 503. */
  PAYMENT_WEBHOOK_SECRET: z.string().min(16, 'must be at least 16 characters').optional(),
});
export type PaymentWebhookEnv = z.infer<typeof PaymentWebhookEnv>;

const WholeDays = (fallback: string) =>
  z
    .string()
    .regex(/^\d{1,3}$/, 'must be a whole number of days from 0 to 365')
    .default(fallback)
    .transform(Number)
    .pipe(z.number().max(365, 'must be a whole number of days from 0 to 365'));

/** Payment arrangements: days an installment may stay unpaid after its due date. */
export const ArrangementsEnv = TableEnv.extend({ ARRANGEMENT_GRACE_DAYS: WholeDays('5') });
export type ArrangementsEnv = z.infer<typeof ArrangementsEnv>;

/** The late-fee policy (grace days, flat or percent, minimum past due, cap per charge). */
export const LateFeeEnv = TableEnv.extend({
  LATE_FEE_GRACE_DAYS: WholeDays('5'),
  LATE_FEE_METHOD: z.enum(['flat', 'percent'], { error: 'must be "flat" or "percent"' }).default('percent'),
  LATE_FEE_FLAT: EnvAmount('5.00').default('5.00'),
  LATE_FEE_PERCENT: z.string().regex(/^(0|[1-9]\d?|100)(\.\d{1,4})?$/, 'must be a percent from 0 to 100 with at most 4 decimals, e.g. "1.5"').default('1.5'),
  LATE_FEE_MINIMUM_PAST_DUE: EnvAmount('10.00').default('10.00'),
  /** "none" = no cap. */
  LATE_FEE_CAP: z
    .string()
    .regex(/^(none|(0|[1-9]\d{0,3})(\.\d{1,2})?)$/, 'must be "none" or a decimal amount from 0 to 9999.99 with at most 2 decimals, e.g. "25.00"')
    .default('25.00'),
});
export type LateFeeEnv = z.infer<typeof LateFeeEnv>;
const VeeAction = z.enum(['hold', 'flag', 'off']);
const VeePatch = z.strictObject({
  actions: z.partialRecord(z.enum(VEE_REASONS), VeeAction).optional(),
  futureSkewSec: z.number().int().min(0).optional(),
  maxAgeDays: z.number().int().min(1).optional(),
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

/**
 * VEE overrides per service type and rate class, e.g.
 * {"water/IRR": {"spikeFactor": 40, "actions": {"zero-consumption": "off"}}, "gas": {"maxAgeDays": 90}}.
 * The same schema checks the CDK setting at synth and VEE_OVERRIDES at cold start.
 */
const VEE_KEY_MESSAGE = 'keys are "electric", "water", "gas" or "<type>/<rate class>"';
export const VeeOverridesSchema: z.ZodType<VeeOverrides> = z.record(z.string().regex(/^(electric|water|gas)(\/[A-Za-z0-9_-]{1,64})?$/, VEE_KEY_MESSAGE), VeePatch, {
  error: (issue) => (issue.code === 'invalid_key' ? VEE_KEY_MESSAGE : undefined),
});

/** A JSON text holding VEE overrides (an empty or absent text is no override). */
export const VeeOverridesJson = z
  .string()
  .optional()
  .transform((value, context): unknown => {
    if (value === undefined || value.trim() === '') return {};
    try {
      return JSON.parse(value) as unknown;
    } catch {
      context.addIssue({ code: 'custom', message: 'is not valid JSON' });
      return z.NEVER;
    }
  })
  .pipe(VeeOverridesSchema);

/** The meter-data functions (ValidateReads, manual reads, uploads, read exceptions). */
export const ReadsEnv = TableEnv.extend({ VEE_OVERRIDES: VeeOverridesJson });
export type ReadsEnv = z.infer<typeof ReadsEnv>;

/** ValidateReads also sends the messages it rejects to the reads dead-letter queue itself. */
export const ValidateReadsEnv = ReadsEnv.extend({
  READS_DEAD_LETTER_QUEUE_URL: z.url({ error: 'is required (the URL of the reads dead-letter queue)' }),
});
export type ValidateReadsEnv = z.infer<typeof ValidateReadsEnv>;

/** Autopay runs: the ACH origination settings as JSON (absent: ACH is not configured, runs answer 503). */
export const AchEnv = TableEnv.extend({
  ACH_ORIGINATOR: z
    .string()
    .optional()
    .transform((text, ctx) => {
      if (text === undefined || text === '') return undefined;
      try {
        return JSON.parse(text) as unknown;
      } catch {
        ctx.addIssue({ code: 'custom', message: 'must be a JSON object of the ACH settings' });
        return z.NEVER;
      }
    })
    .pipe(AchOriginatorSchema.optional()),
});
export type AchEnv = z.infer<typeof AchEnv>;
