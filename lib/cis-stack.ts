/**
 * The CIS in one stack: the data table, meter-read ingestion, the billing workflow, the
 * portal/staff HTTP API and operator alarms. Environment-agnostic; the same synthesized
 * template configures the local platform.
 */
import path from 'node:path';
import { Decimal } from 'decimal.js';
import { Annotations, CfnOutput, Stack, type StackProps } from 'aws-cdk-lib';
import type { Construct } from 'constructs';
import { OperationalAlarms } from './constructs/alarms';
import { authDomainPrefixError, CisApi, type LateFeeSettings } from './constructs/api';
import { BillDelivery } from './constructs/bill-delivery';
import { BillingWorkflow } from './constructs/billing-workflow';
import { CollectionsWorkflow, type CollectionsSettings } from './constructs/collections-workflow';
import type { SharedFunctionSettings } from './constructs/cis-function';
import { DataTable } from './constructs/data-table';
import { MeterIngest, READS_TOPIC_FILTER } from './constructs/meter-ingest';
import { WebHosting } from './constructs/web-hosting';
import { SHARD_COUNT } from '../shared/domain/segments';
import type { VeeOverrides } from '../shared/domain/vee/config';
import { AdjustmentsEnv, BillSegmentEnv, DepositPolicySchema, UtilityProfileSchema, VeeOverridesSchema } from '../shared/schemas/env';
import { SHIPPED_PACK_IDS } from '../shared/domain/collections/packs';
import { SANDBOX_ACH_ORIGINATOR } from '../shared/domain/nacha';
import { AchOriginatorSchema } from '../shared/schemas/bank';

export const DEFAULT_UTILITY_TIMEZONE = 'America/Denver';
export const DEFAULT_BILLING_SEGMENTS = 32;
/** 13:00 UTC: early morning in the continental US. */
export const DEFAULT_BILLING_SCHEDULE_HOUR_UTC = 13;
export const MAX_BILLING_SEGMENTS = SHARD_COUNT;
export const DEFAULT_RETURNED_PAYMENT_FEE = '25.00';
export const DEFAULT_ARRANGEMENT_GRACE_DAYS = 5;
export const DEFAULT_LATE_FEE = { graceDays: 5, method: 'percent', flat: '5.00', percent: '1.5', minimumPastDue: '10.00', cap: '25.00' } as const;
/** What bills show until a deployment sets `utilityProfile`. */
export const PLACEHOLDER_UTILITY_PROFILE = { name: 'Your Utility', addressLines: ['Set utilityProfile in cdk.json'], phone: 'Phone not set' } as const;
/**
 * The secret the local sandbox payment provider signs webhooks with. It is public: a deployment
 * that takes real payments sets its provider's secret with `-c paymentWebhookSecret=...`.
 */
/** Collections: the policy pack, default weather region, accounts per segment, the UTC hour of the daily run. */
export const DEFAULT_COLLECTIONS = { packId: 'us-pa-52-ch56', weatherRegion: 'default', segmentSize: 100, scheduleHourUtc: 12 } as const;
export const SANDBOX_WEBHOOK_SECRET = 'cis-sandbox-webhook-secret';

/** ACH settings of the local platform and demos (no bank sees their files). */
export { SANDBOX_ACH_ORIGINATOR };

