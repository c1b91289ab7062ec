/**
 * Lambda event source mappings for SQS on the local platform: one polling loop per enabled
 * AWS::Lambda::EventSourceMapping of the template. Each loop receives up to BatchSize (max 10)
 * messages, invokes the function with a real SQSEvent and settles the batch the way Lambda does:
 * success deletes, failure leaves the messages to come back (and to reach the dead-letter queue
 * after maxReceiveCount receives); with ReportBatchItemFailures only the reported items fail.
 *
 * Visibility: messages are received with VisibilityTimeout = failedVisibilitySeconds, so a failed
 * message comes back after about that long without a ChangeMessageVisibility call (local-aws-sqs
 * counts every visibility change as a receive, which would halve maxReceiveCount). An invocation
 * that outlives that timeout has its messages' visibility extended to the queue's
 * VisibilityTimeout first, as Lambda's own receive would have set it.
 *
 * Several batches of a mapping run at once, as with Lambda. Then, as with Lambda, the messages
 * of a failed batch need not come back together: each one's visibility runs out on its own timer
 * and whichever receive runs next takes what is visible, so a message that failed only because
 * its batch failed as a whole may succeed alone on a retry instead of reaching the dead-letter
 * queue with its batch partner.
 */
import {
  ChangeMessageVisibilityBatchCommand,
  DeleteMessageBatchCommand,
  GetQueueAttributesCommand,
  ReceiveMessageCommand,
  SQSClient,
  type Message,
  type MessageAttributeValue,
} from '@aws-sdk/client-sqs';
import type { SQSEvent, SQSMessageAttribute, SQSRecord } from 'aws-lambda';
import { localClientConfig, sleep } from './ports';
import { localQueueUrl, queueNameOf } from './sqs-local';
import { LOCAL_ACCOUNT, LOCAL_REGION, localQueueName, resourcesOfType, type FunctionHost, type LocalResolver } from './template';

export interface SqsEventSourceMapping {
  /** Logical id of the AWS::Lambda::EventSourceMapping. */
  logicalId: string;
  /** The function as the template names it (logical id or ARN); what FunctionHost.invoke gets. */
  functionName: string;
  /** The function's name for logs (the logical id locally). */
  functionLogicalId: string;
  queueName: string;
  queueUrl: string;
  queueArn: string;
  /** Messages per invocation: min(BatchSize, 10). */
  batchSize: number;
  reportBatchItemFailures: boolean;
  /**
   * Batches handled at once: ScalingConfig.MaximumConcurrency when the template sets it, else the
   * platform's default (Lambda itself starts several concurrent pollers per SQS mapping).
   */
  concurrency?: number;
  /** The queue's VisibilityTimeout (default 30 s): how long a slow invocation keeps its messages. */
  queueVisibilitySeconds: number;
  /** The queue's redrive policy, when it has one. */
  redrive?: { maxReceiveCount: number; deadLetterQueueName: string };
}

export interface EventSourceMappingOptions {
  resolver: LocalResolver;
  host: Pick<FunctionHost, 'invoke'>;
  sqsEndpoint: string;
  /** After how many seconds a failed message is received again (default 1, at least 1). */
  failedVisibilitySeconds?: number;
  log?: (line: string) => void;
  /** Pause between polls of an empty queue (default 200 ms). */
  idlePollMs?: number;
  /** How long stop() waits for running invocations (default 5 s). */
  stopGraceMs?: number;
  /** Concurrent batches per mapping without ScalingConfig.MaximumConcurrency (default 5: Lambda starts with five concurrent batches of a standard queue). */
  defaultConcurrency?: number;
}

export interface EventSourceMappingsHandle {
  mappings: SqsEventSourceMapping[];
  /**
   * Resolves when every mapped queue is empty (no visible, in-flight or delayed message) and no
   * invocation runs; rejects after timeoutMs (default 30 s). For tests and scripts.
   */
  drain(timeoutMs?: number): Promise<void>;
  /** Stops polling and waits for running invocations (up to stopGraceMs). Idempotent. */
  stop(): Promise<void>;
}

