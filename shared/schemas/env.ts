/** Environment variables of the functions, parsed once at cold start. */
import { z } from 'zod';
import { isTimeZone } from '../domain/calendar';
import { SHARD_COUNT } from '../domain/segments';

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
