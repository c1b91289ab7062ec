import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { GetQueueAttributesCommand, ReceiveMessageCommand, SendMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { PlatformError } from '../../shared/local/errors';
import { listen, localClientConfig } from '../../shared/local/ports';
import { createQueues, localQueueUrl, queueDefinitions, queueNameOf, startSqs, type SqsHandle } from '../../shared/local/sqs-local';
import { LocalResolver, type CfnTemplate } from '../../shared/local/template';

const template = JSON.parse(fs.readFileSync(path.join(__dirname, '../fixtures/templates/local-parts.template.json'), 'utf8')) as CfnTemplate;

describe('queueDefinitions', () => {
  it('puts every dead-letter queue before the queues that redrive to it', () => {
    const order = queueDefinitions(new LocalResolver(template)).map((definition) => definition.logicalId);
    expect(order.indexOf('ReadsDeadLetterQueue')).toBeLessThan(order.indexOf('ReadsQueue'));
    // PlainQueue comes before its dead-letter queue in the template.
    expect(order.indexOf('PlainDeadLetterQueue')).toBeLessThan(order.indexOf('PlainQueue'));
    expect(order).toHaveLength(7);
  });

  it('rejects a redrive cycle', () => {
    const cyclic: CfnTemplate = {
      Resources: {
        A: { Type: 'AWS::SQS::Queue', Properties: { RedrivePolicy: { deadLetterTargetArn: { 'Fn::GetAtt': ['B', 'Arn'] }, maxReceiveCount: 1 } } },
        B: { Type: 'AWS::SQS::Queue', Properties: { RedrivePolicy: { deadLetterTargetArn: { 'Fn::GetAtt': ['A', 'Arn'] }, maxReceiveCount: 1 } } },
      },
    };
    expect(() => queueDefinitions(new LocalResolver(cyclic))).toThrow(new PlatformError("the template's queues redrive in a cycle: A -> B -> A"));
  });

  it.each([
    ['arn:aws:sqs:us-east-1:000000000000:ReadsQueue', 'ReadsQueue'],
    ['https://sqs.us-east-1.amazonaws.com/123456789012/Events.fifo', 'Events.fifo'],
    ['http://127.0.0.1:9324/000000000000/ReadsQueue/', 'ReadsQueue'],
    ['ReadsQueue', 'ReadsQueue'],
  ])('finds the queue name in %s', (arnOrUrl, name) => {
    expect(queueNameOf(arnOrUrl)).toBe(name);
    expect(localQueueUrl('http://127.0.0.1:1234/', arnOrUrl)).toBe(`http://127.0.0.1:1234/000000000000/${name}`);
  });
});

describe('local SQS', () => {
  let sqs: SqsHandle;
  let client: SQSClient;
  let resolver: LocalResolver;

  beforeAll(async () => {
    sqs = await startSqs();
    client = new SQSClient(localClientConfig(sqs.endpoint));
    resolver = new LocalResolver(template, { sqsEndpoint: sqs.endpoint });
  });

  afterAll(async () => {
    client.destroy();
    await sqs.stop();
    await sqs.stop();
  });

  async function attributes(logicalId: string): Promise<Record<string, string>> {
    const result = await client.send(new GetQueueAttributesCommand({ QueueUrl: resolver.ref(logicalId), AttributeNames: ['All'] }));
    return result.Attributes ?? {};
  }

  it('creates the template queues at the URLs the resolver gives, with their attributes', async () => {
    const urls = await createQueues(sqs.endpoint, resolver);
    expect(Object.fromEntries(urls)).toEqual({
      ReadsDeadLetterQueue: resolver.ref('ReadsDeadLetterQueue'),
      ReadsQueue: resolver.ref('ReadsQueue'),
      PlainDeadLetterQueue: resolver.ref('PlainDeadLetterQueue'),
      PlainQueue: resolver.ref('PlainQueue'),
      EventsQueue: resolver.ref('EventsQueue'),
      MeterEventsQueue: resolver.ref('MeterEventsQueue'),
      RuleErrorsQueue: resolver.ref('RuleErrorsQueue'),
    });
    expect(resolver.ref('EventsQueue')).toBe(`${sqs.endpoint}/000000000000/EventsQueue.fifo`);

    expect(await attributes('ReadsQueue')).toMatchObject({
      QueueArn: resolver.getAtt('ReadsQueue', 'Arn'),
      VisibilityTimeout: '30',
      MessageRetentionPeriod: '345600',
      ReceiveMessageWaitTimeSeconds: '0',
    });
    expect(JSON.parse((await attributes('ReadsQueue'))['RedrivePolicy']!)).toEqual({
      deadLetterTargetArn: 'arn:aws:sqs:us-east-1:000000000000:ReadsDeadLetterQueue',
      maxReceiveCount: 3,
    });
    expect(await attributes('ReadsDeadLetterQueue')).toMatchObject({ MessageRetentionPeriod: '1209600' });
    expect(await attributes('EventsQueue')).toMatchObject({
      QueueArn: 'arn:aws:sqs:us-east-1:000000000000:EventsQueue.fifo',
      FifoQueue: 'true',
      ContentBasedDeduplication: 'true',
      DelaySeconds: '1',
      ReceiveMessageWaitTimeSeconds: '2',
      VisibilityTimeout: '45',
    });
  });

  it('moves a message received maxReceiveCount times without a delete to the dead-letter queue', async () => {
    const queueUrl = resolver.ref('ReadsQueue');
    const { MessageId } = await client.send(new SendMessageCommand({ QueueUrl: queueUrl, MessageBody: '{"meterId":"M1","readings":"bad"}' }));
    const counts: string[] = [];
    for (let attempt = 1; attempt <= 3; attempt += 1) {
      const { Messages = [] } = await client.send(
        new ReceiveMessageCommand({ QueueUrl: queueUrl, VisibilityTimeout: 1, WaitTimeSeconds: 3, MaxNumberOfMessages: 1, AttributeNames: ['All'] }),
      );
      expect(Messages.map((message) => message.MessageId)).toEqual([MessageId]);
      counts.push(Messages[0]!.Attributes?.ApproximateReceiveCount ?? '?');
    }
    expect(counts).toEqual(['1', '2', '3']);

    const { Messages: dead = [] } = await client.send(
      new ReceiveMessageCommand({ QueueUrl: resolver.ref('ReadsDeadLetterQueue'), WaitTimeSeconds: 3, MaxNumberOfMessages: 1, AttributeNames: ['All'] }),
    );
    expect(dead.map((message) => [message.MessageId, message.Body])).toEqual([[MessageId, '{"meterId":"M1","readings":"bad"}']]);
    expect(dead[0]!.Attributes).toMatchObject({ DeadLetterQueueSourceArn: resolver.getAtt('ReadsQueue', 'Arn') });
    expect(await attributes('ReadsQueue')).toMatchObject({ ApproximateNumberOfMessages: '0', ApproximateNumberOfMessagesNotVisible: '0' });
  });

  it('reports a port in use in one line', async () => {
    const blocker = net.createServer();
    const port = await listen(blocker, 0, '127.0.0.1', '--port');
    try {
      await expect(startSqs({ port })).rejects.toThrow(new PlatformError(`port ${port} is in use: stop what uses it or choose another with --sqs-port`));
    } finally {
      await new Promise((resolve) => blocker.close(resolve));
    }
  });
});