const MAX_SQS_BATCH = 10;

function functionLogicalIdOf(functionName: string): string {
  return functionName.includes(':function:') ? functionName.split(':function:')[1]!.split(':')[0]! : functionName;
}

/** The enabled SQS event source mappings of the template; other sources are reported through log. */
export function sqsEventSourceMappings(resolver: LocalResolver, sqsEndpoint: string, log: (line: string) => void = () => undefined): SqsEventSourceMapping[] {
  const queueVisibility = new Map<string, number>();
  const queueRedrive = new Map<string, NonNullable<SqsEventSourceMapping['redrive']>>();
  for (const [logicalId, resource] of resourcesOfType(resolver.template, 'AWS::SQS::Queue')) {
    const name = localQueueName(logicalId, resource);
    const visibility = resolver.resolve(resource.Properties?.['VisibilityTimeout']);
    queueVisibility.set(name, visibility === undefined ? 30 : Number(visibility));
    const redrive = resolver.resolve(resource.Properties?.['RedrivePolicy']);
    if (redrive !== undefined && redrive !== null) {
      const policy = (typeof redrive === 'string' ? JSON.parse(redrive) : redrive) as { deadLetterTargetArn?: unknown; maxReceiveCount?: unknown };
      queueRedrive.set(name, { maxReceiveCount: Number(policy.maxReceiveCount), deadLetterQueueName: queueNameOf(String(policy.deadLetterTargetArn)) });
    }
  }
  const mappings: SqsEventSourceMapping[] = [];
  for (const [logicalId, resource] of resourcesOfType(resolver.template, 'AWS::Lambda::EventSourceMapping')) {
    const raw = resource.Properties ?? {};
    const property = (name: string): unknown => resolver.resolve(raw[name]);
    if (property('Enabled') === false || property('Enabled') === 'false') continue;
    const sourceArn = property('EventSourceArn');
    if (typeof sourceArn !== 'string' || !sourceArn.startsWith('arn:aws:sqs:')) {
      log(`event source mapping ${logicalId}: only SQS sources are emulated locally, ignoring ${String(sourceArn ?? 'a source without EventSourceArn')}`);
      continue;
    }
    if (raw['FilterCriteria'] !== undefined) log(`event source mapping ${logicalId}: FilterCriteria is not emulated locally, the function gets every message`);
    const functionName = resolver.resolveString(raw['FunctionName']);
    const queueName = queueNameOf(sourceArn);
    const batchSize = Number(property('BatchSize') ?? MAX_SQS_BATCH);
    const responseTypes = property('FunctionResponseTypes');
    const maximumConcurrency = Number((property('ScalingConfig') as { MaximumConcurrency?: unknown } | undefined)?.MaximumConcurrency);
    mappings.push({
      logicalId,
      functionName,
      functionLogicalId: functionLogicalIdOf(functionName),
      queueName,
      queueUrl: localQueueUrl(sqsEndpoint, queueName),
      queueArn: `arn:aws:sqs:${LOCAL_REGION}:${LOCAL_ACCOUNT}:${queueName}`,
      batchSize: Math.max(1, Math.min(Number.isFinite(batchSize) ? batchSize : MAX_SQS_BATCH, MAX_SQS_BATCH)),
      reportBatchItemFailures: Array.isArray(responseTypes) && responseTypes.includes('ReportBatchItemFailures'),
      ...(Number.isInteger(maximumConcurrency) && maximumConcurrency > 0 ? { concurrency: maximumConcurrency } : {}),
      queueVisibilitySeconds: queueVisibility.get(queueName) ?? 30,
      ...(queueRedrive.has(queueName) ? { redrive: queueRedrive.get(queueName)! } : {}),
    });
  }
  return mappings;
}

