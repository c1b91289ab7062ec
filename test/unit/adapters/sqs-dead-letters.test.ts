import { SendMessageBatchCommand, SQSClient } from '@aws-sdk/client-sqs';
import { mockClient } from 'aws-sdk-client-mock';
import { MAX_ERROR_CHARS, SqsDeadLetterQueue } from '../../../shared/adapters/sqs-dead-letters';

const sqs = mockClient(SQSClient);
const QUEUE = 'https://sqs.us-east-1.amazonaws.com/123456789012/ReadsDeadLetterQueue';
const rejected = (n: number) => ({ messageId: `m${n}`, body: `body ${n}`, reason: 'malformed-json', error: 'the message body is not valid JSON', receiveCount: 1 });

describe('SqsDeadLetterQueue', () => {
  beforeEach(() => sqs.reset());

  it('sends each message as it came, with reason, error, source message id and receive count as attributes, 10 per request', async () => {
    sqs.on(SendMessageBatchCommand).callsFake(async (input: { Entries: Array<{ Id: string }> }) => ({ Successful: input.Entries.map((entry) => ({ Id: entry.Id, MessageId: 'x', MD5OfMessageBody: '' })), Failed: [] }));
    const unsent = await new SqsDeadLetterQueue(new SQSClient({}), QUEUE).send(Array.from({ length: 12 }, (_, n) => rejected(n)));
    expect(unsent).toEqual(new Set());
    const calls = sqs.commandCalls(SendMessageBatchCommand);
    expect(calls.map((call) => call.args[0].input.Entries!.length)).toEqual([10, 2]);
    expect(calls[0]!.args[0].input.QueueUrl).toBe(QUEUE);
    expect(calls[0]!.args[0].input.Entries![0]).toEqual({
      Id: '0',
      MessageBody: 'body 0',
      MessageAttributes: {
        reason: { DataType: 'String', StringValue: 'malformed-json' },
        error: { DataType: 'String', StringValue: 'the message body is not valid JSON' },
        sourceMessageId: { DataType: 'String', StringValue: 'm0' },
        receiveCount: { DataType: 'Number', StringValue: '1' },
      },
    });
  });

  it('cuts a long error text', async () => {
    sqs.on(SendMessageBatchCommand).resolves({ Successful: [{ Id: '0', MessageId: 'x', MD5OfMessageBody: '' }], Failed: [] });
    await new SqsDeadLetterQueue(new SQSClient({}), QUEUE).send([{ ...rejected(0), error: 'x'.repeat(5000) }]);
    expect(sqs.commandCalls(SendMessageBatchCommand)[0]!.args[0].input.Entries![0]!.MessageAttributes!['error']!.StringValue).toHaveLength(MAX_ERROR_CHARS);
  });

  it('answers the ids it could not send: failed entries, and every entry of a request that failed', async () => {
    sqs.on(SendMessageBatchCommand).resolvesOnce({ Successful: [{ Id: '0', MessageId: 'x', MD5OfMessageBody: '' }], Failed: [{ Id: '1', SenderFault: false, Code: 'InternalError' }] }).rejectsOnce(new Error('network down'));
    const unsent = await new SqsDeadLetterQueue(new SQSClient({}), QUEUE).send(Array.from({ length: 12 }, (_, n) => rejected(n)).map((message, n) => (n >= 2 && n < 10 ? { ...message, messageId: `ok${n}` } : message)));
    // m0 sent, m1 failed, ok2..ok9 missing from the first response (not sent), m10 and m11 in the failed request
    expect([...unsent].sort()).toEqual(['m1', 'm10', 'm11', 'ok2', 'ok3', 'ok4', 'ok5', 'ok6', 'ok7', 'ok8', 'ok9']);
  });
});
