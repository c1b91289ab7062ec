/**
 * The bill delivery queue: BillSegment, a release from the bill exception queue and a rebill put
 * one `bill.ready` message per posted bill on it, with the channel the customer chose (PAPER,
 * EMAIL, PORTAL); the print vendor's, e-mail and portal-notification consumers read it. Messages a
 * consumer fails 5 times go to BillDeliveryDeadLetterQueue.
 */
import { Duration } from 'aws-cdk-lib';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';

export const BILL_DELIVERY_MAX_RECEIVE_COUNT = 5;

export class BillDelivery extends Construct {
  readonly queue: sqs.Queue;
  readonly deadLetterQueue: sqs.Queue;

  constructor(scope: Construct, id: string) {
    super(scope, id);
    this.deadLetterQueue = new sqs.Queue(this, 'BillDeliveryDeadLetterQueue', {
      encryption: sqs.QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      retentionPeriod: Duration.days(14),
    });
    (this.deadLetterQueue.node.defaultChild as sqs.CfnQueue).overrideLogicalId('BillDeliveryDeadLetterQueue');
    this.queue = new sqs.Queue(this, 'BillDeliveryQueue', {
      encryption: sqs.QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      retentionPeriod: Duration.days(14),
      deadLetterQueue: { queue: this.deadLetterQueue, maxReceiveCount: BILL_DELIVERY_MAX_RECEIVE_COUNT },
    });
    (this.queue.node.defaultChild as sqs.CfnQueue).overrideLogicalId('BillDeliveryQueue');
  }
}
