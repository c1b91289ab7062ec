/**
 * The synthesized CloudFormation template is the local platform's configuration. This module
 * reads it: resources by type, intrinsic functions resolved to local names and ARNs, and the
 * Lambda functions with the handler module each one runs.
 */
import path from 'node:path';

export const LOCAL_REGION = 'us-east-1';
export const LOCAL_ACCOUNT = '000000000000';
export const LOCAL_STACK_NAME = 'cis-local';

export interface CfnResource {
  Type: string;
  Properties?: Record<string, unknown>;
  Metadata?: Record<string, unknown>;
  DependsOn?: string | string[];
}

export interface CfnTemplate {
  Resources: Record<string, CfnResource>;
  Outputs?: Record<string, { Value: unknown }>;
  Parameters?: Record<string, unknown>;
}

/** Metadata keys that the CDK constructs put on each Lambda function for the local platform. */
export const ENTRY_METADATA = 'cis:entry';
export const HANDLER_METADATA = 'cis:handler';

export class TemplateError extends Error {
  override name = 'TemplateError';
}

export function resourcesOfType(template: CfnTemplate, type: string): Array<[string, CfnResource]> {
  return Object.entries(template.Resources).filter(([, resource]) => resource.Type === type);
}

export function localArn(service: string, resource: string): string {
  return `arn:aws:${service}:${LOCAL_REGION}:${LOCAL_ACCOUNT}:${resource}`;
}

export interface ResolverOptions {
  /** Base URL of the local SQS server, e.g. http://127.0.0.1:9324 (queue URLs hang off it). */
  sqsEndpoint?: string;
  /** Values for template parameters (CDK's BootstrapVersion and the like). */
  parameters?: Record<string, string>;
}

interface ResourceNames {
  ref: string;
  attributes: Record<string, string>;
}

/** The local name of a queue: the logical id, with `.fifo` for FIFO queues. */
export function localQueueName(logicalId: string, resource: CfnResource): string {
  return resource.Properties?.['FifoQueue'] === true ? `${logicalId}.fifo` : logicalId;
}

function namesFor(logicalId: string, resource: CfnResource, options: ResolverOptions): ResourceNames {
  switch (resource.Type) {
    case 'AWS::DynamoDB::Table':
      return {
        ref: logicalId,
        attributes: {
          Arn: localArn('dynamodb', `table/${logicalId}`),
          StreamArn: localArn('dynamodb', `table/${logicalId}/stream/local`),
        },
      };
    case 'AWS::SQS::Queue': {
      const name = localQueueName(logicalId, resource);
      const endpoint = options.sqsEndpoint ?? 'http://127.0.0.1:9324';
      return {
        ref: `${endpoint}/${LOCAL_ACCOUNT}/${name}`,
        attributes: { Arn: localArn('sqs', name), QueueName: name, QueueUrl: `${endpoint}/${LOCAL_ACCOUNT}/${name}` },
      };
    }
    case 'AWS::Lambda::Function':
      return { ref: logicalId, attributes: { Arn: localArn('lambda', `function:${logicalId}`) } };
    case 'AWS::StepFunctions::StateMachine': {
      const arn = localArn('states', `stateMachine:${logicalId}`);
      return { ref: arn, attributes: { Arn: arn, Name: logicalId } };
    }
    case 'AWS::SNS::Topic': {
      const arn = localArn('sns', logicalId);
      return { ref: arn, attributes: { TopicArn: arn, TopicName: logicalId } };
    }
    case 'AWS::IAM::Role':
      return { ref: logicalId, attributes: { Arn: localArn('iam', `role/${logicalId}`), RoleId: logicalId } };
    case 'AWS::KMS::Key':
      return { ref: logicalId, attributes: { Arn: localArn('kms', `key/${logicalId}`), KeyId: logicalId } };
    case 'AWS::Logs::LogGroup':
      return { ref: logicalId, attributes: { Arn: localArn('logs', `log-group:${logicalId}:*`) } };
    case 'AWS::Cognito::UserPool':
      return {
        ref: `${LOCAL_REGION}_${logicalId}`,
        attributes: {
          Arn: localArn('cognito-idp', `userpool/${LOCAL_REGION}_${logicalId}`),
          ProviderName: `cognito-idp.${LOCAL_REGION}.amazonaws.com/${LOCAL_REGION}_${logicalId}`,
          ProviderURL: `https://cognito-idp.${LOCAL_REGION}.amazonaws.com/${LOCAL_REGION}_${logicalId}`,
          UserPoolId: `${LOCAL_REGION}_${logicalId}`,
        },
      };
    default:
      return { ref: logicalId, attributes: {} };
  }
}

