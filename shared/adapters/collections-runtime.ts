/** Lazily wired dependencies of the collections handlers and state machine tasks, and the staff roles they allow. */
import { SFNClient, StartExecutionCommand } from '@aws-sdk/client-sfn';
import type { StaffRole } from '../domain/identity';
import { policyPack } from '../domain/collections/packs';
import type { CollectionsWorkflow } from '../app/collections/run';
import { CollectionsEnv, StartCollectionsEnv } from '../schemas/env';
import { DynamoCollectionsStore } from './collections-store';
import { DynamoCustomerRecordStore } from './customer-record-store';
import { parseEnv } from './env';
import { ledgerDeps } from './payments-runtime';
import { lazy } from './runtime';

export const collectionsDeps = lazy(() => {
  const env = parseEnv(CollectionsEnv);
  const ledger = ledgerDeps();
  return {
    ...ledger,
    collections: new DynamoCollectionsStore(ledger.documentClient, ledger.tableName),
    records: new DynamoCustomerRecordStore(ledger.documentClient, ledger.tableName),
    pack: policyPack(env.COLLECTIONS_POLICY_PACK),
    defaultWeatherRegion: env.COLLECTIONS_WEATHER_REGION,
    segmentSize: env.COLLECTIONS_SEGMENT_SIZE,
  };
});
export type CollectionsRuntimeDeps = ReturnType<typeof collectionsDeps>;

/** The collections state machine, started through Step Functions. */
export class StepFunctionsCollectionsWorkflow implements CollectionsWorkflow {
  constructor(
    private readonly sfn: SFNClient,
    private readonly stateMachineArn: string,
  ) {}

  async start(input: { runDate: string; runAt: string }, executionName: string): Promise<string> {
    const output = await this.sfn.send(new StartExecutionCommand({ stateMachineArn: this.stateMachineArn, name: executionName, input: JSON.stringify(input) }));
    return output.executionArn ?? executionName;
  }
}

export const startCollectionsDeps = lazy(() => {
  const env = parseEnv(StartCollectionsEnv);
  return { ...collectionsDeps(), workflow: new StepFunctionsCollectionsWorkflow(new SFNClient({}), env.COLLECTIONS_STATE_MACHINE_ARN) };
});

/** Staff who record medical certificates and household facts (auditors read only). */
export const COLLECTIONS_RECORDERS: readonly StaffRole[] = ['csr', 'admin'];
/** Staff who record weather and start collections runs. */
export const COLLECTIONS_OPERATORS: readonly StaffRole[] = ['billing', 'admin'];
