/**
 * Meter reads: AMI head-end --MQTT--> IoT Core rule --> ReadsQueue (+ ReadsDeadLetterQueue)
 * --> ValidateReads (VEE) --> DynamoDB.
 */
import { Duration } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as iot from 'aws-cdk-lib/aws-iot';
import { SqsEventSource } from 'aws-cdk-lib/aws-lambda-event-sources';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { CisFunction, type SharedFunctionSettings } from './cis-function';
import type { DataTable } from './data-table';

/** The MQTT topic filter the head-end publishes to (one topic per meter). */
export const READS_TOPIC_FILTER = 'cis/meters/+/reads';
/**
 * The payload in base64 and the topic, whatever the payload is: `SELECT *` with added fields
 * would need a JSON object payload (AWS IoT does not deliver anything else), and a malformed
 * message must still reach the queue to be dead-lettered with its reason. ValidateReads checks
 * the topic's meter id against the message's.
 */
export const READS_RULE_SQL = `SELECT encode(*, 'base64') AS payload, topic() AS topic FROM '${READS_TOPIC_FILTER}'`;
export const IOT_SQL_VERSION = '2016-03-23';
export const READS_MAX_RECEIVE_COUNT = 3;
export const VALIDATE_READS_TIMEOUT = Duration.seconds(30);

export interface MeterIngestProps {
  readonly shared: SharedFunctionSettings;
  readonly table: DataTable;
  /** Environment of the meter-data functions besides the shared one (VEE_OVERRIDES). */
  readonly readsEnvironment?: Record<string, string>;
}

export class MeterIngest extends Construct {
  readonly readsQueue: sqs.Queue;
  readonly deadLetterQueue: sqs.Queue;
  readonly validateReads: CisFunction;
  readonly topicRule: iot.CfnTopicRule;

  constructor(scope: Construct, id: string, props: MeterIngestProps) {
    super(scope, id);

    this.deadLetterQueue = new sqs.Queue(this, 'ReadsDeadLetterQueue', {
      encryption: sqs.QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      retentionPeriod: Duration.days(14),
    });
    (this.deadLetterQueue.node.defaultChild as sqs.CfnQueue).overrideLogicalId('ReadsDeadLetterQueue');

    this.readsQueue = new sqs.Queue(this, 'ReadsQueue', {
      encryption: sqs.QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      // AWS guidance for Lambda event sources: at least six times the function timeout.
      visibilityTimeout: Duration.seconds(VALIDATE_READS_TIMEOUT.toSeconds() * 6),
      retentionPeriod: Duration.days(4),
      deadLetterQueue: { queue: this.deadLetterQueue, maxReceiveCount: READS_MAX_RECEIVE_COUNT },
    });
    (this.readsQueue.node.defaultChild as sqs.CfnQueue).overrideLogicalId('ReadsQueue');

    this.validateReads = new CisFunction(this, 'ValidateReads', {
      shared: props.shared,
      entry: 'functions/ingest/validate-reads.ts',
      description: 'Validates, estimates and edits (VEE) meter reads from the reads queue and stores them',
      timeout: VALIDATE_READS_TIMEOUT,
      memorySize: 1024,
      environment: { ...props.readsEnvironment, READS_DEAD_LETTER_QUEUE_URL: this.deadLetterQueue.queueUrl },
    });
    props.table.grantReadWriteData(this.validateReads.function);
    // Messages it rejects for good go to the dead-letter queue at once, with their reason.
    this.deadLetterQueue.grantSendMessages(this.validateReads.function);
    this.validateReads.function.addEventSource(
      new SqsEventSource(this.readsQueue, { batchSize: 10, reportBatchItemFailures: true }),
    );

    const ruleErrorLogGroup = new logs.LogGroup(this, 'RuleErrorLogGroup', { retention: logs.RetentionDays.THREE_MONTHS });
    const ruleRole = new iam.Role(this, 'ReadsRuleRole', {
      assumedBy: new iam.ServicePrincipal('iot.amazonaws.com'),
      description: 'Lets the IoT rule send meter reads to the reads queue and log delivery errors',
    });
    this.readsQueue.grantSendMessages(ruleRole);
    ruleErrorLogGroup.grantWrite(ruleRole);

    this.topicRule = new iot.CfnTopicRule(this, 'ReadsRule', {
      topicRulePayload: {
        description: 'Forwards meter reads published by the AMI head-end to the reads queue',
        sql: READS_RULE_SQL,
        awsIotSqlVersion: IOT_SQL_VERSION,
        ruleDisabled: false,
        actions: [{ sqs: { queueUrl: this.readsQueue.queueUrl, roleArn: ruleRole.roleArn, useBase64: false } }],
        errorAction: { cloudwatchLogs: { logGroupName: ruleErrorLogGroup.logGroupName, roleArn: ruleRole.roleArn } },
      },
    });
  }
}
