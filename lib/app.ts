/**
 * Builds the CDK app (one CisStack, AwsSolutions checks from cdk-nag) for the CDK CLI
 * (bin/app.ts), the infrastructure tests and the local platform, which synthesizes the
 * template in-process without bundling and without AWS credentials.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { App, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { CisStack, type CisStackProps } from './cis-stack';

export const STACK_ID = 'Cis';

/** CDK context keys read by the app (`cdk synth -c billingSegments=64`, or cdk.json). */
export const CONTEXT_KEYS = ['utilityTimezone', 'billingSegments', 'deletionProtection', 'alarmEmail', 'paymentProvider', 'returnedPaymentFee', 'paymentWebhookSecret', 'arrangementGraceDays', 'lateFeeGraceDays', 'lateFeeMethod', 'lateFeeFlat', 'lateFeePercent', 'lateFeeMinimumPastDue', 'lateFeeCap', 'veeOverrides', 'utilityProfile', 'billingScheduleHourUtc', 'depositPolicy', 'billDueDays', 'billHighFactor', 'billLowFactor', 'billMinHistory', 'billMaxTotal', 'billMaxEstimated', 'billMissingReads', 'collectionsPolicyPack', 'collectionsWeatherRegion', 'collectionsScheduleHourUtc', 'achOriginator', 'authDomainPrefix', 'adjustmentApprovalLimit', 'csrAdjustmentLimit'] as const;

export interface CreateAppOptions {
  /** Skip esbuild bundling (tests, the local platform). @default false */
  skipBundling?: boolean;
  /**
   * Extra CDK context (e.g. `{ billingSegments: 4 }`). Outside the CDK CLI it is merged over the
   * `context` of cdk.json, so the local platform sees the settings a deployment would; under the
   * CLI, values from the CLI (cdk.json, `-c`) take precedence.
   */
  context?: Record<string, unknown>;
  /** Cloud assembly directory. @default CDK_OUTDIR when run by the CDK CLI, else a temporary directory */
  outdir?: string;
  /**
   * CDK's built-in CloudFormation schema validation (about 2 s). @default true, except with
   * skipBundling, where start-up speed matters and the tests turn it on explicitly
   */
  validateCloudFormation?: boolean;
  /** Stack properties that override the context (e.g. `projectRoot`). */
  stackProps?: CisStackProps;
}

export interface CisApp {
  app: App;
  stack: CisStack;
}

export function createApp(options: CreateAppOptions = {}): CisApp {
  const runByCli = process.env['CDK_OUTDIR'] !== undefined;
  const projectRoot = options.stackProps?.projectRoot ?? path.resolve(__dirname, '..');
  const app = new App({
    outdir: options.outdir,
    context: runByCli ? options.context : { ...cdkJsonContext(projectRoot), ...options.context },
    // Forced after the CLI's context so that skipBundling always wins.
    postCliContext: options.skipBundling ? { 'aws:cdk:bundling-stacks': [] } : undefined,
    // Construct stack traces make in-process synthesis several times slower; the CLI keeps them.
    stackTraces: runByCli,
    builtinCloudFormationValidation: options.validateCloudFormation ?? !options.skipBundling,
  });
  const stack = new CisStack(app, STACK_ID, {
    description: 'Customer Information System for water, electric and gas utilities',
    ...stackPropsFromContext(app),
    ...options.stackProps,
  });
  Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
  return { app, stack };
}

/**
 * The CisStack's CloudFormation template, synthesized in a temporary directory that is removed
 * afterwards. Throws on cdk-nag findings. Needs no AWS credentials and no network.
 */
export function synthesizeTemplate(options: Omit<CreateAppOptions, 'outdir'> = {}): CfnTemplateJson {
  const outdir = mkdtempSync(path.join(os.tmpdir(), 'cis-synth-'));
  try {
    const { app, stack } = createApp({ ...options, outdir });
    const assembly = app.synth();
    return assembly.getStackArtifact(stack.artifactId).template as CfnTemplateJson;
  } finally {
    rmSync(outdir, { recursive: true, force: true });
  }
}

export interface CfnTemplateJson {
  Resources: Record<string, { Type: string; Properties?: Record<string, unknown>; Metadata?: Record<string, unknown>; DependsOn?: string | string[] }>;
  Outputs?: Record<string, { Value: unknown; Description?: string }>;
  Parameters?: Record<string, unknown>;
  [section: string]: unknown;
}

/** The `context` object of the project's cdk.json (empty when there is none). */
export function cdkJsonContext(projectRoot: string): Record<string, unknown> {
  const file = path.join(projectRoot, 'cdk.json');
  if (!existsSync(file)) return {};
  const parsed = JSON.parse(readFileSync(file, 'utf8')) as { context?: Record<string, unknown> };
  return parsed.context ?? {};
}

