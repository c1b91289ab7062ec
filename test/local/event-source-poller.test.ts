import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { ReceiveMessageCommand, SendMessageBatchCommand, SQSClient, type SendMessageBatchRequestEntry } from '@aws-sdk/client-sqs';
import type { SQSRecord } from 'aws-lambda';
import { readBatchResponse, sqsEventSourceMappings, startEventSourceMappings, type EventSourceMappingsHandle } from '../../shared/local/event-source-poller';
import { localClientConfig } from '../../shared/local/ports';
import { createQueues, startSqs, type SqsHandle } from '../../shared/local/sqs-local';
import { FunctionHost, functionsOf, LocalResolver, type CfnTemplate } from '../../shared/local/template';
import { received, reset } from '../fixtures/local/batch-handler';

const rootDir = path.join(__dirname, '../..');
const template = JSON.parse(fs.readFileSync(path.join(__dirname, '../fixtures/templates/local-parts.template.json'), 'utf8')) as CfnTemplate;

describe('readBatchResponse', () => {
  const ids = ['a', 'b', 'c'];
  it.each([
    ['undefined', undefined, []],
    ['null', null, []],
    ['an object without batchItemFailures', {}, []],
    ['batchItemFailures null', { batchItemFailures: null }, []],
    ['an empty list', { batchItemFailures: [] }, []],
    ['two failures', { batchItemFailures: [{ itemIdentifier: 'a' }, { itemIdentifier: 'c' }] }, ['a', 'c']],
  ])('treats %s as success of the unlisted messages', (_name, response, failed) => {
    expect(readBatchResponse(response, ids)).toEqual({ failed: new Set(failed) });
  });

  it.each([
    ['a string', 'a'],
    ['an array', [{ itemIdentifier: 'a' }]],
    ['a non-list batchItemFailures', { batchItemFailures: 'a' }],
    ['an empty itemIdentifier', { batchItemFailures: [{ itemIdentifier: '' }] }],
    ['a null itemIdentifier', { batchItemFailures: [{ itemIdentifier: null }] }],
    ['a wrong key name', { batchItemFailures: [{ itemId: 'a' }] }],
    ['an unknown message id', { batchItemFailures: [{ itemIdentifier: 'z' }] }],
  ])('treats %s as an invalid response (the whole batch fails)', (_name, response) => {
    expect(readBatchResponse(response, ids)).toHaveProperty('invalid');
  });
});

