/**
 * Batched SendMessage for the local platform's own senders (the IoT rule emulator): each send()
 * still stands for one SQS message with its own outcome, but the messages sent to a queue within
 * one turn of the event loop (or up to `windowMs`) go out as SendMessageBatch requests of up to
 * 10 entries, which costs one HTTP round trip and one signature instead of ten.
 *
 * No message is lost to batching: an entry SQS reports failed with SenderFault=false (a server
 * side error) is sent again on its own once; a whole batch request that fails (a connection
 * error, a request that is too long) is sent again message by message, so that one bad message
 * fails alone. send() rejects only for a message whose own send failed; the caller decides what
 * a failed message means (the IoT rule emulator runs the rule's error action, as AWS IoT does).
 */
import { SendMessageBatchCommand, SendMessageCommand, type BatchResultErrorEntry, type SQSClient } from '@aws-sdk/client-sqs';

/** SendMessageBatch takes at most 10 entries and 1 MiB of message bodies per request. */
export const MAX_BATCH_ENTRIES = 10;
export const MAX_BATCH_BYTES = 1_048_576;

export class SqsSendFailed extends Error {
  override name = 'SqsSendFailed';
  constructor(
    message: string,
    readonly code: string | undefined,
  ) {
    super(message);
  }
}

interface Pending {
  body: string;
  bytes: number;
  resolve: () => void;
  reject: (error: unknown) => void;
}

interface QueueBuffer {
  entries: Pending[];
  bytes: number;
  cancelTimer: () => void;
}

export interface SqsSendBatcherOptions {
  /** How long a partial batch waits for more messages; 0 (default) = until the next event-loop turn. */
  windowMs?: number;
}

export interface SqsSendBatcher {
  /** Resolves when SQS has the message; rejects with the reason when it could not be sent. */
  send(queueUrl: string, body: string): Promise<void>;
  /** Sends every buffered message now and waits for their outcomes. */
  flush(): Promise<void>;
  /** How many SendMessage(Batch) requests were made (for benchmarks and tests). */
  readonly requests: number;
}

function describe(error: unknown): string {
  return error instanceof Error ? `${error.name}: ${error.message}` : String(error);
}

export function createSqsSendBatcher(sqs: Pick<SQSClient, 'send'>, options: SqsSendBatcherOptions = {}): SqsSendBatcher {
  const windowMs = Math.max(0, options.windowMs ?? 0);
  const buffers = new Map<string, QueueBuffer>();
  const inFlight = new Set<Promise<void>>();
  let requests = 0;

  async function sendOne(queueUrl: string, entry: Pending): Promise<void> {
    requests += 1;
    try {
      await sqs.send(new SendMessageCommand({ QueueUrl: queueUrl, MessageBody: entry.body }));
      entry.resolve();
    } catch (error) {
      entry.reject(error);
    }
  }

  async function sendBatch(queueUrl: string, entries: Pending[]): Promise<void> {
    if (entries.length === 1) return sendOne(queueUrl, entries[0]!);
    requests += 1;
    let failed: BatchResultErrorEntry[];
    let succeeded: Set<string>;
    try {
      const result = await sqs.send(new SendMessageBatchCommand({ QueueUrl: queueUrl, Entries: entries.map((entry, index) => ({ Id: String(index), MessageBody: entry.body })) }));
      failed = result.Failed ?? [];
      succeeded = new Set((result.Successful ?? []).map((entry) => entry.Id!));
    } catch {
      // The request as a whole failed: each message gets its own outcome from its own send.
      await Promise.all(entries.map((entry) => sendOne(queueUrl, entry)));
      return;
    }
    const failedById = new Map(failed.map((entry) => [entry.Id!, entry]));
    const retries: Promise<void>[] = [];
    entries.forEach((entry, index) => {
      const id = String(index);
      const failure = failedById.get(id);
      if (failure && failure.SenderFault) {
        entry.reject(new SqsSendFailed(`${failure.Code ?? 'SenderFault'}: ${failure.Message ?? 'the message was refused'}`, failure.Code));
      } else if (failure || !succeeded.has(id)) {
        // A server-side failure, or an entry the response does not mention: send it once more alone.
        retries.push(sendOne(queueUrl, entry));
      } else {
        entry.resolve();
      }
    });
    await Promise.all(retries);
  }

  function dispatch(queueUrl: string): void {
    const buffer = buffers.get(queueUrl);
    if (!buffer || !buffer.entries.length) return;
    buffers.delete(queueUrl);
    buffer.cancelTimer();
    const task = sendBatch(queueUrl, buffer.entries).catch((error: unknown) => {
      for (const entry of buffer.entries) entry.reject(new SqsSendFailed(describe(error), undefined));
    });
    inFlight.add(task);
    void task.finally(() => inFlight.delete(task));
  }

  return {
    send(queueUrl, body) {
      return new Promise<void>((resolve, reject) => {
        const bytes = Buffer.byteLength(body, 'utf8');
        let buffer = buffers.get(queueUrl);
        if (buffer && buffer.bytes + bytes > MAX_BATCH_BYTES) {
          dispatch(queueUrl);
          buffer = undefined;
        }
        if (!buffer) {
          let cancelTimer: () => void;
          if (windowMs > 0) {
            const timer = setTimeout(() => dispatch(queueUrl), windowMs);
            cancelTimer = () => clearTimeout(timer);
          } else {
            const immediate = setImmediate(() => dispatch(queueUrl));
            cancelTimer = () => clearImmediate(immediate);
          }
          buffer = { entries: [], bytes: 0, cancelTimer };
          buffers.set(queueUrl, buffer);
        }
        buffer.entries.push({ body, bytes, resolve, reject });
        buffer.bytes += bytes;
        if (buffer.entries.length >= MAX_BATCH_ENTRIES) dispatch(queueUrl);
      });
    },
    async flush() {
      for (const queueUrl of [...buffers.keys()]) dispatch(queueUrl);
      while (inFlight.size) await Promise.allSettled([...inFlight]);
    },
    get requests() {
      return requests;
    },
  };
}
