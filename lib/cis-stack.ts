/**
 * The CIS in one stack: the data table, meter-read ingestion, the billing workflow, the
 * portal/staff HTTP API and operator alarms. Environment-agnostic; the same synthesized
 * template configures the local platform.
 */
import path from 'node:path';
import { Annotations, CfnOutput, Stack, type StackProps } from 'aws-cdk-lib';
import type { Construct } from 'constructs';
import { OperationalAlarms } from './constructs/alarms';
import { CisApi, type LateFeeSettings } from './constructs/api';
import { BillingWorkflow } from './constructs/billing-workflow';
import type { SharedFunctionSettings } from './constructs/cis-function';
import { DataTable } from './constructs/data-table';
import { MeterIngest, READS_TOPIC_FILTER } from './constructs/meter-ingest';
import { WebHosting } from './constructs/web-hosting';
import { SHARD_COUNT } from '../shared/domain/segments';
import type { VeeOverrides } from '../shared/domain/vee/config';
import { DepositPolicySchema, UtilityProfileSchema, VeeOverridesSchema } from '../shared/schemas/env';

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
export const SANDBOX_WEBHOOK_SECRET = 'cis-sandbox-webhook-secret';

export interface CisStackProps extends StackProps {
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
  /** Repository root (handler entries and the ASL file are relative to it). @default the parent of lib/ */
  readonly projectRoot?: string;
}

export class CisStack extends Stack {
  readonly data: DataTable;
  readonly ingest: MeterIngest;
  readonly billing: BillingWorkflow;
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

    this.data = new DataTable(this, 'Data', { deletionProtection });
    const shared: SharedFunctionSettings = {
      projectRoot: props.projectRoot ?? path.resolve(__dirname, '..'),
      tableName: this.data.tableName,
      utilityTimezone,
    };
    this.ingest = new MeterIngest(this, 'MeterIngest', { shared, table: this.data, readsEnvironment });
    const scheduleHourUtc = props.billingScheduleHourUtc ?? DEFAULT_BILLING_SCHEDULE_HOUR_UTC;
    if (!Number.isInteger(scheduleHourUtc) || scheduleHourUtc < 0 || scheduleHourUtc > 23) throw new Error(`billingScheduleHourUtc must be a whole hour from 0 to 23, got ${scheduleHourUtc}`);
    this.billing = new BillingWorkflow(this, 'BillingWorkflow', { shared, table: this.data, billingSegments, scheduleHourUtc });
    this.api = new CisApi(this, 'Api', {
      shared,
      table: this.data,
      billingStateMachine: this.billing.stateMachine,
      deletionProtection,
      payments: {
        provider: validProvider(props.paymentProvider ?? 'none'),
        returnedPaymentFee: validAmount(props.returnedPaymentFee ?? DEFAULT_RETURNED_PAYMENT_FEE, 'returnedPaymentFee'),
        ...(props.paymentWebhookSecret === undefined ? {} : { webhookSecret: validWebhookSecret(props.paymentWebhookSecret) }),
        arrangementGraceDays: validDays(props.arrangementGraceDays ?? DEFAULT_ARRANGEMENT_GRACE_DAYS, 'arrangementGraceDays'),
        lateFee: validLateFee(props),
        ...depositPolicySetting(props.depositPolicy),
      },
      readsEnvironment,
      billDocumentEnvironment,
    });
    this.web = new WebHosting(this, 'Web', { httpApi: this.api.httpApi, deletionProtection });
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
    new CfnOutput(this, 'WebUrl', { value: `https://${this.web.distribution.distributionDomainName}/`, description: 'Customer portal (/) and staff console (/console/)' });
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

function validProvider(provider: string): 'none' | 'sandbox' {
  if (provider !== 'none' && provider !== 'sandbox') throw new Error(`paymentProvider must be "none" or "sandbox", got ${JSON.stringify(provider)}`);
  return provider;
}

function validWebhookSecret(secret: string): string {
  if (secret.length < 16) throw new Error('paymentWebhookSecret must be at least 16 characters');
  return secret;
}