export interface CisStackProps extends StackProps {
  /** Prefix of the Cognito hosted UI domain ({prefix}.auth.{region}.amazoncognito.com), unique in the region. @default '{stack name}-{account id}' */
  readonly authDomainPrefix?: string;
  /** IANA time zone of the utility (billing periods, interval days). @default 'America/Denver' */
  readonly utilityTimezone?: string;
  /** Account segments per billing run, 1 to 10,000. @default 32 */
  readonly billingSegments?: number;
  /** Hour of the day (UTC, 0-23) the billing scheduler starts the runs whose bill date has come. @default 13 */
  readonly billingScheduleHourUtc?: number;
  /** Deletion protection of the table and the user pool. @default true */
  readonly deletionProtection?: boolean;
  /** E-mail address for operator alarms. @default - no subscription */
  readonly alarmEmail?: string;
  /** Fee charged when a payment is returned (decimal string, "0" for none). @default '25.00' */
  readonly returnedPaymentFee?: string;
  /** Secret the payment provider signs webhooks with (at least 16 characters). @default the public sandbox secret */
  readonly paymentWebhookSecret?: string;
  /**
   * Who takes portal card and bank payments: `none` (portal payments answer 503) or `sandbox` (test
   * tokens, no money moves: for the local platform and demos only). @default 'none'
   */
  readonly paymentProvider?: string;
  /** Days an arrangement installment may stay unpaid after its due date before the arrangement is broken. @default 5 */
  readonly arrangementGraceDays?: number;
  /** Days after a bill's due date before a late fee. @default 5 */
  readonly lateFeeGraceDays?: number;
  /** A flat late fee or a percent of the past-due amount. @default 'percent' */
  readonly lateFeeMethod?: string;
  /** The flat late fee (decimal string). @default '5.00' */
  readonly lateFeeFlat?: string;
  /** The late fee in percent of the past-due amount (decimal string). @default '1.5' */
  readonly lateFeePercent?: string;
  /** No late fee while the account's past due is below this (decimal string). @default '10.00' */
  readonly lateFeeMinimumPastDue?: string;
  /** The largest late fee on one bill (decimal string; "none" for no cap). @default '25.00' */
  readonly lateFeeCap?: string;
  /**
   * VEE rule overrides per service type and rate class (the meter-data functions' VEE_OVERRIDES),
   * e.g. `{ "water/IRR": { "spikeFactor": 40 }, "gas": { "maxAgeDays": 180 } }`. Checked at synth.
   * @default - the built-in rules of each service type
   */
  readonly veeOverrides?: VeeOverrides;
  /**
   * The utility as its bills show it: `{ "name", "addressLines": [...], "phone", "website"?,
   * "remitToLines"?: [...], "messages"?: [...] }`. Checked at synth.
   * @default a placeholder profile, with a synth warning
   */
  readonly utilityProfile?: unknown;
  /**
   * Deposit rules as a patch over the built-in ones (shared/domain/deposits DEFAULT_DEPOSIT_RULES),
   * e.g. `{ "requireWithoutHistory": true, "annualInterestPercent": "1.5" }`. Checked at synth.
   * @default - the built-in rules
   */
  readonly depositPolicy?: Record<string, unknown>;
  /** Days from a bill's issue (or release) to its due date. @default 21 */
  readonly billDueDays?: number;
  /** A bill above this multiple of the average of the account's earlier bills is held (decimal). @default '3' */
  readonly billHighFactor?: string;
  /** A bill below this multiple of that average is held (decimal). @default '0.2' */
  readonly billLowFactor?: string;
  /** Earlier bills needed before the high and low checks apply. @default 3 */
  readonly billMinHistory?: number;
  /** A bill above this total is always held (decimal string). @default '10000.00' */
  readonly billMaxTotal?: string;
  /** An estimated bill is held when more than this many bills in a row are estimated. @default 2 */
  readonly billMaxEstimated?: number;
  /** A meter without reads in the period: `estimate` (from history; held without), `hold` or `fail`. @default 'estimate' */
  readonly billMissingReads?: string;
  /** The collections policy pack (a shipped pack id). @default 'us-pa-52-ch56' */
  readonly collectionsPolicyPack?: string;
  /** The weather region of accounts whose collections profile names none. @default 'default' */
  readonly collectionsWeatherRegion?: string;
  /** The UTC hour (0-23) of the daily collections run. @default 12 */
  readonly collectionsScheduleHourUtc?: number;
  /**
   * ACH origination settings for autopay NACHA files (from the utility's agreement with its bank):
   * immediateDestination (ODFI routing number), immediateDestinationName, immediateOrigin,
   * immediateOriginName, companyId, companyName, originatingDfi (8 digits), entryDescription.
   * @default - none: autopay runs answer 503
   */
  readonly achOriginator?: Record<string, unknown>;
  /**
   * Adjustments above this amount (decimal string) wait for an admin's approval; billing staff
   * post adjustments up to it at once (CSRs up to csrAdjustmentLimit). @default '100.00'
   */
  readonly adjustmentApprovalLimit?: string;
  /** A CSR's adjustments up to this amount (decimal string) post at once; above it they wait for approval. @default '25.00' */
  readonly csrAdjustmentLimit?: string;
  /** Repository root (handler entries and the ASL file are relative to it). @default the parent of lib/ */
  readonly projectRoot?: string;
}