/** Stack properties from CDK context; CLI context values arrive as strings. */
export function stackPropsFromContext(app: App): Pick<CisStackProps, (typeof CONTEXT_KEYS)[number]> {
  const get = (key: (typeof CONTEXT_KEYS)[number]): unknown => app.node.tryGetContext(key);
  return {
    utilityTimezone: optionalString(get('utilityTimezone'), 'utilityTimezone'),
    billingSegments: optionalInteger(get('billingSegments'), 'billingSegments'),
    billingScheduleHourUtc: optionalInteger(get('billingScheduleHourUtc'), 'billingScheduleHourUtc'),
    deletionProtection: optionalBoolean(get('deletionProtection'), 'deletionProtection'),
    alarmEmail: optionalEmail(get('alarmEmail')),
    returnedPaymentFee: optionalDecimalText(get('returnedPaymentFee'), 'returnedPaymentFee'),
    paymentWebhookSecret: optionalString(get('paymentWebhookSecret'), 'paymentWebhookSecret'),
    paymentProvider: optionalString(get('paymentProvider'), 'paymentProvider'),
    arrangementGraceDays: optionalInteger(get('arrangementGraceDays'), 'arrangementGraceDays'),
    lateFeeGraceDays: optionalInteger(get('lateFeeGraceDays'), 'lateFeeGraceDays'),
    lateFeeMethod: optionalString(get('lateFeeMethod'), 'lateFeeMethod'),
    lateFeeFlat: optionalDecimalText(get('lateFeeFlat'), 'lateFeeFlat'),
    lateFeePercent: optionalDecimalText(get('lateFeePercent'), 'lateFeePercent'),
    lateFeeMinimumPastDue: optionalDecimalText(get('lateFeeMinimumPastDue'), 'lateFeeMinimumPastDue'),
    lateFeeCap: optionalDecimalText(get('lateFeeCap'), 'lateFeeCap'),
    veeOverrides: optionalJsonObject(get('veeOverrides'), 'veeOverrides') as CisStackProps['veeOverrides'],
    utilityProfile: optionalJsonObject(get('utilityProfile'), 'utilityProfile'),
    depositPolicy: optionalJsonObject(get('depositPolicy'), 'depositPolicy'),
    billDueDays: optionalInteger(get('billDueDays'), 'billDueDays'),
    billHighFactor: optionalDecimalText(get('billHighFactor'), 'billHighFactor'),
    billLowFactor: optionalDecimalText(get('billLowFactor'), 'billLowFactor'),
    billMinHistory: optionalInteger(get('billMinHistory'), 'billMinHistory'),
    billMaxTotal: optionalDecimalText(get('billMaxTotal'), 'billMaxTotal'),
    billMaxEstimated: optionalInteger(get('billMaxEstimated'), 'billMaxEstimated'),
    billMissingReads: optionalString(get('billMissingReads'), 'billMissingReads'),
    collectionsPolicyPack: optionalString(get('collectionsPolicyPack'), 'collectionsPolicyPack'),
    collectionsWeatherRegion: optionalString(get('collectionsWeatherRegion'), 'collectionsWeatherRegion'),
    collectionsScheduleHourUtc: optionalInteger(get('collectionsScheduleHourUtc'), 'collectionsScheduleHourUtc'),
    achOriginator: optionalJsonObject(get('achOriginator'), 'achOriginator'),
    authDomainPrefix: optionalString(get('authDomainPrefix'), 'authDomainPrefix'),
    adjustmentApprovalLimit: optionalDecimalText(get('adjustmentApprovalLimit'), 'adjustmentApprovalLimit'),
    csrAdjustmentLimit: optionalDecimalText(get('csrAdjustmentLimit'), 'csrAdjustmentLimit'),
  };
}

/** An amount as text: cdk.json may hold a number (25), the CLI passes a string ("25.00"); the stack checks its form. */
function optionalDecimalText(value: unknown, key: string): string | undefined {
  return optionalString(typeof value === 'number' ? String(value) : value, key);
}

/** An object from cdk.json, or its JSON text from `-c key='{...}'`; the stack checks its content. */
function optionalJsonObject(value: unknown, key: string): Record<string, unknown> | undefined {
  if (value === undefined || value === null || value === '') return undefined;
  let parsed: unknown = value;
  if (typeof value === 'string') {
    try {
      parsed = JSON.parse(value) as unknown;
    } catch {
      throw new Error(`context ${key} must be a JSON object, got ${JSON.stringify(value)}`);
    }
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw new Error(`context ${key} must be a JSON object, got ${JSON.stringify(value)}`);
  return parsed as Record<string, unknown>;
}

function optionalString(value: unknown, key: string): string | undefined {
  if (value === undefined || value === null || value === '') return undefined;
  if (typeof value !== 'string') throw new Error(`context ${key} must be a string, got ${JSON.stringify(value)}`);
  return value;
}

function optionalInteger(value: unknown, key: string): number | undefined {
  if (value === undefined || value === null || value === '') return undefined;
  const parsed = typeof value === 'number' ? value : typeof value === 'string' && /^\d+$/.test(value.trim()) ? Number(value) : NaN;
  if (!Number.isInteger(parsed)) throw new Error(`context ${key} must be a whole number, got ${JSON.stringify(value)}`);
  return parsed;
}

function optionalBoolean(value: unknown, key: string): boolean | undefined {
  if (value === undefined || value === null || value === '') return undefined;
  if (typeof value === 'boolean') return value;
  if (value === 'true' || value === 'false') return value === 'true';
  throw new Error(`context ${key} must be true or false, got ${JSON.stringify(value)}`);
}

function optionalEmail(value: unknown): string | undefined {
  const email = optionalString(value, 'alarmEmail');
  if (email !== undefined && !/^[^@\s]+@[^@\s]+\.[^@\s]+$/.test(email)) {
    throw new Error(`context alarmEmail must be an e-mail address, got ${JSON.stringify(email)}`);
  }
  return email;
}