function toLambdaAttribute(value: MessageAttributeValue): SQSMessageAttribute {
  return {
    ...(value.StringValue !== undefined ? { stringValue: value.StringValue } : {}),
    ...(value.BinaryValue !== undefined ? { binaryValue: Buffer.from(value.BinaryValue).toString('base64') } : {}),
    stringListValues: value.StringListValues ?? [],
    binaryListValues: (value.BinaryListValues ?? []).map((item) => Buffer.from(item).toString('base64')),
    dataType: value.DataType ?? 'String',
  };
}

/** A received SQS message as the record Lambda puts in an SQSEvent. */
export function toSqsRecord(message: Message, queueArn: string): SQSRecord {
  const attributes = Object.fromEntries(Object.entries(message.Attributes ?? {}).filter(([, value]) => typeof value === 'string')) as Record<string, string>;
  return {
    messageId: message.MessageId!,
    receiptHandle: message.ReceiptHandle!,
    body: message.Body ?? '',
    attributes: {
      ...attributes,
      ApproximateReceiveCount: attributes['ApproximateReceiveCount'] ?? '1',
      SentTimestamp: attributes['SentTimestamp'] ?? String(Date.now()),
      SenderId: attributes['SenderId'] ?? LOCAL_ACCOUNT,
      ApproximateFirstReceiveTimestamp: attributes['ApproximateFirstReceiveTimestamp'] ?? String(Date.now()),
    },
    messageAttributes: Object.fromEntries(Object.entries(message.MessageAttributes ?? {}).map(([name, value]) => [name, toLambdaAttribute(value)])),
    md5OfBody: message.MD5OfBody ?? '',
    ...(message.MD5OfMessageAttributes ? { md5OfMessageAttributes: message.MD5OfMessageAttributes } : {}),
    eventSource: 'aws:sqs',
    eventSourceARN: queueArn,
    awsRegion: LOCAL_REGION,
  };
}

export type BatchOutcome = { failed: Set<string> } | { invalid: string };

/**
 * Reads a partial batch response the way Lambda does: no response, no or an empty
 * batchItemFailures list is success; anything malformed (not an object, a non-array list, an
 * item without a string itemIdentifier, an id not in the batch) fails the whole batch.
 */
export function readBatchResponse(response: unknown, messageIds: readonly string[]): BatchOutcome {
  if (response === undefined || response === null) return { failed: new Set() };
  if (typeof response !== 'object' || Array.isArray(response)) return { invalid: `the response is ${Array.isArray(response) ? 'an array' : typeof response}, not an object` };
  const failures = (response as { batchItemFailures?: unknown }).batchItemFailures;
  if (failures === undefined || failures === null) return { failed: new Set() };
  if (!Array.isArray(failures)) return { invalid: 'batchItemFailures is not a list' };
  const known = new Set(messageIds);
  const failed = new Set<string>();
  for (const item of failures) {
    const id = item && typeof item === 'object' ? (item as { itemIdentifier?: unknown }).itemIdentifier : undefined;
    if (typeof id !== 'string' || id === '') return { invalid: `a batchItemFailures entry has no itemIdentifier: ${JSON.stringify(item)}` };
    if (!known.has(id)) return { invalid: `batchItemFailures names ${id}, which is not a message of this batch` };
    failed.add(id);
  }
  return { failed };
}

/** What happens to failed messages next: retried, or moved to the dead-letter queue. */
function failureNote(mapping: SqsEventSourceMapping, messages: Message[], failed: Set<string>): string {
  const receiveCount = (message: Message) => Number(message.Attributes?.ApproximateReceiveCount ?? 1);
  const moving = messages.filter((message) => failed.has(message.MessageId!) && mapping.redrive && receiveCount(message) >= mapping.redrive.maxReceiveCount);
  const retried = failed.size - moving.length;
  const notes: string[] = [];
  if (retried) notes.push(`${retried} will be retried`);
  if (moving.length) notes.push(`${moving.length} received ${mapping.redrive!.maxReceiveCount} times go${moving.length === 1 ? 'es' : ''} to ${mapping.redrive!.deadLetterQueueName}`);
  return notes.join(', ');
}