export class CisStack extends Stack {
  readonly data: DataTable;
  readonly ingest: MeterIngest;
  readonly billing: BillingWorkflow;
  readonly delivery: BillDelivery;
  readonly collections: CollectionsWorkflow;
  readonly api: CisApi;
  readonly alarms: OperationalAlarms;
  readonly web: WebHosting;

  constructor(scope: Construct, id: string, props: CisStackProps = {}) {
    super(scope, id, props);
    const utilityTimezone = validTimeZone(props.utilityTimezone ?? DEFAULT_UTILITY_TIMEZONE);
    const billingSegments = validBillingSegments(props.billingSegments ?? DEFAULT_BILLING_SEGMENTS);
    const deletionProtection = props.deletionProtection ?? true;
    const readsEnvironment = veeOverridesEnvironment(props.veeOverrides);
    if (props.utilityProfile === undefined) Annotations.of(this).addWarningV2('cis:utilityProfile', 'utilityProfile is not set: bills show a placeholder utility name and address (set it in cdk.json or with -c utilityProfile=...)');
    const billDocumentEnvironment = utilityProfileEnvironment(props.utilityProfile ?? PLACEHOLDER_UTILITY_PROFILE);
    this.delivery = new BillDelivery(this, 'BillDelivery');
    const billingEnvironment: Record<string, string> = { ...billingRunEnvironment(props), BILL_DELIVERY_QUEUE_URL: this.delivery.queue.queueUrl };

    this.data = new DataTable(this, 'Data', { deletionProtection });
    const shared: SharedFunctionSettings = {
      projectRoot: props.projectRoot ?? path.resolve(__dirname, '..'),
      tableName: this.data.tableName,
      utilityTimezone,
    };
    this.ingest = new MeterIngest(this, 'MeterIngest', { shared, table: this.data, readsEnvironment });
    const scheduleHourUtc = props.billingScheduleHourUtc ?? DEFAULT_BILLING_SCHEDULE_HOUR_UTC;
    if (!Number.isInteger(scheduleHourUtc) || scheduleHourUtc < 0 || scheduleHourUtc > 23) throw new Error(`billingScheduleHourUtc must be a whole hour from 0 to 23, got ${scheduleHourUtc}`);
    this.billing = new BillingWorkflow(this, 'BillingWorkflow', { shared, table: this.data, billingSegments, scheduleHourUtc, billSegmentEnvironment: billingEnvironment });
    const collections = validCollections(props);
    this.collections = new CollectionsWorkflow(this, 'CollectionsWorkflow', { shared, table: this.data, settings: collections });
    this.api = new CisApi(this, 'Api', {
      shared,
      table: this.data,
      billingStateMachine: this.billing.stateMachine,
      collections: { settings: collections, stateMachine: this.collections.stateMachine },
      deletionProtection,
      authDomainPrefix: validAuthDomainPrefix(props.authDomainPrefix),
      payments: {
        provider: validProvider(props.paymentProvider ?? 'none'),
        returnedPaymentFee: validAmount(props.returnedPaymentFee ?? DEFAULT_RETURNED_PAYMENT_FEE, 'returnedPaymentFee'),
        ...(props.paymentWebhookSecret === undefined ? {} : { webhookSecret: validWebhookSecret(props.paymentWebhookSecret) }),
        arrangementGraceDays: validDays(props.arrangementGraceDays ?? DEFAULT_ARRANGEMENT_GRACE_DAYS, 'arrangementGraceDays'),
        lateFee: validLateFee(props),
        ...depositPolicySetting(props.depositPolicy),
        ...(props.achOriginator === undefined ? {} : { achOriginator: validAchOriginator(props.achOriginator) }),
        ...validAdjustmentLimits(props.adjustmentApprovalLimit, props.csrAdjustmentLimit),
      },
      readsEnvironment,
      billDocumentEnvironment,
      billExceptionsEnvironment: { BILL_DUE_DAYS: billingEnvironment['BILL_DUE_DAYS']! },
      billSegmentEnvironment: billingEnvironment,
      billDeliveryQueueUrl: this.delivery.queue.queueUrl,
    });
    this.web = new WebHosting(this, 'Web', { httpApi: this.api.httpApi, authDomainUrl: this.api.authDomainUrl, deletionProtection });
    this.api.setWebOrigin(`https://${this.web.distribution.distributionDomainName}`);
    // Posted bills are announced for delivery by the segments, a release and a rebill.
    this.delivery.queue.grantSendMessages(this.billing.billSegment.function);
    for (const routeId of ['ResolveBillException', 'RebillBill']) this.delivery.queue.grantSendMessages(this.api.routeFunctions[routeId]!.function);
    this.alarms = new OperationalAlarms(this, 'Alarms', {
      deadLetterQueue: this.ingest.deadLetterQueue,
      billingStateMachine: this.billing.stateMachine,
      alarmEmail: props.alarmEmail,
    });

    new CfnOutput(this, 'ApiUrl', { value: this.api.url, description: 'Base URL of the portal and staff HTTP API' });
    new CfnOutput(this, 'UserPoolId', { value: this.api.userPool.userPoolId });
    new CfnOutput(this, 'UserPoolClientId', { value: this.api.portalClient.userPoolClientId, description: 'Portal app client (no secret)' });
    new CfnOutput(this, 'StaffUserPoolClientId', { value: this.api.staffClient.userPoolClientId, description: 'Staff console app client (no secret)' });
    new CfnOutput(this, 'ReadsTopicFilter', { value: READS_TOPIC_FILTER, description: 'MQTT topic filter the AMI head-end publishes meter reads to' });
    new CfnOutput(this, 'StateMachineArn', { value: this.billing.stateMachine.stateMachineArn });
    new CfnOutput(this, 'TableName', { value: this.data.tableName });
    new CfnOutput(this, 'CollectionsStateMachineArn', { value: this.collections.stateMachine.stateMachineArn });
    new CfnOutput(this, 'WebUrl', { value: `https://${this.web.distribution.distributionDomainName}/`, description: 'Customer portal (/) and staff console (/console/)' });
    new CfnOutput(this, 'AuthDomainUrl', { value: this.api.authDomainUrl, description: 'Cognito hosted UI the web apps sign in with (npm run build:web -- --outputs reads it)' });
    new CfnOutput(this, 'WebBucketName', { value: this.web.bucket.bucketName, description: 'Upload .build/web/portal to the root and .build/web/console to console/' });
  }
}

