/**
 * Billing run records; every state change is written with its audit event in one transaction.
 * Each segment of a run keeps a progress item in the run's partition (RUN#<runId> / SEGMENT#<n>),
 * updated when the segment starts and when it finishes: two writes per segment, none per bill.
 */
import { GetCommand, TransactWriteCommand, UpdateCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { AuditEvent } from '../domain/audit';
import type { AccountFailure, BillingRun, RunCounts, SegmentProgress, SegmentResult } from '../domain/runs';
import { BillingRunNotFound, CorruptRecord, TransientStoreError } from '../app/errors';
import type { Page, RunListStore, RunOutcome, RunProgressStore, RunStore } from '../app/ports';
import { auditToItem } from './audit-item';
import { isConditionalCheckFailed, newestFirstPage, queryAll, storeCall, type Item } from './dynamo';
import { int, map, oneOf, optStr, str } from './item';
import { GSI2, keys, TYPE_RUN } from './keys';

export function runToItem(run: BillingRun): Item {
  return {
    ...keys.run(run.runId),
    ...keys.runByType(run.runId, run.startedAt),
    type: 'RUN',
    runId: run.runId,
    cycle: run.cycle,
    periodStart: run.periodStart,
    periodEnd: run.periodEnd,
    status: run.status,
    counts: { ...run.counts },
    startedAt: run.startedAt,
    startedBy: run.startedBy,
    ...(run.plannedSegments !== undefined ? { plannedSegments: run.plannedSegments } : {}),
    ...(run.finishedAt ? { finishedAt: run.finishedAt } : {}),
    errors: run.errors.map((error) => ({ ...error })),
    ...(run.failure ? { failure: { ...run.failure } } : {}),
  };
}

function countsFromItem(item: Item): RunCounts {
  const counts = map(item, 'counts');
  // Runs recorded before bills could be held have no `held` count.
  return { segments: int(counts, 'segments'), billed: int(counts, 'billed'), held: counts['held'] === undefined ? 0 : int(counts, 'held'), skipped: int(counts, 'skipped'), failed: int(counts, 'failed') };
}

function errorsFromItem(item: Item): AccountFailure[] {
  const errors = item['errors'] ?? [];
  if (!Array.isArray(errors)) throw new CorruptRecord(`run ${String(item['runId'])}: errors is not a list`);
  return errors.map((error: Item) => ({ accountId: str(error, 'accountId'), reason: str(error, 'reason') }));
}

export function runFromItem(item: Item): BillingRun {
  const finishedAt = optStr(item, 'finishedAt');
  const failure = item['failure'] === undefined ? undefined : map(item, 'failure');
  return {
    runId: str(item, 'runId'),
    cycle: str(item, 'cycle'),
    periodStart: str(item, 'periodStart'),
    periodEnd: str(item, 'periodEnd'),
    status: oneOf(item, 'status', ['RUNNING', 'SUCCEEDED', 'FAILED'] as const),
    counts: countsFromItem(item),
    startedAt: str(item, 'startedAt'),
    startedBy: str(item, 'startedBy'),
    ...(item['plannedSegments'] !== undefined ? { plannedSegments: int(item, 'plannedSegments') } : {}),
    ...(finishedAt ? { finishedAt } : {}),
    errors: errorsFromItem(item),
    ...(failure ? { failure: { error: str(failure, 'error'), cause: str(failure, 'cause') } } : {}),
  };
}

type CancellationReason = { Code?: string };

export function segmentProgressFromItem(item: Item): SegmentProgress {
  const finishedAt = optStr(item, 'finishedAt');
  const counts = item['counts'] === undefined ? undefined : map(item, 'counts');
  return {
    segmentIndex: int(item, 'segmentIndex'),
    status: oneOf(item, 'status', ['RUNNING', 'DONE'] as const),
    attempts: item['attempts'] === undefined ? 1 : int(item, 'attempts'),
    startedAt: str(item, 'startedAt'),
    ...(finishedAt ? { finishedAt } : {}),
    ...(counts ? { counts: { billed: int(counts, 'billed'), held: int(counts, 'held'), skipped: int(counts, 'skipped'), failed: int(counts, 'failed') } } : {}),
  };
}

export class DynamoRunStore implements RunStore, RunProgressStore, RunListStore {
  constructor(
    private readonly documentClient: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  async create(run: BillingRun, audit: AuditEvent): Promise<void> {
    await this.transact(run.runId, [
      { Put: { TableName: this.tableName, Item: runToItem(run), ConditionExpression: 'attribute_not_exists(PK)' } },
      { Put: { TableName: this.tableName, Item: auditToItem(audit), ConditionExpression: 'attribute_not_exists(PK)' } },
    ]);
  }

  async get(runId: string): Promise<BillingRun | undefined> {
    const output = await storeCall('GetItem run', () => this.documentClient.send(new GetCommand({ TableName: this.tableName, Key: keys.run(runId), ConsistentRead: true })));
    return output.Item ? runFromItem(output.Item) : undefined;
  }

  /** The runs newest first: the GSI2 partition TYPE#RUN, sorted by start time (written with the run). */
  async list(limit: number, cursor?: string): Promise<Page<BillingRun>> {
    return newestFirstPage(this.documentClient, 'Query billing runs', { tableName: this.tableName, index: GSI2, partition: TYPE_RUN, limit, cursor }, runFromItem);
  }

  async finish(outcome: RunOutcome, audit: AuditEvent): Promise<void> {
    const names: Record<string, string> = { '#status': 'status', '#finishedAt': 'finishedAt' };
    const values: Record<string, unknown> = { ':status': outcome.status, ':finishedAt': outcome.finishedAt };
    const sets = ['#status = :status', '#finishedAt = :finishedAt'];
    const add = (attribute: string, value: unknown) => {
      if (value === undefined) return;
      names[`#${attribute}`] = attribute;
      values[`:${attribute}`] = value;
      sets.push(`#${attribute} = :${attribute}`);
    };
    add('counts', outcome.counts ? { ...outcome.counts } : undefined);
    add('errors', outcome.errors?.map((error) => ({ ...error })));
    add('failure', outcome.failure);
    await this.transact(outcome.runId, [
      {
        Update: {
          TableName: this.tableName,
          Key: keys.run(outcome.runId),
          UpdateExpression: `SET ${sets.join(', ')}`,
          ConditionExpression: 'attribute_exists(PK)',
          ExpressionAttributeNames: names,
          ExpressionAttributeValues: values,
        },
      },
      { Put: { TableName: this.tableName, Item: auditToItem(audit), ConditionExpression: 'attribute_not_exists(PK)' } },
    ]);
  }

  async runPlanned(runId: string, segments: number): Promise<void> {
    try {
      await storeCall('UpdateItem run plan', () =>
        this.documentClient.send(
          new UpdateCommand({
            TableName: this.tableName,
            Key: keys.run(runId),
            UpdateExpression: 'SET #planned = :planned',
            ConditionExpression: 'attribute_exists(PK)',
            ExpressionAttributeNames: { '#planned': 'plannedSegments' },
            ExpressionAttributeValues: { ':planned': segments },
          }),
        ),
      );
    } catch (error) {
      if (isConditionalCheckFailed(error)) throw new BillingRunNotFound(`billing run ${runId} does not exist`);
      throw error;
    }
  }

  async segmentStarted(runId: string, segmentIndex: number, at: string): Promise<void> {
    await storeCall('UpdateItem run segment', () =>
      this.documentClient.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: keys.runSegment(runId, segmentIndex),
          UpdateExpression: 'SET #type = :type, #segmentIndex = :segmentIndex, #status = :running, #startedAt = if_not_exists(#startedAt, :at) ADD #attempts :one',
          ExpressionAttributeNames: { '#type': 'type', '#segmentIndex': 'segmentIndex', '#status': 'status', '#startedAt': 'startedAt', '#attempts': 'attempts' },
          ExpressionAttributeValues: { ':type': 'RUN_SEGMENT', ':segmentIndex': segmentIndex, ':running': 'RUNNING', ':at': at, ':one': 1 },
        }),
      ),
    );
  }

  async segmentFinished(runId: string, result: SegmentResult, at: string): Promise<void> {
    const { billed, held, skipped, failed } = result;
    await storeCall('UpdateItem run segment', () =>
      this.documentClient.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: keys.runSegment(runId, result.segmentIndex),
          UpdateExpression: 'SET #type = :type, #segmentIndex = :segmentIndex, #status = :done, #startedAt = if_not_exists(#startedAt, :at), #finishedAt = :at, #counts = :counts',
          ExpressionAttributeNames: { '#type': 'type', '#segmentIndex': 'segmentIndex', '#status': 'status', '#startedAt': 'startedAt', '#finishedAt': 'finishedAt', '#counts': 'counts' },
          ExpressionAttributeValues: { ':type': 'RUN_SEGMENT', ':segmentIndex': result.segmentIndex, ':done': 'DONE', ':at': at, ':counts': { billed, held, skipped, failed } },
        }),
      ),
    );
  }

  async listSegments(runId: string): Promise<SegmentProgress[]> {
    const items = await queryAll(this.documentClient, 'Query run segments', {
      TableName: this.tableName,
      KeyConditionExpression: 'PK = :pk AND begins_with(SK, :prefix)',
      ExpressionAttributeValues: { ':pk': keys.runPartition(runId), ':prefix': keys.RUN_SEGMENT_PREFIX },
    });
    return items.map(segmentProgressFromItem);
  }

  private async transact(runId: string, items: NonNullable<ConstructorParameters<typeof TransactWriteCommand>[0]['TransactItems']>): Promise<void> {
    try {
      await storeCall('TransactWrite run', () => this.documentClient.send(new TransactWriteCommand({ TransactItems: items })));
    } catch (error) {
      if (!(error instanceof Error) || error.name !== 'TransactionCanceledException') throw error;
      const reasons = ((error as Error & { CancellationReasons?: CancellationReason[] }).CancellationReasons ?? []) as CancellationReason[];
      const codes = reasons.map((reason) => reason.Code ?? 'None');
      if (codes.some((code) => code === 'TransactionConflict' || code === 'ThrottlingError' || code === 'ProvisionedThroughputExceeded')) {
        throw new TransientStoreError(`run ${runId} transaction cancelled: ${codes.join(', ')}`, { cause: error });
      }
      if (items[0]?.Update && codes[0] === 'ConditionalCheckFailed') throw new BillingRunNotFound(`billing run ${runId} does not exist`);
      throw error;
    }
  }
}