/** Resolves CloudFormation intrinsic functions to the local platform's names. */
export class LocalResolver {
  private readonly names = new Map<string, ResourceNames>();

  constructor(
    readonly template: CfnTemplate,
    private readonly options: ResolverOptions = {},
  ) {
    for (const [logicalId, resource] of Object.entries(template.Resources)) {
      this.names.set(logicalId, namesFor(logicalId, resource, options));
    }
  }

  ref(logicalId: string): string {
    const pseudo = this.pseudo(logicalId);
    if (pseudo !== undefined) return pseudo;
    const parameter = this.options.parameters?.[logicalId];
    if (parameter !== undefined) return parameter;
    const names = this.names.get(logicalId);
    if (!names) {
      if (this.template.Parameters && logicalId in this.template.Parameters) return logicalId;
      throw new TemplateError(`Ref to unknown resource ${logicalId}`);
    }
    return names.ref;
  }

  getAtt(logicalId: string, attribute: string): string {
    const names = this.names.get(logicalId);
    if (!names) throw new TemplateError(`Fn::GetAtt of unknown resource ${logicalId}`);
    return names.attributes[attribute] ?? `${logicalId}.${attribute}`;
  }

  /** Deeply resolves intrinsic functions in a template value. */
  resolve(value: unknown): unknown {
    if (Array.isArray(value)) return value.map((item) => this.resolve(item));
    if (value === null || typeof value !== 'object') return value;
    const entries = Object.entries(value as Record<string, unknown>);
    if (entries.length === 1) {
      const [key, argument] = entries[0]!;
      switch (key) {
        case 'Ref':
          return this.ref(String(argument));
        case 'Fn::GetAtt': {
          const [logicalId, attribute] = Array.isArray(argument) ? argument : String(argument).split('.');
          return this.getAtt(String(logicalId), String(attribute));
        }
        case 'Fn::Join': {
          const [separator, parts] = argument as [string, unknown[]];
          return (this.resolve(parts) as unknown[]).map(String).join(separator);
        }
        case 'Fn::Select': {
          const [index, list] = argument as [number | string, unknown];
          return (this.resolve(list) as unknown[])[Number(index)];
        }
        case 'Fn::Split': {
          const [separator, source] = argument as [string, unknown];
          return String(this.resolve(source)).split(separator);
        }
        case 'Fn::Sub':
          return this.sub(argument);
        case 'Fn::ImportValue':
        case 'Fn::If':
        case 'Fn::FindInMap':
          throw new TemplateError(`${key} is not supported by the local platform`);
        default:
          break;
      }
    }
    return Object.fromEntries(entries.map(([key, item]) => [key, this.resolve(item)]));
  }

  resolveString(value: unknown): string {
    const resolved = this.resolve(value);
    if (typeof resolved !== 'string') throw new TemplateError(`expected a string, got ${JSON.stringify(resolved)}`);
    return resolved;
  }

  private sub(argument: unknown): string {
    const [text, variables] = Array.isArray(argument)
      ? [String(argument[0]), (argument[1] ?? {}) as Record<string, unknown>]
      : [String(argument), {} as Record<string, unknown>];
    return text.replace(/\$\{([^}!][^}]*)\}/g, (_match, name: string) => {
      if (name in variables) return String(this.resolve(variables[name]));
      if (name.includes('.')) {
        const [logicalId, attribute] = name.split('.', 2) as [string, string];
        return this.getAtt(logicalId, attribute);
      }
      return this.ref(name);
    });
  }

  private pseudo(name: string): string | undefined {
    switch (name) {
      case 'AWS::Region':
        return LOCAL_REGION;
      case 'AWS::AccountId':
        return LOCAL_ACCOUNT;
      case 'AWS::Partition':
        return 'aws';
      case 'AWS::URLSuffix':
        return 'amazonaws.com';
      case 'AWS::StackName':
        return LOCAL_STACK_NAME;
      case 'AWS::StackId':
        return localArn('cloudformation', `stack/${LOCAL_STACK_NAME}/local`);
      case 'AWS::NoValue':
        return undefined;
      default:
        return undefined;
    }
  }
}

