/**
 * The billing run: a Standard state machine from stepfunctions/billing-cycle.asl.json
 * (PlanSegments -> BillSegments distributed Map -> FinalizeRun; errors -> MarkRunFailed),
 * with the three task functions it invokes, and the daily schedule that starts the runs whose
 * bill date has come (ScheduledRuns, from the cycle calendars).
 */
import { Duration } from 'aws-cdk-lib';
import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import { Construct } from 'constructs';
import { CisFunction, type SharedFunctionSettings } from './cis-function';
import type { DataTable } from './data-table';
import { TaskStateMachine } from './task-state-machine';

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

    this.stateMachine = new TaskStateMachine(this, 'Machine', {
      projectRoot: props.shared.projectRoot,
      asl: BILLING_CYCLE_ASL,
      logicalId: STATE_MACHINE_LOGICAL_ID,
      tasks: { PlanSegmentsFunctionArn: this.planSegments, BillSegmentFunctionArn: this.billSegment, FinalizeRunFunctionArn: this.finalizeRun },
      timeout: Duration.hours(24),
      logRetention: logs.RetentionDays.THREE_MONTHS,
    }).stateMachine;

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

  }
}
