/** The bill delivery queue: one SQS message per bill (with the customer's "bill ready" notification channels), sent ten to a batch, with the channel as a message attribute. */
import { SendMessageBatchCommand, type SQSClient } from '@aws-sdk/client-sqs';
import type { BillDeliveryQueue } from '../app/bill-delivery';
import { TransientStoreError } from '../app/errors';
import type { BillDeliveryEvent } from '../domain/bill-delivery';

export class SqsBillDeliveryQueue implements BillDeliveryQueue {
  constructor(
    private readonly sqs: Pick<SQSClient, 'send'>,
    private readonly queueUrl: string,
  ) {}

  async send(events: readonly BillDeliveryEvent[]): Promise<void> {
    for (let offset = 0; offset < events.length; offset += 10) {
      const chunk = events.slice(offset, offset + 10);
      let failed: string[];
      try {
        const result = await this.sqs.send(
          new SendMessageBatchCommand({
            QueueUrl: this.queueUrl,
            Entries: chunk.map((event, index) => ({
              Id: String(index),
              MessageBody: JSON.stringify(event),
              MessageAttributes: { channel: { DataType: 'String', StringValue: event.channel }, billId: { DataType: 'String', StringValue: event.billId } },
            })),
          }),
        );
        failed = (result.Failed ?? []).map((entry) => `${chunk[Number(entry.Id)]?.billId ?? entry.Id}: ${entry.Code ?? 'error'}`);
      } catch (error) {
        throw new TransientStoreError(`bill delivery events not sent: ${error instanceof Error ? error.message : String(error)}`, { cause: error });
      }
      if (failed.length > 0) throw new TransientStoreError(`bill delivery events not sent: ${failed.join(', ')}`);
    }
  }
}