function validTimeZone(timeZone: string): string {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone });
  } catch {
    throw new Error(`utilityTimezone must be an IANA time zone such as America/Denver, got ${JSON.stringify(timeZone)}`);
  }
  return timeZone;
}

/** UTILITY_PROFILE for the bill document functions, checked with the schema the functions parse it with. */
export function utilityProfileEnvironment(profile: unknown): Record<string, string> {
  const parsed = UtilityProfileSchema.safeParse(profile);
  if (!parsed.success) {
    throw new Error(`utilityProfile: ${parsed.error.issues.map((issue) => `${issue.path.join('.') || '(root)'}: ${issue.message}`).join('; ')}`);
  }
  return { UTILITY_PROFILE: JSON.stringify(parsed.data) };
}

/** VEE_OVERRIDES for the meter-data functions, checked with the schema the functions parse it with. */
export function veeOverridesEnvironment(overrides: unknown): Record<string, string> {
  if (overrides === undefined || overrides === null) return {};
  const parsed = VeeOverridesSchema.safeParse(overrides);
  if (!parsed.success) {
    throw new Error(`veeOverrides: ${parsed.error.issues.map((issue) => `${issue.path.join('.') || '(root)'}: ${issue.message}`).join('; ')}`);
  }
  return Object.keys(parsed.data).length ? { VEE_OVERRIDES: JSON.stringify(parsed.data) } : {};
}

/** DEPOSIT_POLICY for the deposit functions, checked with the schema the functions parse it with. */
export function depositPolicySetting(policy: unknown): { depositPolicy?: string } {
  if (policy === undefined || policy === null) return {};
  const parsed = DepositPolicySchema.safeParse(policy);
  if (!parsed.success) {
    throw new Error(`depositPolicy: ${parsed.error.issues.map((issue) => `${issue.path.join('.') || '(root)'}: ${issue.message}`).join('; ')}`);
  }
  return Object.keys(parsed.data).length ? { depositPolicy: JSON.stringify(parsed.data) } : {};
}

