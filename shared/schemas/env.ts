/** Environment variables of the functions, parsed once at cold start. */
import { z } from 'zod';
import { assertValidLimits, type BillExceptionLimits } from '../domain/bill-exceptions';
import { MISSING_READS_POLICIES } from '../domain/bill-estimates';
import { isTimeZone } from '../domain/calendar';
import { SERVICE_CLASSES, SERVICE_TYPES } from '../domain/customers/model';
import { SHARD_COUNT } from '../domain/segments';
import { VEE_REASONS, type VeeOverrides } from '../domain/vee/config';
import { SHIPPED_PACK_IDS } from '../domain/collections/packs';
import { AchOriginatorSchema } from './bank';

export const TableEnv = z.object({
  TABLE_NAME: z.string({ error: 'is required (the DynamoDB table name)' }).min(1, 'must not be empty'),
  UTILITY_TIMEZONE: z
    .string({ error: 'is required (the utility IANA time zone, e.g. America/Denver)' })
    .refine(isTimeZone, { error: (issue) => `${JSON.stringify(issue.input)} is not an IANA time zone` }),
});
export type TableEnv = z.infer<typeof TableEnv>;

/** Where posted bills are announced for delivery (absent: not announced, e.g. in tests). */
const BillDeliveryQueueUrl = z.url({ error: 'must be the URL of the bill delivery queue' }).optional();

const BillDueDays = z
  .string()
  .regex(/^\d{1,3}$/, 'must be a whole number of days from 0 to 365')
  .default('21')
  .transform(Number)
  .pipe(z.number().max(365, 'must be a whole number of days from 0 to 365'));

const Factor = (example: string) => z.string().regex(/^\d{1,4}(\.\d{1,4})?$/, `must be a decimal factor with at most 4 decimals, e.g. "${example}"`);
const SmallCount = (fallback: string) => z.string().regex(/^\d{1,2}$/, 'must be a whole number from 0 to 99').default(fallback).transform(Number);

/**
 * BillSegment: the due days, the bill exception limits (high and low factors against the average
 * of earlier bills, bills needed before they apply, the hard maximum total, estimated bills in a
 * row) and what a meter without reads gets (estimate | hold | fail).
 */
export const BillSegmentEnv = TableEnv.extend({
  BILL_DUE_DAYS: BillDueDays,
  BILL_DELIVERY_QUEUE_URL: BillDeliveryQueueUrl,
  BILL_HIGH_FACTOR: Factor('3').default('3'),
  BILL_LOW_FACTOR: Factor('0.2').default('0.2'),
  BILL_MIN_HISTORY: SmallCount('3'),
  BILL_MAX_TOTAL: z.string().regex(/^(0|[1-9]\d{0,8})(\.\d{1,2})?$/, 'must be a decimal amount with at most 2 decimals, e.g. "10000.00"').default('10000.00'),
  BILL_MAX_ESTIMATED: SmallCount('2'),
  BILL_MISSING_READS: z.enum(MISSING_READS_POLICIES, { error: 'must be "estimate", "hold" or "fail"' }).default('estimate'),
}).superRefine((env, context) => {
  try {
    assertValidLimits(billExceptionLimitsOf(env));
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    const variable = Object.entries(LIMIT_VARIABLES).find(([limit]) => message.startsWith(`${limit} `))?.[1] ?? 'BILL_HIGH_FACTOR';
    context.addIssue({ code: 'custom', path: [variable], message });
  }
});

/** The environment variable of each bill exception limit (for messages naming the variable). */
const LIMIT_VARIABLES: Record<keyof BillExceptionLimits, string> = { highFactor: 'BILL_HIGH_FACTOR', lowFactor: 'BILL_LOW_FACTOR', minHistory: 'BILL_MIN_HISTORY', maxTotal: 'BILL_MAX_TOTAL', maxEstimatedInARow: 'BILL_MAX_ESTIMATED' };
export type BillSegmentEnv = z.infer<typeof BillSegmentEnv>;

/** The checks' limits from the parsed environment. */
export function billExceptionLimitsOf(env: { BILL_HIGH_FACTOR: string; BILL_LOW_FACTOR: string; BILL_MIN_HISTORY: number; BILL_MAX_TOTAL: string; BILL_MAX_ESTIMATED: number }): BillExceptionLimits {
  return { highFactor: env.BILL_HIGH_FACTOR, lowFactor: env.BILL_LOW_FACTOR, minHistory: env.BILL_MIN_HISTORY, maxTotal: env.BILL_MAX_TOTAL, maxEstimatedInARow: env.BILL_MAX_ESTIMATED };
}

