/**
 * The list of billing runs on DynamoDB Local: newest first from the GSI2 partition the run's item
 * is written with (a Query, no Scan), paged, with the state each run reached; segment progress
 * items in the runs' partitions are not runs.
 */
import { CreateTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { DynamoRunStore } from '../../shared/adapters/run-store';
import { listBillingRuns } from '../../shared/app/list-billing-runs';
import { emptyCounts, type BillingRun } from '../../shared/domain/runs';
import { startDynamoDb, type DynamoDbHandle } from '../../shared/local/dynamodb-local';
import { localClientConfig } from '../../shared/local/ports';

const TABLE = 'RunsTable';
let dynamo: DynamoDbHandle;
let client: DynamoDBClient;
let runs: DynamoRunStore;

beforeAll(async () => {
  dynamo = await startDynamoDb();
  client = new DynamoDBClient(localClientConfig(dynamo.endpoint));
  // The keys and indexes of lib/constructs/data-table.ts (both GSIs project every attribute).
  const index = (name: string) => ({ IndexName: name, KeySchema: [{ AttributeName: `${name}PK`, KeyType: 'HASH' as const }, { AttributeName: `${name}SK`, KeyType: 'RANGE' as const }], Projection: { ProjectionType: 'ALL' as const } });
  await client.send(
    new CreateTableCommand({
      TableName: TABLE,
      BillingMode: 'PAY_PER_REQUEST',
      AttributeDefinitions: ['PK', 'SK', 'GSI1PK', 'GSI1SK', 'GSI2PK', 'GSI2SK'].map((name) => ({ AttributeName: name, AttributeType: 'S' as const })),
      KeySchema: [{ AttributeName: 'PK', KeyType: 'HASH' }, { AttributeName: 'SK', KeyType: 'RANGE' }],
      GlobalSecondaryIndexes: [index('GSI1'), index('GSI2')],
    }),
  );
  runs = new DynamoRunStore(DynamoDBDocumentClient.from(client), TABLE);
}, 120_000);

afterAll(async () => {
  client?.destroy();
  await dynamo?.stop();
});

const run = (runId: string, startedAt: string): BillingRun => ({ runId, cycle: 'C1', periodStart: '2026-01-01', periodEnd: '2026-01-31', status: 'RUNNING', counts: emptyCounts(), startedAt, startedBy: 'bill', errors: [] });
const audit = (runId: string, action: string, at: string) => ({ eventId: `e-${runId}-${action}`, entityType: 'RUN' as const, entityId: runId, at, actor: 'bill', action, details: {} });

it('lists the runs newest first a page at a time, with the status and counts each run reached', async () => {
  // Written out of order: the index sorts them by start time.
  for (const [runId, startedAt] of [
    ['run-b', '2026-02-01T08:00:00.000Z'],
    ['run-a', '2026-01-01T08:00:00.000Z'],
    ['run-c', '2026-03-01T08:00:00.000Z'],
  ] as const) {
    await runs.create(run(runId, startedAt), audit(runId, 'billing-run.started', startedAt));
  }
  await runs.runPlanned('run-b', 2);
  await runs.segmentStarted('run-b', 0, '2026-02-01T08:00:01.000Z');
  await runs.segmentFinished('run-b', { segmentIndex: 0, billed: 7, held: 1, skipped: 0, failed: 1, errors: [] }, '2026-02-01T08:00:05.000Z');
  const counts = { segments: 2, billed: 12, held: 1, skipped: 0, failed: 1 };
  await runs.finish({ runId: 'run-b', status: 'SUCCEEDED', finishedAt: '2026-02-01T08:01:00.000Z', counts, errors: [{ accountId: 'A0009', reason: 'no-reads' }] }, audit('run-b', 'billing-run.succeeded', '2026-02-01T08:01:00.000Z'));

  const first = await listBillingRuns({ runs }, { limit: 2 });
  expect(first.items.map((item) => item.runId)).toEqual(['run-c', 'run-b']);
  expect(first.items[1]).toEqual({ runId: 'run-b', cycle: 'C1', periodStart: '2026-01-01', periodEnd: '2026-01-31', status: 'SUCCEEDED', counts, startedAt: '2026-02-01T08:00:00.000Z', startedBy: 'bill', plannedSegments: 2, finishedAt: '2026-02-01T08:01:00.000Z' });
  expect(first.nextCursor).toEqual(expect.any(String));

  const second = await listBillingRuns({ runs }, { limit: 2, cursor: first.nextCursor! });
  expect(second.items.map((item) => [item.runId, item.status])).toEqual([['run-a', 'RUNNING']]);
  expect(second.nextCursor).toBeNull();

  await expect(listBillingRuns({ runs }, { limit: 2, cursor: 'bm90LWEta2V5' })).rejects.toMatchObject({ name: 'InvalidInput' });
}, 60_000);
