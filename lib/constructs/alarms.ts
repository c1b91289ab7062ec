/**
 * Operator alarms: meter reads parked in the dead-letter queue, failed billing runs, and billing
 * runs that finish with accounts that could not be billed (the AccountsFailed metric FinalizeRun
 * logs in embedded metric format), sent to an encrypted SNS topic (with an e-mail subscription
 * when an address is configured).
 */
import { Duration, RemovalPolicy } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as actions from 'aws-cdk-lib/aws-cloudwatch-actions';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as subscriptions from 'aws-cdk-lib/aws-sns-subscriptions';
import type * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import type * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { BILLING_METRICS_NAMESPACE } from '../../shared/adapters/metrics';

export interface OperationalAlarmsProps {
  readonly deadLetterQueue: sqs.IQueue;
  readonly billingStateMachine: sfn.IStateMachine;
  /** E-mail address subscribed to the alarm topic (needs confirming once). */
  readonly alarmEmail?: string;
}

export class OperationalAlarms extends Construct {
  readonly topic: sns.Topic;
  readonly deadLetterAlarm: cloudwatch.Alarm;
  readonly billingRunFailedAlarm: cloudwatch.Alarm;
  readonly failedAccountsAlarm: cloudwatch.Alarm;

  constructor(scope: Construct, id: string, props: OperationalAlarmsProps) {
    super(scope, id);

    // A customer-managed key: CloudWatch cannot publish to a topic encrypted with aws/sns.
    const key = new kms.Key(this, 'TopicKey', {
      description: 'Encrypts the CIS operator alarm topic',
      enableKeyRotation: true,
      removalPolicy: RemovalPolicy.DESTROY,
      pendingWindow: Duration.days(30),
    });
    key.addToResourcePolicy(
      new iam.PolicyStatement({
        principals: [new iam.ServicePrincipal('cloudwatch.amazonaws.com')],
        actions: ['kms:Decrypt', 'kms:GenerateDataKey*'],
        resources: ['*'],
      }),
    );
    this.topic = new sns.Topic(this, 'Topic', { displayName: 'CIS alarms', masterKey: key, enforceSSL: true });
    if (props.alarmEmail) {
      this.topic.addSubscription(new subscriptions.EmailSubscription(props.alarmEmail));
    }
    const notify = new actions.SnsAction(this.topic);

    this.deadLetterAlarm = new cloudwatch.Alarm(this, 'ReadsDeadLetterAlarm', {
      alarmDescription: 'Meter read messages reached the dead-letter queue after 3 failed deliveries: inspect and redrive them.',
      metric: props.deadLetterQueue.metricApproximateNumberOfMessagesVisible({ period: Duration.minutes(1), statistic: cloudwatch.Stats.MAXIMUM }),
      threshold: 1,
      evaluationPeriods: 1,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
    });
    this.billingRunFailedAlarm = new cloudwatch.Alarm(this, 'BillingRunFailedAlarm', {
      alarmDescription: 'A billing run execution failed: see the run record and the execution history.',
      metric: props.billingStateMachine.metricFailed({ period: Duration.minutes(5), statistic: cloudwatch.Stats.SUM }),
      threshold: 1,
      evaluationPeriods: 1,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
    });
    this.failedAccountsAlarm = new cloudwatch.Alarm(this, 'BillingAccountsFailedAlarm', {
      alarmDescription: 'A billing run finished with accounts it could not bill: see the run errors (GET /staff/billing-runs/{runId}), fix the records and run the cycle again.',
      metric: new cloudwatch.Metric({ namespace: BILLING_METRICS_NAMESPACE, metricName: 'AccountsFailed', period: Duration.minutes(5), statistic: cloudwatch.Stats.SUM }),
      threshold: 1,
      evaluationPeriods: 1,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
    });
    for (const alarm of [this.deadLetterAlarm, this.billingRunFailedAlarm, this.failedAccountsAlarm]) {
      alarm.addAlarmAction(notify);
    }
  }
}
