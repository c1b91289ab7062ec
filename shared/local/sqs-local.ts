/**
 * SQS for the local platform: the `local-aws-sqs` server in this process, and the template's
 * queues (with their redrive policies) created in it.
 */
import http from 'node:http';
import { CreateQueueCommand, SQSClient, type QueueAttributeName } from '@aws-sdk/client-sqs';
import { createRequestHandler } from 'local-aws-sqs';
import { PlatformError } from './errors';
import { closeServer, listen, LOCAL_HOST, localClientConfig } from './ports';
import { LOCAL_ACCOUNT, LOCAL_REGION, localQueueName, resourcesOfType, type CfnResource, type LocalResolver } from './template';

export interface StartSqsOptions {
  /** TCP port on 127.0.0.1; a free ephemeral port when absent. */
  port?: number;
}

export interface SqsHandle {
  /** e.g. http://127.0.0.1:40123; queue URLs are `${endpoint}/000000000000/${name}`. */
  endpoint: string;
  port: number;
  /** Stops the server and drops its queues. Idempotent. */
  stop(): Promise<void>;
}

/** Starts an in-process SQS server (local-aws-sqs) whose queue URLs and ARNs match LocalResolver's. */
export async function startSqs(options: StartSqsOptions = {}): Promise<SqsHandle> {
  const { requestHandler, service } = createRequestHandler({
    port: options.port ?? 0,
    hostname: LOCAL_HOST,
    accountId: LOCAL_ACCOUNT,
    region: LOCAL_REGION,
    // A local run may delete and re-create a queue at once; AWS makes you wait 60 s.
    emulateQueueCreationLifecycle: false,
    validateDlqDestination: true,
  });
  const server = http.createServer((request, response) => {
    requestHandler(request, response).catch((error: unknown) => {
      if (!response.headersSent) response.writeHead(500, { 'content-type': 'application/json' });
      response.end(JSON.stringify({ message: error instanceof Error ? error.message : String(error) }));
    });
  });
  const port = await listen(server, options.port ?? 0, LOCAL_HOST, '--sqs-port');
  // local-aws-sqs builds queue URLs from the port it was given: tell it the one we got.
  service.PORT = port;
  let stopping: Promise<void> | undefined;
  return {
    endpoint: `http://${LOCAL_HOST}:${port}`,
    port,
    stop: () =>
      (stopping ??= (async () => {
        await closeServer(server);
        // Clears the queues' visibility and retention timers.
        service.resetAll();
      })()),
  };
}

export interface LocalQueueDefinition {
  logicalId: string;
  name: string;
  attributes: Partial<Record<QueueAttributeName, string>>;
  tags: Record<string, string>;
  /** Logical id of the dead-letter queue when it is a queue of the template. */
  deadLetterQueue?: string;
}

function numberAttribute(value: unknown): string | undefined {
  return value === undefined || value === null ? undefined : String(Number(value));
}

function booleanAttribute(value: unknown): string | undefined {
  return value === undefined || value === null ? undefined : String(value === true || value === 'true');
}

/** The queue name an SQS ARN or queue URL points at. */
export function queueNameOf(arnOrUrl: string): string {
  return arnOrUrl.startsWith('arn:') ? arnOrUrl.split(':').at(-1)! : (arnOrUrl.split('?')[0]!.replace(/\/+$/, '').split('/').at(-1) ?? arnOrUrl);
}

/** The local URL of a queue given its ARN, URL or name. */
export function localQueueUrl(sqsEndpoint: string, arnUrlOrName: string): string {
  return `${sqsEndpoint.replace(/\/+$/, '')}/${LOCAL_ACCOUNT}/${queueNameOf(arnUrlOrName)}`;
}

/** CreateQueue attributes of every AWS::SQS::Queue of the template, dead-letter queues first. */
export function queueDefinitions(resolver: LocalResolver): LocalQueueDefinition[] {
  const queues = resourcesOfType(resolver.template, 'AWS::SQS::Queue');
  const idByName = new Map(queues.map(([logicalId, resource]) => [localQueueName(logicalId, resource), logicalId]));
  const definitions = new Map<string, LocalQueueDefinition>();
  for (const [logicalId, resource] of queues) definitions.set(logicalId, queueDefinition(logicalId, resource, resolver, idByName));

  // Topological order: a queue after the dead-letter queue its redrive policy names.
  const ordered: LocalQueueDefinition[] = [];
  const state = new Map<string, 'visiting' | 'done'>();
  const visit = (logicalId: string, trail: string[]) => {
    if (state.get(logicalId) === 'done') return;
    if (state.get(logicalId) === 'visiting') throw new PlatformError(`the template's queues redrive in a cycle: ${[...trail, logicalId].join(' -> ')}`);
    state.set(logicalId, 'visiting');
    const definition = definitions.get(logicalId)!;
    if (definition.deadLetterQueue) visit(definition.deadLetterQueue, [...trail, logicalId]);
    state.set(logicalId, 'done');
    ordered.push(definition);
  };
  for (const logicalId of definitions.keys()) visit(logicalId, []);
  return ordered;
}

