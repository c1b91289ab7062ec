/**
 * One project Lambda function: a NodejsFunction bundled by the local esbuild, with its own
 * least-privilege role, an explicit log group, the shared environment and the CloudFormation
 * metadata (`cis:entry`, `cis:handler`) that the local platform uses to run the same module.
 */
import path from 'node:path';
import { Duration, Validations } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as nodejs from 'aws-cdk-lib/aws-lambda-nodejs';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
// The metadata keys are defined beside the local platform's template reader, which reads them.
import { ENTRY_METADATA, HANDLER_METADATA } from '../../shared/local/template';

export const HANDLER_EXPORT = 'handler';

/** Settings every project function shares (the same value in every function that has it). */
export interface SharedFunctionSettings {
  /** Absolute path of the repository root; entries are relative to it. */
  readonly projectRoot: string;
  readonly tableName: string;
  readonly utilityTimezone: string;
}

export interface CisFunctionProps {
  readonly shared: SharedFunctionSettings;
  /** Handler module relative to the repository root, e.g. `functions/staff/list-accounts.ts`. */
  readonly entry: string;
  readonly description: string;
  /** @default 10 seconds */
  readonly timeout?: Duration;
  /** @default 512 */
  readonly memorySize?: number;
  /** Extra environment variables besides TABLE_NAME and UTILITY_TIMEZONE. */
  readonly environment?: Record<string, string>;
  /**
   * Packages installed beside the bundle instead of bundled: those that read their own files at
   * run time (pdfkit's fonts and color profile). @default none
   */
  readonly nodeModules?: string[];
}

export class CisFunction extends Construct {
  readonly function: nodejs.NodejsFunction;
  readonly role: iam.Role;
  readonly logGroup: logs.LogGroup;
  /** The entry as written into the `cis:entry` metadata (forward slashes, repository-relative). */
  readonly entry: string;

  /**
   * The construct id is also the CloudFormation logical id of the function (the contract's
   * function id, e.g. `ValidateReads`), so the local platform and operators see stable names.
   */
  constructor(scope: Construct, id: string, props: CisFunctionProps) {
    super(scope, id);
    this.entry = toRepositoryPath(props.entry);
    const absoluteEntry = path.join(props.shared.projectRoot, ...this.entry.split('/'));

    this.logGroup = new logs.LogGroup(this, 'LogGroup', { retention: logs.RetentionDays.THREE_MONTHS });
    this.role = new iam.Role(this, 'Role', {
      assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
      description: `Execution role of the ${id} function`,
    });
    this.logGroup.grantWrite(this.role);

    this.function = new nodejs.NodejsFunction(this, 'Function', {
      entry: absoluteEntry,
      handler: HANDLER_EXPORT,
      projectRoot: props.shared.projectRoot,
      depsLockFilePath: path.join(props.shared.projectRoot, 'package-lock.json'),
      runtime: lambda.Runtime.NODEJS_24_X,
      architecture: lambda.Architecture.ARM_64,
      description: props.description,
      timeout: props.timeout ?? Duration.seconds(10),
      memorySize: props.memorySize ?? 512,
      role: this.role,
      logGroup: this.logGroup,
      loggingFormat: lambda.LoggingFormat.JSON,
      applicationLogLevelV2: lambda.ApplicationLogLevel.INFO,
      systemLogLevelV2: lambda.SystemLogLevel.WARN,
      tracing: lambda.Tracing.ACTIVE,
      environment: {
        TABLE_NAME: props.shared.tableName,
        UTILITY_TIMEZONE: props.shared.utilityTimezone,
        // Stack traces point at the TypeScript sources (bundled with sourceMap).
        NODE_OPTIONS: '--enable-source-maps',
        ...props.environment,
      },
      bundling: {
        minify: true,
        sourceMap: true,
        sourcesContent: false,
        forceDockerBundling: false,
        ...(props.nodeModules?.length ? { nodeModules: props.nodeModules } : {}),
      },
    });

    const cfnFunction = this.function.node.defaultChild as lambda.CfnFunction;
    cfnFunction.overrideLogicalId(id);
    cfnFunction.addMetadata(ENTRY_METADATA, this.entry);
    cfnFunction.addMetadata(HANDLER_METADATA, HANDLER_EXPORT);

    Validations.of(this.role).acknowledge({
      id: 'AwsSolutions-IAM5[Resource::*]',
      reason: 'Active X-Ray tracing: xray:PutTraceSegments and xray:PutTelemetryRecords do not support resource-level permissions, so AWS requires Resource "*".',
    });
  }

  get functionArn(): string {
    return this.function.functionArn;
  }
}

/** `functions\\a\\b.ts` or `./functions/a/b.ts` -> `functions/a/b.ts`; absolute paths are refused. */
export function toRepositoryPath(entry: string): string {
  const normalized = path.posix.normalize(entry.split(path.sep).join('/').replace(/\\/g, '/'));
  if (path.posix.isAbsolute(normalized) || normalized.startsWith('..')) {
    throw new Error(`CisFunction entry must be relative to the repository root, got ${entry}`);
  }
  return normalized.replace(/^\.\//, '');
}
