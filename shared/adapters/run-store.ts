/** Billing run records; every state change is written with its audit event in one transaction. */
import { GetCommand, TransactWriteCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { AuditEvent } from '../domain/audit';
import type { AccountFailure, BillingRun, RunCounts } from '../domain/runs';
import { BillingRunNotFound, CorruptRecord, TransientStoreError } from '../app/errors';
import type { RunOutcome, RunStore } from '../app/ports';
import { auditToItem } from './audit-item';
import { storeCall, type Item } from './dynamo';
import { int, map, oneOf, optStr, str } from './item';
import { keys } from './keys';

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
    ...(run.finishedAt ? { finishedAt: run.finishedAt } : {}),
    errors: run.errors.map((error) => ({ ...error })),
    ...(run.failure ? { failure: { ...run.failure } } : {}),
  };
}

function countsFromItem(item: Item): RunCounts {
  const counts = map(item, 'counts');
  return { segments: int(counts, 'segments'), billed: int(counts, 'billed'), skipped: int(counts, 'skipped'), failed: int(counts, 'failed') };
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
    ...(finishedAt ? { finishedAt } : {}),
    errors: errorsFromItem(item),
    ...(failure ? { failure: { error: str(failure, 'error'), cause: str(failure, 'cause') } } : {}),
  };
}

type CancellationReason = { Code?: string };

export class DynamoRunStore implements RunStore {
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