/** The bill exception routes: releasing a bill counts its due date from the release. */
export const BillExceptionsEnv = TableEnv.extend({ BILL_DUE_DAYS: BillDueDays, BILL_DELIVERY_QUEUE_URL: BillDeliveryQueueUrl });
export type BillExceptionsEnv = z.infer<typeof BillExceptionsEnv>;

export const StartBillingRunEnv = TableEnv.extend({
  STATE_MACHINE_ARN: z.string({ error: 'is required (the billing state machine ARN)' }).regex(/^arn:aws[\w-]*:states:/, 'must be a Step Functions state machine ARN'),
});
export type StartBillingRunEnv = z.infer<typeof StartBillingRunEnv>;

/** The billing cycle calendars (staff routes) show due dates from BILL_DUE_DAYS too. */
export const BillingCyclesEnv = TableEnv.extend({ BILL_DUE_DAYS: BillDueDays });
export type BillingCyclesEnv = z.infer<typeof BillingCyclesEnv>;

/** The scheduler starts runs (STATE_MACHINE_ARN) and reads the calendars. */
export const ScheduledRunsEnv = StartBillingRunEnv.extend({ BILL_DUE_DAYS: BillDueDays });
export type ScheduledRunsEnv = z.infer<typeof ScheduledRunsEnv>;

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

/** Adjustments above this amount wait for an admin's approval (issue 8: adjustments with approval). */
export const AdjustmentsEnv = TableEnv.extend({
  ADJUSTMENT_APPROVAL_LIMIT: z.string().regex(/^(0|[1-9]\d{0,5})(\.\d{1,2})?$/, 'must be a decimal amount from 0 to 999999.99 with at most 2 decimals, e.g. "100.00"').default('100.00'),
  /** A CSR's adjustments up to this amount post at once ("0": every CSR adjustment waits for approval). */
  ADJUSTMENT_CSR_LIMIT: z.string().regex(/^(0|[1-9]\d{0,5})(\.\d{1,2})?$/, 'must be a decimal amount from 0 to 999999.99 with at most 2 decimals, e.g. "25.00"').default('25.00'),
});
export type AdjustmentsEnv = z.infer<typeof AdjustmentsEnv>;

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

/** Parses an environment variable's JSON text inside a zod transform (an issue when it is not JSON). */
function parseJsonText(value: string, context: z.RefinementCtx): unknown {
  try {
    return JSON.parse(value) as unknown;
  } catch {
    context.addIssue({ code: 'custom', message: 'is not valid JSON' });
    return z.NEVER;
  }
}

/** An optional JSON object text checked by `schema`; an empty or absent text is `{}`. */
function optionalJsonObject<S extends z.ZodType>(schema: S) {
  return z
    .string()
    .optional()
    .transform((value, context): unknown => (value === undefined || value.trim() === '' ? {} : parseJsonText(value, context)))
    .pipe(schema);
}

/** A JSON text holding VEE overrides (an empty or absent text is no override). */
export const VeeOverridesJson = optionalJsonObject(VeeOverridesSchema);

/** The meter-data functions (ValidateReads, manual reads, uploads, read exceptions). */
export const ReadsEnv = TableEnv.extend({ VEE_OVERRIDES: VeeOverridesJson });
export type ReadsEnv = z.infer<typeof ReadsEnv>;

/** ValidateReads also sends the messages it rejects to the reads dead-letter queue itself. */
export const ValidateReadsEnv = ReadsEnv.extend({
  READS_DEAD_LETTER_QUEUE_URL: z.url({ error: 'is required (the URL of the reads dead-letter queue)' }),
});
export type ValidateReadsEnv = z.infer<typeof ValidateReadsEnv>;

const ProfileLine = z.string().min(1, 'must not be empty').max(120, 'must be at most 120 characters');

/**
 * The utility as its bills show it, e.g. {"name": "Springfield Water", "addressLines": ["100 Main St",
 * "Springfield, PA 17001"], "phone": "(555) 010-0100"}. The same schema checks the CDK setting
 * `utilityProfile` at synth and UTILITY_PROFILE at cold start.
 */