/**
 * BillSegment's environment from the bill settings, checked at synth with the schema the function
 * parses it with (so a bad setting fails `cdk synth`, naming it).
 */
export function billingRunEnvironment(props: Pick<CisStackProps, 'billDueDays' | 'billHighFactor' | 'billLowFactor' | 'billMinHistory' | 'billMaxTotal' | 'billMaxEstimated' | 'billMissingReads'>): Record<string, string> {
  const settings: Array<[string, keyof typeof props, string | number | undefined]> = [
    ['BILL_DUE_DAYS', 'billDueDays', props.billDueDays],
    ['BILL_HIGH_FACTOR', 'billHighFactor', props.billHighFactor],
    ['BILL_LOW_FACTOR', 'billLowFactor', props.billLowFactor],
    ['BILL_MIN_HISTORY', 'billMinHistory', props.billMinHistory],
    ['BILL_MAX_TOTAL', 'billMaxTotal', props.billMaxTotal],
    ['BILL_MAX_ESTIMATED', 'billMaxEstimated', props.billMaxEstimated],
    ['BILL_MISSING_READS', 'billMissingReads', props.billMissingReads],
  ];
  const given = Object.fromEntries(settings.flatMap(([name, , value]) => (value === undefined ? [] : [[name, String(value)]])));
  const parsed = BillSegmentEnv.safeParse({ TABLE_NAME: 'synth', UTILITY_TIMEZONE: 'UTC', ...given });
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    const variable = String(issue.path[0] ?? '');
    const key = settings.find(([name]) => name === variable)?.[1] ?? variable;
    throw new Error(`${key}: ${issue.message}`);
  }
  const env = parsed.data;
  return {
    BILL_DUE_DAYS: String(env.BILL_DUE_DAYS),
    BILL_HIGH_FACTOR: env.BILL_HIGH_FACTOR,
    BILL_LOW_FACTOR: env.BILL_LOW_FACTOR,
    BILL_MIN_HISTORY: String(env.BILL_MIN_HISTORY),
    BILL_MAX_TOTAL: env.BILL_MAX_TOTAL,
    BILL_MAX_ESTIMATED: String(env.BILL_MAX_ESTIMATED),
    BILL_MISSING_READS: env.BILL_MISSING_READS,
  };
}

/** ADJUSTMENT_APPROVAL_LIMIT and ADJUSTMENT_CSR_LIMIT, checked at synth with the schema the adjustment functions parse them with. */
export function validAdjustmentLimits(limit: string | undefined, csrLimit: string | undefined): { adjustmentApprovalLimit: string; csrAdjustmentLimit: string } {
  const parsed = AdjustmentsEnv.safeParse({ TABLE_NAME: 'synth', UTILITY_TIMEZONE: 'UTC', ...(limit === undefined ? {} : { ADJUSTMENT_APPROVAL_LIMIT: limit }), ...(csrLimit === undefined ? {} : { ADJUSTMENT_CSR_LIMIT: csrLimit }) });
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    const key = issue.path[0] === 'ADJUSTMENT_CSR_LIMIT' ? 'csrAdjustmentLimit' : 'adjustmentApprovalLimit';
    throw new Error(`${key} ${issue.message}, got ${JSON.stringify(key === 'csrAdjustmentLimit' ? csrLimit : limit)}`);
  }
  if (new Decimal(parsed.data.ADJUSTMENT_CSR_LIMIT).gt(parsed.data.ADJUSTMENT_APPROVAL_LIMIT)) {
    throw new Error(`csrAdjustmentLimit ${parsed.data.ADJUSTMENT_CSR_LIMIT} is above adjustmentApprovalLimit ${parsed.data.ADJUSTMENT_APPROVAL_LIMIT}: a CSR may not post more than billing staff`);
  }
  return { adjustmentApprovalLimit: parsed.data.ADJUSTMENT_APPROVAL_LIMIT, csrAdjustmentLimit: parsed.data.ADJUSTMENT_CSR_LIMIT };
}

function validBillingSegments(segments: number): number {
  if (!Number.isInteger(segments) || segments < 1 || segments > MAX_BILLING_SEGMENTS) {
    throw new Error(`billingSegments must be a whole number from 1 to ${MAX_BILLING_SEGMENTS}, got ${segments}`);
  }
  return segments;
}