function describeError(error: unknown): string {
  if (error instanceof Error) return `${error.name}: ${error.message}`;
  return String(error);
}

/** Starts one polling loop per enabled SQS event source mapping of the template. */
export function startEventSourceMappings(options: EventSourceMappingOptions): EventSourceMappingsHandle {
  const log = options.log ?? ((line: string) => console.log(line));
  const failedVisibility = Math.max(1, Math.round(options.failedVisibilitySeconds ?? 1));
  const idlePollMs = options.idlePollMs ?? 200;
  const mappings = sqsEventSourceMappings(options.resolver, options.sqsEndpoint, log);
  const client = new SQSClient({ ...localClientConfig(options.sqsEndpoint), maxAttempts: 1 });
  const controller = new AbortController();
  const { signal } = controller;
  let invocations = 0;

  async function settle(mapping: SqsEventSourceMapping, messages: Message[], failed: Set<string>, extended: boolean): Promise<void> {
    const succeeded = messages.filter((message) => !failed.has(message.MessageId!));
    if (succeeded.length) {
      const result = await client.send(
        new DeleteMessageBatchCommand({
          QueueUrl: mapping.queueUrl,
          Entries: succeeded.map((message, index) => ({ Id: String(index), ReceiptHandle: message.ReceiptHandle! })),
        }),
      );
      for (const failure of result.Failed ?? []) log(`${mapping.functionLogicalId}: deleting a handled message from ${mapping.queueName} failed: ${failure.Message ?? failure.Code}`);
    }
    // Failed messages come back when the visibility they were received with runs out; only an
    // extended (slow) batch needs its failed messages shortened again.
    const retried = messages.filter((message) => failed.has(message.MessageId!));
    if (extended && retried.length) {
      await client.send(
        new ChangeMessageVisibilityBatchCommand({
          QueueUrl: mapping.queueUrl,
          Entries: retried.map((message, index) => ({ Id: String(index), ReceiptHandle: message.ReceiptHandle!, VisibilityTimeout: failedVisibility })),
        }),
      );
    }
  }

  async function invokeBatch(mapping: SqsEventSourceMapping, messages: Message[]): Promise<void> {
    const event: SQSEvent = { Records: messages.map((message) => toSqsRecord(message, mapping.queueArn)) };
    const ids = event.Records.map((record) => record.messageId);
    let extension: Promise<unknown> | undefined;
    // Keeps the messages invisible while a slow invocation runs (see the module comment).
    const heartbeat = setTimeout(
      () => {
        extension = client
          .send(
            new ChangeMessageVisibilityBatchCommand({
              QueueUrl: mapping.queueUrl,
              Entries: messages.map((message, index) => ({ Id: String(index), ReceiptHandle: message.ReceiptHandle!, VisibilityTimeout: mapping.queueVisibilitySeconds })),
            }),
          )
          .catch((error: unknown) => log(`${mapping.functionLogicalId}: extending the visibility of a running batch failed: ${describeError(error)}`));
      },
      Math.max(100, failedVisibility * 1000 - 300),
    );
    let failed: Set<string>;
    invocations += 1;
    try {
      const response = await options.host.invoke(mapping.functionName, event);
      if (mapping.reportBatchItemFailures) {
        const outcome = readBatchResponse(response, ids);
        if ('invalid' in outcome) {
          failed = new Set(ids);
          log(`${mapping.functionLogicalId}: invalid partial batch response (${outcome.invalid}); all ${ids.length} message(s) from ${mapping.queueName} failed: ${failureNote(mapping, messages, failed)}`);
        } else {
          failed = outcome.failed;
          if (failed.size) log(`${mapping.functionLogicalId}: ${failed.size} of ${ids.length} message(s) from ${mapping.queueName} failed: ${failureNote(mapping, messages, failed)}`);
        }
      } else {
        failed = new Set();
      }
    } catch (error) {
      failed = new Set(ids);
      log(`${mapping.functionLogicalId} failed on ${ids.length} message(s) from ${mapping.queueName} (${failureNote(mapping, messages, failed)}): ${describeError(error)}`);
    } finally {
      clearTimeout(heartbeat);
      invocations -= 1;
    }
    if (extension) await extension;
    await settle(mapping, messages, failed, extension !== undefined);
  }

  async function poll(mapping: SqsEventSourceMapping): Promise<void> {
    let reportedError = false;
    while (!signal.aborted) {
      let messages: Message[];
      try {
        const result = await client.send(
          new ReceiveMessageCommand({
            QueueUrl: mapping.queueUrl,
            MaxNumberOfMessages: mapping.batchSize,
            // Short polls: local-aws-sqs holds a long poll open until the batch is full.
            WaitTimeSeconds: 0,
            VisibilityTimeout: failedVisibility,
            // The legacy AttributeNames is what gives ApproximateReceiveCount in local-aws-sqs.
            AttributeNames: ['All'],
            MessageSystemAttributeNames: ['All'],
            MessageAttributeNames: ['All'],
          }),
          // No abort signal: an aborted request would still take messages on the server side.
          // A short poll ends within ~50 ms and a batch it got is handled before stop() ends.
        );
        messages = result.Messages ?? [];
        reportedError = false;
      } catch (error) {
        if (signal.aborted) break;
        if (!reportedError) log(`${mapping.functionLogicalId}: receiving from ${mapping.queueName} failed, retrying: ${describeError(error)}`);
        reportedError = true;
        await sleep(1000, signal);
        continue;
      }
      if (!messages.length) {
        await sleep(idlePollMs, signal);
        continue;
      }
      try {
        await invokeBatch(mapping, messages);
      } catch (error) {
        if (!signal.aborted) log(`${mapping.functionLogicalId}: settling a batch from ${mapping.queueName} failed: ${describeError(error)}`);
      }
    }
  }

  const defaultConcurrency = Math.max(1, options.defaultConcurrency ?? 5);
  const loops = mappings.flatMap((mapping) => Array.from({ length: mapping.concurrency ?? defaultConcurrency }, () => poll(mapping)));

  async function queuesEmpty(): Promise<boolean> {
    for (const queueUrl of new Set(mappings.map((mapping) => mapping.queueUrl))) {
      const { Attributes: attributes = {} } = await client.send(
        new GetQueueAttributesCommand({
          QueueUrl: queueUrl,
          AttributeNames: ['ApproximateNumberOfMessages', 'ApproximateNumberOfMessagesNotVisible', 'ApproximateNumberOfMessagesDelayed'],
        }),
      );
      const count =
        Number(attributes.ApproximateNumberOfMessages ?? 0) +
        Number(attributes.ApproximateNumberOfMessagesNotVisible ?? 0) +
        Number(attributes.ApproximateNumberOfMessagesDelayed ?? 0);
      if (count > 0) return false;
    }
    return true;
  }

  let stopping: Promise<void> | undefined;
  return {
    mappings,
    async drain(timeoutMs = 30_000) {
      const deadline = Date.now() + timeoutMs;
      while (!signal.aborted) {
        if (invocations === 0 && (await queuesEmpty()) && invocations === 0) return;
        if (Date.now() > deadline) throw new Error(`the event source mappings did not drain within ${timeoutMs} ms`);
        await sleep(50, signal);
      }
    },
    stop: () =>
      (stopping ??= (async () => {
        controller.abort();
        let timer: NodeJS.Timeout | undefined;
        const grace = new Promise<'timeout'>((resolve) => {
          timer = setTimeout(() => resolve('timeout'), options.stopGraceMs ?? 5000);
        });
        const outcome = await Promise.race([Promise.allSettled(loops), grace]);
        clearTimeout(timer);
        if (outcome === 'timeout') log('event source mappings: an invocation is still running; stopping without waiting for it');
        client.destroy();
      })()),
  };
}