export interface LocalFunction {
  logicalId: string;
  arn: string;
  /** Source module relative to the project root, e.g. functions/staff/list-accounts.ts. */
  entry: string;
  handlerName: string;
  environment: Record<string, string>;
  timeoutSeconds: number;
}

/** The project's Lambda functions (those carrying the cis:entry metadata) with resolved environment. */
export function functionsOf(resolver: LocalResolver): Map<string, LocalFunction> {
  const functions = new Map<string, LocalFunction>();
  for (const [logicalId, resource] of resourcesOfType(resolver.template, 'AWS::Lambda::Function')) {
    const entry = resource.Metadata?.[ENTRY_METADATA];
    if (typeof entry !== 'string') continue;
    const properties = resource.Properties ?? {};
    const variables = ((properties['Environment'] as { Variables?: Record<string, unknown> } | undefined)?.Variables ?? {});
    const environment: Record<string, string> = {};
    for (const [name, value] of Object.entries(variables)) environment[name] = resolver.resolveString(value);
    functions.set(logicalId, {
      logicalId,
      arn: resolver.getAtt(logicalId, 'Arn'),
      entry,
      handlerName: typeof resource.Metadata?.[HANDLER_METADATA] === 'string' ? (resource.Metadata[HANDLER_METADATA] as string) : 'handler',
      environment,
      timeoutSeconds: Number(properties['Timeout'] ?? 3),
    });
  }
  return functions;
}

/** Finds the function a Lambda ARN (or a name) points at. */
export function functionByArn(functions: Map<string, LocalFunction>, arnOrName: string): LocalFunction | undefined {
  for (const fn of functions.values()) {
    if (fn.arn === arnOrName || fn.logicalId === arnOrName) return fn;
  }
  // Step Functions' optimized integration ARN or a qualified ARN: match on the function name.
  const name = arnOrName.split(':function:')[1]?.split(':')[0];
  return name ? functions.get(name) : undefined;
}

export type LambdaHandler = (event: unknown, context: unknown) => Promise<unknown>;

/** Loads and invokes handler modules in this process, the way the Lambda runtime would. */
export class FunctionHost {
  private readonly loaded = new Map<string, LambdaHandler>();

  constructor(
    readonly functions: Map<string, LocalFunction>,
    private readonly rootDir: string,
  ) {}

  /**
   * Puts every function's environment into process.env. The functions share one process
   * locally, so a variable with two different values is a configuration error.
   */
  applyEnvironment(env: NodeJS.ProcessEnv = process.env): void {
    const seen = new Map<string, { value: string; owner: string }>();
    for (const fn of this.functions.values()) {
      for (const [name, value] of Object.entries(fn.environment)) {
        const previous = seen.get(name);
        if (previous && previous.value !== value) {
          throw new TemplateError(`environment variable ${name} is ${previous.value} for ${previous.owner} but ${value} for ${fn.logicalId}`);
        }
        seen.set(name, { value, owner: fn.logicalId });
      }
    }
    for (const [name, { value }] of seen) env[name] = value;
  }

  async invoke(logicalIdOrArn: string, event: unknown): Promise<unknown> {
    const fn = functionByArn(this.functions, logicalIdOrArn);
    if (!fn) throw new TemplateError(`no local function for ${logicalIdOrArn}`);
    const handler = this.handlerOf(fn);
    const deadline = Date.now() + fn.timeoutSeconds * 1000;
    const context = {
      functionName: fn.logicalId,
      functionVersion: '$LATEST',
      invokedFunctionArn: fn.arn,
      memoryLimitInMB: '1024',
      awsRequestId: crypto.randomUUID(),
      logGroupName: `/aws/lambda/${fn.logicalId}`,
      logStreamName: 'local',
      callbackWaitsForEmptyEventLoop: false,
      getRemainingTimeInMillis: () => Math.max(0, deadline - Date.now()),
      done: () => undefined,
      fail: () => undefined,
      succeed: () => undefined,
    };
    return handler(event, context);
  }

  private handlerOf(fn: LocalFunction): LambdaHandler {
    let handler = this.loaded.get(fn.logicalId);
    if (!handler) {
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      const module = require(path.join(this.rootDir, fn.entry)) as Record<string, unknown>;
      const exported = module[fn.handlerName];
      if (typeof exported !== 'function') throw new TemplateError(`${fn.entry} has no exported ${fn.handlerName}`);
      handler = exported as LambdaHandler;
      this.loaded.set(fn.logicalId, handler);
    }
    return handler;
  }
}