function validAmount(value: string, key: string): string {
  if (!/^(0|[1-9]\d{0,3})(\.\d{1,2})?$/.test(value)) throw new Error(`${key} must be a decimal amount from 0 to 9999.99 with at most 2 decimals, got ${JSON.stringify(value)}`);
  return value;
}

function validDays(days: number, key: string): number {
  if (!Number.isInteger(days) || days < 0 || days > 365) throw new Error(`${key} must be a whole number of days from 0 to 365, got ${days}`);
  return days;
}

function validLateFee(props: CisStackProps): LateFeeSettings {
  const method = props.lateFeeMethod ?? DEFAULT_LATE_FEE.method;
  if (method !== 'flat' && method !== 'percent') throw new Error(`lateFeeMethod must be "flat" or "percent", got ${JSON.stringify(method)}`);
  const percent = props.lateFeePercent ?? DEFAULT_LATE_FEE.percent;
  if (!/^(0|[1-9]\d?|100)(\.\d{1,4})?$/.test(percent) || Number(percent) > 100) throw new Error(`lateFeePercent must be a percent from 0 to 100 with at most 4 decimals, got ${JSON.stringify(percent)}`);
  const cap = props.lateFeeCap ?? DEFAULT_LATE_FEE.cap;
  return {
    graceDays: validDays(props.lateFeeGraceDays ?? DEFAULT_LATE_FEE.graceDays, 'lateFeeGraceDays'),
    method,
    flat: validAmount(props.lateFeeFlat ?? DEFAULT_LATE_FEE.flat, 'lateFeeFlat'),
    percent,
    minimumPastDue: validAmount(props.lateFeeMinimumPastDue ?? DEFAULT_LATE_FEE.minimumPastDue, 'lateFeeMinimumPastDue'),
    cap: cap === 'none' ? 'none' : validAmount(cap, 'lateFeeCap'),
  };
}

function validAchOriginator(value: Record<string, unknown>): string {
  const parsed = AchOriginatorSchema.safeParse(value);
  if (!parsed.success) throw new Error(`achOriginator: ${parsed.error.issues.map((issue) => `${issue.path.join('.') || '(root)'}: ${issue.message}`).join('; ')}`);
  return JSON.stringify(parsed.data);
}

function validProvider(provider: string): 'none' | 'sandbox' {
  if (provider !== 'none' && provider !== 'sandbox') throw new Error(`paymentProvider must be "none" or "sandbox", got ${JSON.stringify(provider)}`);
  return provider;
}

function validWebhookSecret(secret: string): string {
  if (secret.length < 16) throw new Error('paymentWebhookSecret must be at least 16 characters');
  return secret;
}

function validCollections(props: CisStackProps): CollectionsSettings {
  const packId = props.collectionsPolicyPack ?? DEFAULT_COLLECTIONS.packId;
  if (!SHIPPED_PACK_IDS.includes(packId)) throw new Error(`collectionsPolicyPack must be one of ${SHIPPED_PACK_IDS.join(', ')}, got ${JSON.stringify(packId)}`);
  const weatherRegion = props.collectionsWeatherRegion ?? DEFAULT_COLLECTIONS.weatherRegion;
  if (!/^[A-Za-z0-9_-]{1,40}$/.test(weatherRegion)) throw new Error(`collectionsWeatherRegion must be 1 to 40 letters, digits, "_" or "-", got ${JSON.stringify(weatherRegion)}`);
  const scheduleHourUtc = props.collectionsScheduleHourUtc ?? DEFAULT_COLLECTIONS.scheduleHourUtc;
  if (!Number.isInteger(scheduleHourUtc) || scheduleHourUtc < 0 || scheduleHourUtc > 23) throw new Error(`collectionsScheduleHourUtc must be a whole hour from 0 to 23, got ${scheduleHourUtc}`);
  return { packId, weatherRegion, segmentSize: DEFAULT_COLLECTIONS.segmentSize, scheduleHourUtc };
}

function validAuthDomainPrefix(prefix: string | undefined): string | undefined {
  const error = prefix === undefined ? undefined : authDomainPrefixError(prefix);
  if (error) throw new Error(error);
  return prefix;
}
