/**
 * The reads dead-letter queue as the ValidateReads handler writes to it: each rejected message
 * keeps its body as it came (so that a redrive to the reads queue replays it) and carries why
 * in message attributes: reason, error, sourceMessageId, receiveCount.
 */
import { SendMessageBatchCommand, type SQSClient } from '@aws-sdk/client-sqs';
import type { DeadLetterQueue, RejectedMessage } from '../app/read-ports';

/** Message attribute values are limited in size; the error text is cut to this many characters. */
export const MAX_ERROR_CHARS = 1000;

export class SqsDeadLetterQueue implements DeadLetterQueue {
  constructor(
    private readonly sqs: Pick<SQSClient, 'send'>,
    private readonly queueUrl: string,
  ) {}

  async send(messages: readonly RejectedMessage[]): Promise<Set<string>> {
    const unsent = new Set<string>();
    for (let offset = 0; offset < messages.length; offset += 10) {
      const chunk = messages.slice(offset, offset + 10);
      try {
        const result = await this.sqs.send(
          new SendMessageBatchCommand({
            QueueUrl: this.queueUrl,
            Entries: chunk.map((message, index) => ({
              Id: String(index),
              MessageBody: message.body,
              MessageAttributes: {
                reason: { DataType: 'String', StringValue: message.reason },
                error: { DataType: 'String', StringValue: message.error.slice(0, MAX_ERROR_CHARS) || message.reason },
                sourceMessageId: { DataType: 'String', StringValue: message.messageId },
                ...(message.receiveCount ? { receiveCount: { DataType: 'Number', StringValue: String(message.receiveCount) } } : {}),
              },
            })),
          }),
        );
        const sent = new Set((result.Successful ?? []).map((entry) => entry.Id));
        chunk.forEach((message, index) => {
          if (!sent.has(String(index))) unsent.add(message.messageId);
        });
      } catch {
        for (const message of chunk) unsent.add(message.messageId);
      }
    }
    return unsent;
  }
}
