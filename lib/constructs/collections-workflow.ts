/**
 * The daily collections run: a Standard state machine from stepfunctions/collections-daily.asl.json
 * (PlanCollections -> EvaluateSegments distributed Map -> FinalizeCollections; errors ->
 * MarkRunFailed), its three task functions, and an EventBridge rule that starts it every day at a
 * fixed hour of the utility's time zone.
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

export const COLLECTIONS_DAILY_ASL = 'stepfunctions/collections-daily.asl.json';
export const COLLECTIONS_STATE_MACHINE_LOGICAL_ID = 'CollectionsDaily';
export const COLLECTIONS_SCHEDULE_LOGICAL_ID = 'CollectionsDailySchedule';

export interface CollectionsSettings {
  /** A shipped policy pack id (COLLECTIONS_POLICY_PACK). */
  readonly packId: string;
  /** The weather region of accounts whose profile names none (COLLECTIONS_WEATHER_REGION). */
  readonly weatherRegion: string;
  /** Accounts per segment of a run (COLLECTIONS_SEGMENT_SIZE). */
  readonly segmentSize: number;
  /** The UTC hour (0-23) the daily run starts; the run day is the utility-local date of that instant. */
  readonly scheduleHourUtc: number;
}

export interface CollectionsWorkflowProps {
  readonly shared: SharedFunctionSettings;
  readonly table: DataTable;
  readonly settings: CollectionsSettings;
}

/** The environment every collections function gets. */
export function collectionsEnvironment(settings: CollectionsSettings): Record<string, string> {
  return { COLLECTIONS_POLICY_PACK: settings.packId, COLLECTIONS_WEATHER_REGION: settings.weatherRegion, COLLECTIONS_SEGMENT_SIZE: String(settings.segmentSize) };
}

export class CollectionsWorkflow extends Construct {
  readonly planCollections: CisFunction;
  readonly evaluateSegment: CisFunction;
  readonly finalizeCollections: CisFunction;
  readonly stateMachine: sfn.StateMachine;
  readonly schedule: events.Rule;

  constructor(scope: Construct, id: string, props: CollectionsWorkflowProps) {
    super(scope, id);
    const environment = collectionsEnvironment(props.settings);
    this.planCollections = new CisFunction(this, 'PlanCollections', { shared: props.shared, entry: 'functions/collections/plan-collections.ts', description: 'Plans a collections run: splits the accounts into segments', timeout: Duration.minutes(5), environment });
    this.evaluateSegment = new CisFunction(this, 'EvaluateSegment', { shared: props.shared, entry: 'functions/collections/evaluate-segment.ts', description: 'Evaluates the disconnection protections of one segment of accounts (idempotent per account and day)', timeout: Duration.minutes(10), memorySize: 1024, environment });
    this.finalizeCollections = new CisFunction(this, 'FinalizeCollections', { shared: props.shared, entry: 'functions/collections/finalize-collections.ts', description: 'Records the summary of a collections run', timeout: Duration.minutes(1), environment });
    for (const task of [this.planCollections, this.evaluateSegment, this.finalizeCollections]) props.table.grantReadWriteData(task.function);

    this.stateMachine = new TaskStateMachine(this, 'Machine', {
      projectRoot: props.shared.projectRoot,
      asl: COLLECTIONS_DAILY_ASL,
      logicalId: COLLECTIONS_STATE_MACHINE_LOGICAL_ID,
      tasks: { PlanCollectionsFunctionArn: this.planCollections, EvaluateSegmentFunctionArn: this.evaluateSegment, FinalizeCollectionsFunctionArn: this.finalizeCollections },
      timeout: Duration.hours(12),
      logRetention: logs.RetentionDays.ONE_YEAR,
    }).stateMachine;

    // EventBridge rule cron is in UTC; PlanCollections takes the run day as the utility-local date of the event time.
    this.schedule = new events.Rule(this, 'Schedule', {
      description: `Starts the daily collections run at ${props.settings.scheduleHourUtc}:00 UTC (the run day is the utility-local date of that instant)`,
      schedule: events.Schedule.cron({ minute: '0', hour: String(props.settings.scheduleHourUtc) }),
      targets: [new targets.SfnStateMachine(this.stateMachine)],
    });
    (this.schedule.node.defaultChild as events.CfnRule).overrideLogicalId(COLLECTIONS_SCHEDULE_LOGICAL_ID);

  }
}
