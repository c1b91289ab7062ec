/**
 * Billing cycle schedules and the scheduler's claims. A schedule change is written with its audit
 * event in one transaction, conditioned on the version that was read; a claim is a conditional
 * put, so two scheduler invocations never start the same period twice.
 */
import { GetCommand, PutCommand, QueryCommand, TransactWriteCommand, UpdateCommand, DeleteCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { AuditEvent } from '../domain/audit';
import type { CycleSchedule } from '../domain/cycle-calendar';
import { VersionConflict } from '../app/errors';
import type { ClaimOutcome, CycleStore, StoredCycleSchedule } from '../app/billing-cycles';
import { auditToItem } from './audit-item';
import { cancellationCodes, cancellationReasons, isConditionalCheckFailed, isTransientCancellation, plainItem, queryAll, storeCall, type Item } from './dynamo';
import { bool, int, optStr, str } from './item';
import { GSI2, keys } from './keys';
import { TransientStoreError } from '../app/errors';

function scheduleToItem(schedule: StoredCycleSchedule): Item {
  return {
    ...keys.cycleSchedule(schedule.cycle),
    ...keys.cycleScheduleByType(schedule.cycle),
    type: 'CYCLE_SCHEDULE',
    cycle: schedule.cycle,
    periodEndDay: schedule.periodEndDay,
    readWindowDays: schedule.readWindowDays,
    businessDaysOnly: schedule.businessDaysOnly,
    enabled: schedule.enabled,
    version: schedule.version,
    updatedAt: schedule.updatedAt,
    updatedBy: schedule.updatedBy,
  };
}

export function scheduleFromItem(item: Item): StoredCycleSchedule {
  const endDay = item['periodEndDay'];
  return {
    cycle: str(item, 'cycle'),
    periodEndDay: endDay === 'last' ? 'last' : int(item, 'periodEndDay'),
    readWindowDays: int(item, 'readWindowDays'),
    businessDaysOnly: bool(item, 'businessDaysOnly'),
    enabled: bool(item, 'enabled'),
    version: int(item, 'version'),
    updatedAt: str(item, 'updatedAt'),
    updatedBy: str(item, 'updatedBy'),
  };
}

export class DynamoCycleStore implements CycleStore {
  constructor(
    private readonly documentClient: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  async get(cycle: string): Promise<StoredCycleSchedule | undefined> {
    const output = await storeCall('GetItem cycle schedule', () => this.documentClient.send(new GetCommand({ TableName: this.tableName, Key: keys.cycleSchedule(cycle), ConsistentRead: true })));
    return output.Item ? scheduleFromItem(output.Item) : undefined;
  }

  async list(): Promise<StoredCycleSchedule[]> {
    const items = await queryAll(this.documentClient, 'Query cycle schedules', { TableName: this.tableName, IndexName: GSI2, KeyConditionExpression: 'GSI2PK = :type', ExpressionAttributeValues: { ':type': 'TYPE#CYCLE' } });
    return items.map(scheduleFromItem);
  }

  async put(schedule: StoredCycleSchedule, expectedVersion: number | undefined, audit: AuditEvent): Promise<void> {
    const condition = expectedVersion === undefined ? { ConditionExpression: 'attribute_not_exists(PK)' } : { ConditionExpression: 'version = :expected', ExpressionAttributeValues: { ':expected': expectedVersion } };
    try {
      await storeCall('TransactWrite cycle schedule', () =>
        this.documentClient.send(
          new TransactWriteCommand({
            TransactItems: [
              { Put: { TableName: this.tableName, Item: scheduleToItem(schedule), ...condition } },
              { Put: { TableName: this.tableName, Item: auditToItem(audit), ConditionExpression: 'attribute_not_exists(PK)' } },
            ],
          }),
        ),
      );
    } catch (error) {
      if (!(error instanceof Error) || error.name !== 'TransactionCanceledException') throw error;
      const reasons = cancellationReasons(error);
      if (isTransientCancellation(reasons)) throw new TransientStoreError(`cycle ${schedule.cycle} schedule transaction cancelled: ${cancellationCodes(reasons).join(', ')}`, { cause: error });
      if (cancellationCodes(reasons)[0] === 'ConditionalCheckFailed') throw new VersionConflict(`the schedule of cycle ${schedule.cycle} changed since it was read; read it again`);
      throw error;
    }
  }

  async claim(cycle: string, periodEnd: string, at: string, staleBefore: string): Promise<ClaimOutcome> {
    try {
      await storeCall('PutItem scheduled run claim', () =>
        this.documentClient.send(
          new PutCommand({
            TableName: this.tableName,
            Item: { ...keys.scheduledRun(cycle, periodEnd), type: 'SCHEDULED_RUN', cycle, periodEnd, claimedAt: at },
            // A claim whose run never started (the scheduler stopped in between) may be taken over.
            ConditionExpression: 'attribute_not_exists(PK) OR (attribute_not_exists(runId) AND claimedAt < :stale)',
            ExpressionAttributeValues: { ':stale': staleBefore },
            ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
          }),
        ),
      );
      return { claimed: true };
    } catch (error) {
      if (!isConditionalCheckFailed(error)) throw error;
      // The failed condition's item comes back in DynamoDB's raw attribute format.
      const old = plainItem((error as { Item?: Record<string, unknown> }).Item);
      const runId = old ? optStr(old, 'runId') : undefined;
      return { claimed: false, ...(runId ? { runId } : {}) };
    }
  }

  async recordClaimedRun(cycle: string, periodEnd: string, runId: string): Promise<void> {
    await storeCall('UpdateItem scheduled run claim', () =>
      this.documentClient.send(new UpdateCommand({ TableName: this.tableName, Key: keys.scheduledRun(cycle, periodEnd), UpdateExpression: 'SET runId = :runId', ExpressionAttributeValues: { ':runId': runId } })),
    );
  }

  async releaseClaim(cycle: string, periodEnd: string): Promise<void> {
    await storeCall('DeleteItem scheduled run claim', () =>
      this.documentClient.send(new DeleteCommand({ TableName: this.tableName, Key: keys.scheduledRun(cycle, periodEnd), ConditionExpression: 'attribute_not_exists(runId)' })).catch((error: unknown) => {
        if (!isConditionalCheckFailed(error)) throw error;
        return undefined;
      }),
    );
  }
}
