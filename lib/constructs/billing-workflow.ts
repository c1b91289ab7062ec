/**
 * The billing run: a Standard state machine from stepfunctions/billing-cycle.asl.json
 * (PlanSegments -> BillSegments distributed Map -> FinalizeRun; errors -> MarkRunFailed),
 * with the three task functions it invokes, and the daily schedule that starts the runs whose
 * bill date has come (ScheduledRuns, from the cycle calendars).
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { ArnFormat, Duration, Stack, Validations } from 'aws-cdk-lib';
import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import { Construct } from 'constructs';
import { CisFunction, type SharedFunctionSettings } from './cis-function';
import type { DataTable } from './data-table';

export const BILLING_CYCLE_ASL = 'stepfunctions/billing-cycle.asl.json';
export const STATE_MACHINE_LOGICAL_ID = 'BillingCycle';

export interface BillingWorkflowProps {
  readonly shared: SharedFunctionSettings;
  readonly table: DataTable;
  /** Number of account segments a run is split into (BILLING_SEGMENTS). */
  readonly billingSegments: number;
  /** Hour of the day (UTC) the scheduler starts the runs whose bill date has come. */
  readonly scheduleHourUtc: number;
  /** BillSegment's bill settings (BILL_DUE_DAYS, the bill exception limits, BILL_MISSING_READS). */
  readonly billSegmentEnvironment?: Record<string, string>;
}

export const BILLING_SCHEDULE_LOGICAL_ID = 'BillingDailySchedule';

export class BillingWorkflow extends Construct {
  readonly planSegments: CisFunction;
  readonly billSegment: CisFunction;
  readonly finalizeRun: CisFunction;
  readonly stateMachine: sfn.StateMachine;
  readonly scheduledRuns: CisFunction;
  readonly schedule: events.Rule;

  constructor(scope: Construct, id: string, props: BillingWorkflowProps) {
    super(scope, id);

    this.planSegments = new CisFunction(this, 'PlanSegments', {
      shared: props.shared,
      entry: 'functions/billing/plan-segments.ts',
      description: 'Plans a billing run: splits the cycle accounts into segments',
      timeout: Duration.minutes(1),
      environment: { BILLING_SEGMENTS: String(props.billingSegments) },
    });
    this.billSegment = new CisFunction(this, 'BillSegment', {
      shared: props.shared,
      entry: 'functions/billing/bill-segment.ts',
      description: 'Rates usage and issues bills for one segment of accounts (idempotent)',
      timeout: Duration.minutes(5),
      memorySize: 1024,
      environment: props.billSegmentEnvironment,
    });
    this.finalizeRun = new CisFunction(this, 'FinalizeRun', {
      shared: props.shared,
      entry: 'functions/billing/finalize-run.ts',
      description: 'Records the outcome of a billing run (completed or failed)',
      timeout: Duration.minutes(1),
    });
    for (const task of [this.planSegments, this.billSegment, this.finalizeRun]) {
      props.table.grantReadWriteData(task.function);
    }

    const logGroup = new logs.LogGroup(this, 'LogGroup', {
      // The /aws/vendedlogs/ prefix keeps the CloudWatch Logs resource policy small.
      logGroupName: `/aws/vendedlogs/states/${Stack.of(this).stackName}-BillingCycle`,
      retention: logs.RetentionDays.THREE_MONTHS,
    });
    const definition = readFileSync(path.join(props.shared.projectRoot, ...BILLING_CYCLE_ASL.split('/')), 'utf8');
    this.stateMachine = new sfn.StateMachine(this, 'StateMachine', {
      stateMachineType: sfn.StateMachineType.STANDARD,
      definitionBody: sfn.DefinitionBody.fromString(definition),
      definitionSubstitutions: {
        PlanSegmentsFunctionArn: this.planSegments.functionArn,
        BillSegmentFunctionArn: this.billSegment.functionArn,
        FinalizeRunFunctionArn: this.finalizeRun.functionArn,
      },
      timeout: Duration.hours(24),
      tracingEnabled: true,
      logs: { destination: logGroup, level: sfn.LogLevel.ALL, includeExecutionData: false },
    });
    (this.stateMachine.node.defaultChild as sfn.CfnStateMachine).overrideLogicalId(STATE_MACHINE_LOGICAL_ID);

    // Unqualified ARNs only (the ASL uses them), so the grant carries no `:*` wildcard.
    this.stateMachine.addToRolePolicy(
      new iam.PolicyStatement({
        actions: ['lambda:InvokeFunction'],
        resources: [this.planSegments.functionArn, this.billSegment.functionArn, this.finalizeRun.functionArn],
      }),
    );

    // The DISTRIBUTED Map runs child executions of this state machine. A separate policy
    // (not the role's default policy, which the state machine depends on) avoids a cycle.
    const stack = Stack.of(this);
    const distributedMapPolicy = new iam.Policy(this, 'DistributedMapPolicy', {
      statements: [
        new iam.PolicyStatement({ actions: ['states:StartExecution'], resources: [this.stateMachine.stateMachineArn] }),
        new iam.PolicyStatement({
          actions: ['states:DescribeExecution', 'states:StopExecution', 'states:RedriveExecution'],
          resources: [
            stack.formatArn({
              service: 'states',
              resource: 'execution',
              resourceName: `${this.stateMachine.stateMachineName}/*`,
              arnFormat: ArnFormat.COLON_RESOURCE_NAME,
            }),
          ],
        }),
      ],
    });
    distributedMapPolicy.attachToRole(this.stateMachine.role);

    this.scheduledRuns = new CisFunction(this, 'ScheduledRuns', {
      shared: props.shared,
      entry: 'functions/billing/scheduled-runs.ts',
      description: 'Daily: starts the billing runs of the cycles whose bill date has come (once per cycle and period)',
      timeout: Duration.minutes(1),
      environment: { STATE_MACHINE_ARN: this.stateMachine.stateMachineArn, ...(props.billSegmentEnvironment?.['BILL_DUE_DAYS'] ? { BILL_DUE_DAYS: props.billSegmentEnvironment['BILL_DUE_DAYS'] } : {}) },
    });
    props.table.grantReadWriteData(this.scheduledRuns.function);
    this.stateMachine.grantStartExecution(this.scheduledRuns.function);
    this.schedule = new events.Rule(this, 'Schedule', {
      description: 'Starts the billing runs whose bill date has come',
      schedule: events.Schedule.cron({ minute: '0', hour: String(props.scheduleHourUtc) }),
      targets: [new targets.LambdaFunction(this.scheduledRuns.function, { retryAttempts: 2, maxEventAge: Duration.hours(6) })],
    });
    (this.schedule.node.defaultChild as events.CfnRule).overrideLogicalId(BILLING_SCHEDULE_LOGICAL_ID);

    Validations.of(this.stateMachine.role).acknowledge(
      {
        id: 'AwsSolutions-IAM5[Resource::*]',
        reason: 'Step Functions logging to CloudWatch Logs (logs:*LogDelivery*, DescribeLogGroups, resource policies) and X-Ray tracing only support Resource "*".',
      },
    );
    Validations.of(distributedMapPolicy).acknowledge({
      id: `AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:states:<AWS::Region>:<AWS::AccountId>:execution:<${STATE_MACHINE_LOGICAL_ID}.Name>/*]`,
      reason: 'The distributed Map must describe, stop and redrive the child executions it starts; their names are generated per map run, so the ARN ends in a wildcard scoped to this state machine.',
    });
  }
}
