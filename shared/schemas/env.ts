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

/** The payment functions: which provider takes portal payments, and the returned-payment fee. */
export const PaymentsEnv = TableEnv.extend({
  PAYMENT_PROVIDER: z.enum(['sandbox'], { error: 'must be "sandbox" (the only provider adapter so far)' }).default('sandbox'),
  RETURNED_PAYMENT_FEE: z
    .string()
    .regex(/^(0|[1-9]\d{0,3})(\.\d{1,2})?$/, 'must be a decimal amount from 0 to 9999.99 with at most 2 decimals, e.g. "25.00"')
    .default('25.00'),
});
export type PaymentsEnv = z.infer<typeof PaymentsEnv>;

/** The provider's webhook also needs the signing secret. */
export const PaymentWebhookEnv = PaymentsEnv.extend({
  PAYMENT_WEBHOOK_SECRET: z.string({ error: 'is required (the secret the payment provider signs webhooks with)' }).min(16, 'must be at least 16 characters'),
});
export type PaymentWebhookEnv = z.infer<typeof PaymentWebhookEnv>;

const WholeDays = (fallback: string) =>
  z
    .string()
    .regex(/^\d{1,3}$/, 'must be a whole number of days from 0 to 365')
    .default(fallback)
    .transform(Number)
    .pipe(z.number().max(365, 'must be a whole number of days from 0 to 365'));

const EnvAmount = (example: string) => z.string().regex(/^(0|[1-9]\d{0,3})(\.\d{1,2})?$/, `must be a decimal amount from 0 to 9999.99 with at most 2 decimals, e.g. "${example}"`);

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