describe('SQS event source mappings', () => {
  let sqs: SqsHandle;
  let client: SQSClient;
  let resolver: LocalResolver;
  let host: FunctionHost;
  let mappings: EventSourceMappingsHandle | undefined;
  let lines: string[];

  beforeAll(async () => {
    sqs = await startSqs();
    client = new SQSClient(localClientConfig(sqs.endpoint));
    resolver = new LocalResolver(template, { sqsEndpoint: sqs.endpoint });
    await createQueues(sqs.endpoint, resolver);
    host = new FunctionHost(functionsOf(resolver), rootDir);
  });

  beforeEach(() => {
    reset();
    lines = [];
  });

  afterEach(async () => {
    await mappings?.stop();
    mappings = undefined;
  });

  afterAll(async () => {
    client.destroy();
    await sqs.stop();
  });

  function start(concurrency = 1): EventSourceMappingsHandle {
    // One batch at a time per mapping by default: these tests follow which messages travel
    // together. With several batches at once, the messages of a failed batch can come back in
    // different batches (each message's visibility runs out on its own timer and concurrent
    // receives take whatever is visible), so a message that failed only because of its batch
    // partner may succeed alone on a retry, as with Lambda's concurrent pollers.
    mappings = startEventSourceMappings({ resolver, host, sqsEndpoint: sqs.endpoint, failedVisibilitySeconds: 1, defaultConcurrency: concurrency, log: (line) => lines.push(line) });
    return mappings;
  }

  async function send(logicalId: string, bodies: unknown[], extra: Partial<SendMessageBatchRequestEntry> = {}): Promise<string[]> {
    const result = await client.send(
      new SendMessageBatchCommand({
        QueueUrl: resolver.ref(logicalId),
        Entries: bodies.map((body, index) => ({ Id: String(index), MessageBody: JSON.stringify(body), ...extra })),
      }),
    );
    expect(result.Failed ?? []).toEqual([]);
    return bodies.map((_body, index) => result.Successful!.find((entry) => entry.Id === String(index))!.MessageId!);
  }

  async function drainQueue(logicalId: string): Promise<string[]> {
    const bodies: string[] = [];
    for (;;) {
      const { Messages = [] } = await client.send(new ReceiveMessageCommand({ QueueUrl: resolver.ref(logicalId), MaxNumberOfMessages: 10, WaitTimeSeconds: 0 }));
      if (!Messages.length) return bodies;
      bodies.push(...Messages.map((message) => message.Body!));
    }
  }

  function recordsFrom(queueLogicalId: string): SQSRecord[] {
    const arn = resolver.getAtt(queueLogicalId, 'Arn');
    return received.flatMap((event) => event.Records).filter((record) => record.eventSourceARN === arn);
  }

  function deliveries(records: SQSRecord[], messageId: string): string[] {
    return records.filter((record) => record.messageId === messageId).map((record) => record.attributes.ApproximateReceiveCount);
  }

  it('finds the enabled SQS mappings of the template', () => {
    expect(sqsEventSourceMappings(resolver, sqs.endpoint)).toEqual([
      {
        logicalId: 'ValidateReadsSqsEventSourceReadsQueue',
        functionName: 'ValidateReads',
        functionLogicalId: 'ValidateReads',
        queueName: 'ReadsQueue',
        queueUrl: resolver.ref('ReadsQueue'),
        queueArn: resolver.getAtt('ReadsQueue', 'Arn'),
        batchSize: 10,
        reportBatchItemFailures: true,
        queueVisibilitySeconds: 30,
        redrive: { maxReceiveCount: 3, deadLetterQueueName: 'ReadsDeadLetterQueue' },
      },
      {
        logicalId: 'PlainConsumerSqsEventSourcePlainQueue',
        functionName: 'arn:aws:lambda:us-east-1:000000000000:function:PlainConsumer',
        functionLogicalId: 'PlainConsumer',
        queueName: 'PlainQueue',
        queueUrl: resolver.ref('PlainQueue'),
        queueArn: resolver.getAtt('PlainQueue', 'Arn'),
        batchSize: 5,
        reportBatchItemFailures: false,
        queueVisibilitySeconds: 20,
        redrive: { maxReceiveCount: 2, deadLetterQueueName: 'PlainDeadLetterQueue' },
      },
    ]);
  });

  it('takes the concurrency of a mapping from ScalingConfig.MaximumConcurrency', () => {
    const scaled = structuredClone(template);
    const mapping = scaled.Resources['ValidateReadsSqsEventSourceReadsQueue']!;
    mapping.Properties = { ...mapping.Properties, ScalingConfig: { MaximumConcurrency: 7 } };
    const found = sqsEventSourceMappings(new LocalResolver(scaled, { sqsEndpoint: sqs.endpoint }), sqs.endpoint);
    expect(found.map((m) => [m.logicalId, m.concurrency])).toEqual([
      ['ValidateReadsSqsEventSourceReadsQueue', 7],
      ['PlainConsumerSqsEventSourcePlainQueue', undefined],
    ]);
  });

  it('retries only the reported failures of a batch, until the bad message reaches the dead-letter queue', async () => {
    const bodies = [{ meterId: 'M1' }, { meterId: 'M2' }, { meterId: 'M3', fail: true }, { meterId: 'M4' }, { meterId: 'M5' }];
    const ids = await send('ReadsQueue', bodies, { MessageAttributes: { source: { DataType: 'String', StringValue: 'head-end' } } });
    const badId = ids[2]!;

    await start().drain(20_000);

    const records = recordsFrom('ReadsQueue');
    // The five messages arrived together, as one batch.
    expect(received[0]!.Records.map((record) => record.messageId)).toEqual(ids);
    for (const id of ids.filter((id) => id !== badId)) expect(deliveries(records, id)).toEqual(['1']);
    expect(deliveries(records, badId)).toEqual(['1', '2', '3']);
    expect(await drainQueue('ReadsDeadLetterQueue')).toEqual([JSON.stringify(bodies[2])]);
    expect(lines).toEqual([
      'ValidateReads: 1 of 5 message(s) from ReadsQueue failed: 1 will be retried',
      'ValidateReads: 1 of 1 message(s) from ReadsQueue failed: 1 will be retried',
      'ValidateReads: 1 of 1 message(s) from ReadsQueue failed: 1 received 3 times goes to ReadsDeadLetterQueue',
    ]);

    // The records have Lambda's SQS event shape.
    const first = received[0]!.Records[0]!;
    expect(first).toEqual({
      messageId: ids[0],
      receiptHandle: expect.any(String),
      body: JSON.stringify(bodies[0]),
      attributes: {
        ApproximateReceiveCount: '1',
        SentTimestamp: expect.stringMatching(/^\d{13}$/),
        SenderId: expect.any(String),
        ApproximateFirstReceiveTimestamp: expect.stringMatching(/^\d{13}$/),
      },
      messageAttributes: { source: { stringValue: 'head-end', stringListValues: [], binaryListValues: [], dataType: 'String' } },
      md5OfBody: createHash('md5').update(JSON.stringify(bodies[0])).digest('hex'),
      md5OfMessageAttributes: expect.stringMatching(/^[0-9a-f]{32}$/),
      eventSource: 'aws:sqs',
      eventSourceARN: 'arn:aws:sqs:us-east-1:000000000000:ReadsQueue',
      awsRegion: 'us-east-1',
    });
  });

  it.each([
    ['an invalid partial batch response', { invalid: true }, 'invalid partial batch response'],
    ['a thrown error', { throw: true }, 'ValidateReads failed on 2 message(s) from ReadsQueue (2 will be retried): Error: the batch handler was told to throw'],
  ])('fails the whole batch on %s', async (_name, poison, logged) => {
    const bodies = [poison, { meterId: 'M9' }];
    const ids = await send('ReadsQueue', bodies);

    await start().drain(20_000);

    const records = recordsFrom('ReadsQueue');
    for (const id of ids) expect(deliveries(records, id)).toEqual(['1', '2', '3']);
    expect((await drainQueue('ReadsDeadLetterQueue')).sort()).toEqual(bodies.map((body) => JSON.stringify(body)).sort());
    expect(lines.some((line) => line.includes(logged))).toBe(true);
  });

  it('with several batches at once, loses no message: each is dead-lettered after failing 3 times or deleted after a batch that succeeded', async () => {
    const bodies = [{ invalid: true, n: 1 }, { meterId: 'M1' }, { meterId: 'M2' }, { invalid: true, n: 2 }, { meterId: 'M3' }];
    const ids = [...(await send('ReadsQueue', bodies.slice(0, 2))), ...(await send('ReadsQueue', bodies.slice(2)))];

    await start(4).drain(20_000);

    const events = received.filter((event) => event.Records[0]!.eventSourceARN === resolver.getAtt('ReadsQueue', 'Arn'));
    // A batch fails as a whole when it holds a message that makes the response invalid.
    const failedBatch = (event: (typeof events)[number]) => event.Records.some((record) => JSON.parse(record.body).invalid === true);
    const deadLettered = await drainQueue('ReadsDeadLetterQueue');
    ids.forEach((id, index) => {
      const body = JSON.stringify(bodies[index]);
      const batches = events.filter((event) => event.Records.some((record) => record.messageId === id));
      const succeeded = batches.filter((event) => !failedBatch(event));
      if (bodies[index]!.invalid) {
        expect(batches.map((event) => event.Records.find((record) => record.messageId === id)!.attributes.ApproximateReceiveCount)).toEqual(['1', '2', '3']);
        expect(deadLettered).toContain(body);
      } else if (succeeded.length) {
        // Deleted after the one batch that succeeded; never delivered again, never dead-lettered.
        expect(succeeded).toHaveLength(1);
        expect(batches.at(-1)).toBe(succeeded[0]);
        expect(deadLettered).not.toContain(body);
      } else {
        expect(batches).toHaveLength(3);
        expect(deadLettered).toContain(body);
      }
    });
    expect(deadLettered).toHaveLength(new Set(deadLettered).size);
  });

  it('without ReportBatchItemFailures, deletes a successful batch and retries a failed one whole', async () => {
    const good = await send('PlainQueue', [{ n: 1 }, { n: 2 }, { n: 3 }]);
    const handle = start();
    await handle.drain(10_000);
    const afterGood = recordsFrom('PlainQueue');
    for (const id of good) expect(deliveries(afterGood, id)).toEqual(['1']);

    const bad = await send('PlainQueue', [{ n: 4, fail: true }]);
    await handle.drain(10_000);
    // maxReceiveCount is 2 for PlainQueue.
    expect(deliveries(recordsFrom('PlainQueue'), bad[0]!)).toEqual(['1', '2']);
    expect(await drainQueue('PlainDeadLetterQueue')).toEqual([JSON.stringify({ n: 4, fail: true })]);
    expect(lines).toEqual([
      'PlainConsumer failed on 1 message(s) from PlainQueue (1 will be retried): Error: the plain handler failed the batch',
      'PlainConsumer failed on 1 message(s) from PlainQueue (1 received 2 times goes to PlainDeadLetterQueue): Error: the plain handler failed the batch',
    ]);
  });

  it('keeps the messages of an invocation that outlives the short visibility', async () => {
    const ids = await send('ReadsQueue', [{ meterId: 'SLOW', sleep: 2500 }]);
    const handle = start();
    // Past the 1 s visibility the batch was received with, the message is still invisible.
    await new Promise((resolve) => setTimeout(resolve, 1500));
    expect(received).toHaveLength(1);
    const { Messages = [] } = await client.send(new ReceiveMessageCommand({ QueueUrl: resolver.ref('ReadsQueue'), WaitTimeSeconds: 0 }));
    expect(Messages).toEqual([]);
    await handle.drain(20_000);
    expect(deliveries(recordsFrom('ReadsQueue'), ids[0]!)).toEqual(['1']);
    expect(await drainQueue('ReadsDeadLetterQueue')).toEqual([]);
  });

  it('stops promptly while idle', async () => {
    const handle = start();
    await new Promise((resolve) => setTimeout(resolve, 300));
    const started = Date.now();
    await handle.stop();
    await handle.stop();
    expect(Date.now() - started).toBeLessThan(1000);
  });
});
