import { SendMessageBatchCommand, SendMessageCommand, type SQSClient } from '@aws-sdk/client-sqs';
import { createSqsSendBatcher, MAX_BATCH_BYTES, SqsSendFailed } from '../../shared/local/sqs-send-batcher';

type Sent = { kind: 'batch'; queueUrl: string; bodies: string[] } | { kind: 'single'; queueUrl: string; body: string };

/** A fake SQS client: records every request; `batch` and `single` decide each one's outcome. */
function fakeSqs(behaviour: {
  batch?: (bodies: string[]) => { failed?: Array<{ index: number; senderFault: boolean; code?: string }>; throws?: Error; omit?: number[] };
  single?: (body: string) => Error | undefined;
} = {}) {
  const sent: Sent[] = [];
  const client = {
    send: async (command: unknown) => {
      await Promise.resolve();
      if (command instanceof SendMessageBatchCommand) {
        const entries = command.input.Entries ?? [];
        const bodies = entries.map((entry) => entry.MessageBody!);
        sent.push({ kind: 'batch', queueUrl: command.input.QueueUrl!, bodies });
        const outcome = behaviour.batch?.(bodies) ?? {};
        if (outcome.throws) throw outcome.throws;
        const failed = outcome.failed ?? [];
        const failedIds = new Set(failed.map((failure) => String(failure.index)));
        const omitted = new Set((outcome.omit ?? []).map(String));
        return {
          Successful: entries.filter((entry) => !failedIds.has(entry.Id!) && !omitted.has(entry.Id!)).map((entry) => ({ Id: entry.Id, MessageId: `m-${entry.Id}`, MD5OfMessageBody: '' })),
          Failed: failed.map((failure) => ({ Id: String(failure.index), SenderFault: failure.senderFault, Code: failure.code ?? 'InternalError', Message: 'refused' })),
        };
      }
      if (command instanceof SendMessageCommand) {
        sent.push({ kind: 'single', queueUrl: command.input.QueueUrl!, body: command.input.MessageBody! });
        const error = behaviour.single?.(command.input.MessageBody!);
        if (error) throw error;
        return { MessageId: 'single' };
      }
      throw new Error('unexpected command');
    },
  } as unknown as Pick<SQSClient, 'send'>;
  return { client, sent };
}

const outcomes = (promises: Array<Promise<void>>) => Promise.allSettled(promises).then((results) => results.map((result) => result.status));

describe('createSqsSendBatcher', () => {
  it('sends the messages of one event-loop turn as batches of at most 10, per queue', async () => {
    const { client, sent } = fakeSqs();
    const batcher = createSqsSendBatcher(client);
    const sends = [
      ...Array.from({ length: 23 }, (_, index) => batcher.send('q/A', `a${index}`)),
      ...Array.from({ length: 2 }, (_, index) => batcher.send('q/B', `b${index}`)),
    ];
    expect(await outcomes(sends)).toEqual(Array(25).fill('fulfilled'));
    expect(sent).toEqual([
      { kind: 'batch', queueUrl: 'q/A', bodies: Array.from({ length: 10 }, (_, index) => `a${index}`) },
      { kind: 'batch', queueUrl: 'q/A', bodies: Array.from({ length: 10 }, (_, index) => `a${index + 10}`) },
      { kind: 'batch', queueUrl: 'q/A', bodies: ['a20', 'a21', 'a22'] },
      { kind: 'batch', queueUrl: 'q/B', bodies: ['b0', 'b1'] },
    ]);
    expect(batcher.requests).toBe(4);
  });

  it('sends a lone message with SendMessage', async () => {
    const { client, sent } = fakeSqs();
    const batcher = createSqsSendBatcher(client);
    await batcher.send('q/A', 'only');
    expect(sent).toEqual([{ kind: 'single', queueUrl: 'q/A', body: 'only' }]);
  });

  it('rejects only the entry SQS refused as the sender fault, with its code', async () => {
    const { client, sent } = fakeSqs({ batch: () => ({ failed: [{ index: 1, senderFault: true, code: 'InvalidMessageContents' }] }) });
    const batcher = createSqsSendBatcher(client);
    const sends = ['m0', 'm1', 'm2'].map((body) => batcher.send('q/A', body));
    expect(await outcomes(sends)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
    await expect(sends[1]).rejects.toEqual(new SqsSendFailed('InvalidMessageContents: refused', 'InvalidMessageContents'));
    expect(sent).toHaveLength(1);
  });

  it('sends a server-side failure or an entry missing from the response again on its own', async () => {
    const { client, sent } = fakeSqs({ batch: () => ({ failed: [{ index: 0, senderFault: false }], omit: [2] }) });
    const batcher = createSqsSendBatcher(client);
    expect(await outcomes(['m0', 'm1', 'm2'].map((body) => batcher.send('q/A', body)))).toEqual(['fulfilled', 'fulfilled', 'fulfilled']);
    expect(sent.slice(1)).toEqual([
      { kind: 'single', queueUrl: 'q/A', body: 'm0' },
      { kind: 'single', queueUrl: 'q/A', body: 'm2' },
    ]);
  });

  it('sends every message alone when the batch request fails, so that only a bad one fails', async () => {
    const { client, sent } = fakeSqs({
      batch: () => ({ throws: new Error('socket hang up') }),
      single: (body) => (body === 'bad' ? Object.assign(new Error('too long'), { name: 'InvalidParameterValue' }) : undefined),
    });
    const batcher = createSqsSendBatcher(client);
    const sends = ['m0', 'bad', 'm2'].map((body) => batcher.send('q/A', body));
    expect(await outcomes(sends)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
    await expect(sends[1]).rejects.toMatchObject({ name: 'InvalidParameterValue' });
    expect(sent.map((request) => request.kind)).toEqual(['batch', 'single', 'single', 'single']);
  });

  it('starts a new batch before the bodies would pass the request size limit', async () => {
    const { client, sent } = fakeSqs();
    const batcher = createSqsSendBatcher(client);
    const big = 'x'.repeat(Math.floor(MAX_BATCH_BYTES / 2) - 10);
    await Promise.all([batcher.send('q/A', big), batcher.send('q/A', big), batcher.send('q/A', big), batcher.send('q/A', 'small')]);
    expect(sent.map((request) => (request.kind === 'batch' ? request.bodies.length : 1))).toEqual([2, 2]);
  });

  it('with a window, gathers messages of several event-loop turns, and flush() sends at once', async () => {
    const { client, sent } = fakeSqs();
    const batcher = createSqsSendBatcher(client, { windowMs: 60_000 });
    const first = batcher.send('q/A', 'm0');
    await new Promise((resolve) => setImmediate(resolve));
    const second = batcher.send('q/A', 'm1');
    await new Promise((resolve) => setImmediate(resolve));
    expect(sent).toEqual([]);
    await batcher.flush();
    await Promise.all([first, second]);
    expect(sent).toEqual([{ kind: 'batch', queueUrl: 'q/A', bodies: ['m0', 'm1'] }]);
  });
});