export const UtilityProfileSchema = z
  .object({
    name: ProfileLine,
    addressLines: z.array(ProfileLine).min(1, 'needs at least one line').max(6, 'has at most 6 lines'),
    phone: ProfileLine,
    website: ProfileLine.optional(),
    remitToLines: z.array(ProfileLine).min(1, 'needs at least one line').max(6, 'has at most 6 lines').optional(),
    messages: z.array(z.string().min(1).max(500, 'must be at most 500 characters')).max(10, 'has at most 10 messages').optional(),
  })
  .strict();

/** The bill document functions (PDF and HTML views of a bill). */
export const BillDocumentEnv = TableEnv.extend({
  UTILITY_PROFILE: z
    .string({ error: 'is required (the utility profile as JSON: name, addressLines, phone)' })
    .min(1, 'is required (the utility profile as JSON: name, addressLines, phone)')
    .transform(parseJsonText)
    .pipe(UtilityProfileSchema),
});
export type BillDocumentEnv = z.infer<typeof BillDocumentEnv>;
const PolicyAmount = z.string().regex(/^(0|[1-9]\d{0,6})(\.\d{1,2})?$/, 'must be a decimal amount with at most 2 decimals, e.g. "120.00"');

/**
 * The deposit rules as a patch over the built-in ones (shared/domain/deposits DEFAULT_DEPOSIT_RULES), e.g.
 * {"requireWithoutHistory": true, "classes": {"RESIDENTIAL": {"months": "2", "cap": "300.00"}}, "annualInterestPercent": "1.5"}.
 * The same schema checks the CDK setting `depositPolicy` at synth and DEPOSIT_POLICY at cold start.
 */
export const DepositPolicySchema = z.strictObject({
  lookbackMonths: z.number().int().min(1).max(60).optional(),
  requireWithoutHistory: z.boolean().optional(),
  maxReturnedPayments: z.number().int().min(0).max(100).optional(),
  maxLatePayments: z.number().int().min(0).max(100).optional(),
  requireAfterDisconnection: z.boolean().optional(),
  classes: z.partialRecord(z.enum(SERVICE_CLASSES), z.strictObject({ months: z.string().regex(/^(0|[1-9]\d?)(\.\d{1,4})?$/, 'must be a number of months like "2" or "1.5"'), cap: PolicyAmount })).optional(),
  estimatedMonthlyBill: z.partialRecord(z.enum(SERVICE_TYPES), PolicyAmount).optional(),
  annualInterestPercent: z.string().regex(/^(0|[1-9]\d?)(\.\d{1,4})?$/, 'must be a percent from 0 to 99.9999, e.g. "2.5"').optional(),
  refundAfterMonths: z.number().int().min(1).max(120).optional(),
  dueDays: z.number().int().min(0).max(365).optional(),
});
export type DepositPolicyPatch = z.infer<typeof DepositPolicySchema>;

/** A JSON text holding the deposit-rules patch (empty or absent: the built-in rules). */
export const DepositPolicyJson = optionalJsonObject(DepositPolicySchema);

/** Functions that evaluate or handle deposits (activations, the deposit routes). */
export const DepositEnv = TableEnv.extend({ DEPOSIT_POLICY: DepositPolicyJson });
export type DepositEnv = z.infer<typeof DepositEnv>;

/** Collections: the deployment's policy pack, the default weather region, accounts per segment of a run. */
export const CollectionsEnv = TableEnv.extend({
  COLLECTIONS_POLICY_PACK: z.enum(SHIPPED_PACK_IDS as [string, ...string[]], { error: `must be one of ${SHIPPED_PACK_IDS.join(', ')}` }).default('us-pa-52-ch56'),
  COLLECTIONS_WEATHER_REGION: z.string().regex(/^[A-Za-z0-9_-]{1,40}$/, 'must be 1 to 40 letters, digits, "_" or "-"').default('default'),
  COLLECTIONS_SEGMENT_SIZE: z
    .string()
    .regex(/^\d{1,4}$/, 'must be a whole number from 1 to 1000')
    .default('100')
    .transform(Number)
    .pipe(z.number().min(1, 'must be a whole number from 1 to 1000').max(1000, 'must be a whole number from 1 to 1000')),
});
export type CollectionsEnv = z.infer<typeof CollectionsEnv>;

/** Starting a collections run by hand also needs the state machine. */
export const StartCollectionsEnv = CollectionsEnv.extend({
  COLLECTIONS_STATE_MACHINE_ARN: z.string({ error: 'is required (the collections state machine ARN)' }).regex(/^arn:aws[\w-]*:states:/, 'must be a Step Functions state machine ARN'),
});
export type StartCollectionsEnv = z.infer<typeof StartCollectionsEnv>;
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