function queueDefinition(logicalId: string, resource: CfnResource, resolver: LocalResolver, idByName: Map<string, string>): LocalQueueDefinition {
  const raw = resource.Properties ?? {};
  const property = (name: string): unknown => resolver.resolve(raw[name]);
  const name = localQueueName(logicalId, resource);
  const fifo = property('FifoQueue') === true || property('FifoQueue') === 'true';
  const attributes: Partial<Record<QueueAttributeName, string>> = {
    VisibilityTimeout: numberAttribute(property('VisibilityTimeout')),
    MessageRetentionPeriod: numberAttribute(property('MessageRetentionPeriod')),
    DelaySeconds: numberAttribute(property('DelaySeconds')),
    ReceiveMessageWaitTimeSeconds: numberAttribute(property('ReceiveMessageWaitTimeSeconds')),
    MaximumMessageSize: numberAttribute(property('MaximumMessageSize')),
    ...(fifo
      ? {
          FifoQueue: 'true',
          ContentBasedDeduplication: booleanAttribute(property('ContentBasedDeduplication')),
          DeduplicationScope: property('DeduplicationScope') as string | undefined,
          FifoThroughputLimit: property('FifoThroughputLimit') as string | undefined,
        }
      : {}),
  };

  let deadLetterQueue: string | undefined;
  const redrive = property('RedrivePolicy');
  if (redrive !== undefined && redrive !== null) {
    const policy = (typeof redrive === 'string' ? JSON.parse(redrive) : redrive) as { deadLetterTargetArn?: unknown; maxReceiveCount?: unknown };
    const target = String(policy.deadLetterTargetArn ?? '');
    if (!target.startsWith('arn:')) throw new PlatformError(`queue ${logicalId}: RedrivePolicy.deadLetterTargetArn must be a queue ARN, got ${JSON.stringify(target)}`);
    const targetName = queueNameOf(target);
    deadLetterQueue = idByName.get(targetName);
    attributes.RedrivePolicy = JSON.stringify({
      deadLetterTargetArn: `arn:aws:sqs:${LOCAL_REGION}:${LOCAL_ACCOUNT}:${targetName}`,
      maxReceiveCount: Number(policy.maxReceiveCount),
    });
  }
  const redriveAllow = property('RedriveAllowPolicy');
  if (redriveAllow !== undefined && redriveAllow !== null) {
    attributes.RedriveAllowPolicy = typeof redriveAllow === 'string' ? redriveAllow : JSON.stringify(redriveAllow);
  }
  for (const key of Object.keys(attributes) as QueueAttributeName[]) if (attributes[key] === undefined) delete attributes[key];

  const tags: Record<string, string> = {};
  for (const tag of (property('Tags') as Array<{ Key: string; Value: string }> | undefined) ?? []) tags[tag.Key] = String(tag.Value);
  return { logicalId, name, attributes, tags, ...(deadLetterQueue ? { deadLetterQueue } : {}) };
}

/** Creates the template's queues (dead-letter queues first); resolves logical id -> queue URL. */
export async function createQueues(endpoint: string, resolver: LocalResolver): Promise<Map<string, string>> {
  const client = new SQSClient(localClientConfig(endpoint));
  const urls = new Map<string, string>();
  try {
    for (const definition of queueDefinitions(resolver)) {
      try {
        const created = await client.send(
          new CreateQueueCommand({
            QueueName: definition.name,
            Attributes: definition.attributes,
            ...(Object.keys(definition.tags).length ? { tags: definition.tags } : {}),
          }),
        );
        urls.set(definition.logicalId, created.QueueUrl ?? localQueueUrl(endpoint, definition.name));
      } catch (error) {
        throw new PlatformError(`creating queue ${definition.name} in local SQS failed: ${(error as Error).message}`);
      }
    }
    return urls;
  } finally {
    client.destroy();
  }
}
