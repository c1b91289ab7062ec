/** Read exceptions (the staff queue, listed by status on GSI2) and high-usage alerts (in the account's partition). */
import { GetCommand, PutCommand, TransactWriteCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { ConflictError } from '../domain/errors';
import { TransientStoreError, VersionConflict } from '../app/errors';
import { auditToItem } from './audit-item';
import { dayReadsToItem } from './read-store';
import { VEE_REASONS } from '../domain/vee/config';
import { EXCEPTION_STATUSES, type ReadException, type UsageAlert } from '../domain/vee/exceptions';
import type { Page } from '../app/ports';
import type { ExceptionResolution, ReadExceptionStore, UsageAlertReader } from '../app/read-ports';
import { decodeCursor, isConditionalCheckFailed, queryAll, queryPage, storeCall, type Item } from './dynamo';
import { int, oneOf, optStr, str } from './item';
import { GSI2, keys } from './keys';

export function readExceptionToItem(exception: ReadException): Item {
  return {
    ...keys.readException(exception.meterId, exception.exceptionId),
    ...keys.readExceptionByStatus(exception.status, exception.createdAt, exception.meterId, exception.exceptionId),
    type: 'READ_EXCEPTION',
    ...exception,
  };
}

export function readExceptionFromItem(item: Item): ReadException {
  const readings = item['readings'];
  const ref = optStr(item, 'ref');
  const resolvedAt = optStr(item, 'resolvedAt');
  const resolvedBy = optStr(item, 'resolvedBy');
  const note = optStr(item, 'note');
  return {
    exceptionId: str(item, 'exceptionId'),
    meterId: str(item, 'meterId'),
    reason: oneOf(item, 'reason', VEE_REASONS),
    action: oneOf(item, 'action', ['hold', 'flag'] as const),
    startEpochSec: int(item, 'startEpochSec'),
    durationSec: int(item, 'durationSec'),
    quantityMicro: int(item, 'quantityMicro'),
    unit: str(item, 'unit'),
    detail: str(item, 'detail'),
    ...(ref ? { ref } : {}),
    ...(Array.isArray(readings) ? { readings: readings as ReadException['readings'] } : {}),
    status: oneOf(item, 'status', EXCEPTION_STATUSES),
    createdAt: str(item, 'createdAt'),
    ...(resolvedAt ? { resolvedAt } : {}),
    ...(resolvedBy ? { resolvedBy } : {}),
    ...(note ? { note } : {}),
  };
}

export class DynamoReadExceptionStore implements ReadExceptionStore, UsageAlertReader {
  constructor(
    private readonly documentClient: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  async open(exceptions: readonly ReadException[]): Promise<number> {
    let opened = 0;
    for (const exception of exceptions) {
      try {
        await storeCall('PutItem read exception', () =>
          this.documentClient.send(new PutCommand({ TableName: this.tableName, Item: readExceptionToItem(exception), ConditionExpression: 'attribute_not_exists(PK)' })),
        );
        opened++;
      } catch (error) {
        // The same exception from a redelivered message (or already resolved): keep what is there.
        if (!isConditionalCheckFailed(error)) throw error;
      }
    }
    return opened;
  }

  async raiseAlerts(alerts: readonly UsageAlert[]): Promise<void> {
    for (const alert of alerts) {
      await storeCall('PutItem usage alert', () =>
        this.documentClient.send(new PutCommand({ TableName: this.tableName, Item: { ...keys.usageAlert(alert.accountId, alert.day, alert.meterId), type: 'USAGE_ALERT', ...alert } })),
      );
    }
  }

  async listAlerts(accountId: string, fromDay: string, toDay: string): Promise<UsageAlert[]> {
    const items = await queryAll(this.documentClient, 'Query usage alerts', {
      TableName: this.tableName,
      KeyConditionExpression: 'PK = :pk AND SK BETWEEN :from AND :to',
      // ALERT#<day>#<meterId>: the upper bound takes every meter of the last day.
      ExpressionAttributeValues: { ':pk': keys.accountPartition(accountId), ':from': `ALERT#${fromDay}`, ':to': `ALERT#${toDay}#\uffff` },
    });
    return items.map(usageAlertFromItem);
  }

  async get(meterId: string, exceptionId: string): Promise<ReadException | undefined> {
    const output = await storeCall('GetItem read exception', () => this.documentClient.send(new GetCommand({ TableName: this.tableName, Key: keys.readException(meterId, exceptionId), ConsistentRead: true })));
    return output.Item ? readExceptionFromItem(output.Item) : undefined;
  }

  async listByStatus(status: ReadException['status'], limit: number, cursor?: string): Promise<Page<ReadException>> {
    const partition = keys.readExceptionStatusPartition(status);
    return queryPage(
      this.documentClient,
      'Query read exceptions',
      {
        TableName: this.tableName,
        IndexName: GSI2,
        KeyConditionExpression: 'GSI2PK = :p',
        ExpressionAttributeValues: { ':p': partition },
        Limit: limit,
        ExclusiveStartKey: decodeCursor(cursor, { GSI2PK: partition }, ['PK', 'SK', 'GSI2PK', 'GSI2SK']),
      },
      readExceptionFromItem,
    );
  }

  async resolve(change: ExceptionResolution): Promise<void> {
    const { exception, day, audit, rebills } = change;
    const items: NonNullable<ConstructorParameters<typeof TransactWriteCommand>[0]['TransactItems']> = [];
    if (day) {
      const condition =
        day.expectedVersion === undefined
          ? { ConditionExpression: 'attribute_not_exists(PK)' }
          : { ConditionExpression: '#version = :expected', ExpressionAttributeNames: { '#version': 'version' }, ExpressionAttributeValues: { ':expected': day.expectedVersion } };
      items.push({ Put: { TableName: this.tableName, Item: dayReadsToItem(day.reads), ...condition } });
    }
    const byStatus = keys.readExceptionByStatus(exception.status, exception.createdAt, exception.meterId, exception.exceptionId);
    items.push({
      Update: {
        TableName: this.tableName,
        Key: keys.readException(exception.meterId, exception.exceptionId),
        UpdateExpression: 'SET #status = :status, resolvedAt = :at, resolvedBy = :by, note = :note, GSI2PK = :gsi2pk',
        ConditionExpression: '#status = :open',
        ExpressionAttributeNames: { '#status': 'status' },
        ExpressionAttributeValues: { ':status': exception.status, ':at': exception.resolvedAt ?? audit.at, ':by': exception.resolvedBy ?? audit.actor, ':note': exception.note ?? '', ':gsi2pk': byStatus.GSI2PK, ':open': 'OPEN' },
      },
    });
    items.push({ Put: { TableName: this.tableName, Item: auditToItem(audit), ConditionExpression: 'attribute_not_exists(PK)' } });
    for (const mark of rebills) items.push({ Put: { TableName: this.tableName, Item: { ...keys.rebillMark(mark.accountId, mark.billId, mark.exceptionId), type: 'REBILL_MARK', ...mark } } });
    try {
      await storeCall('TransactWrite read exception', () => this.documentClient.send(new TransactWriteCommand({ TransactItems: items })));
    } catch (error) {
      if (!(error instanceof Error) || error.name !== 'TransactionCanceledException') throw error;
      const reasons = ((error as Error & { CancellationReasons?: Array<{ Code?: string }> }).CancellationReasons ?? []).map((reason) => reason.Code ?? 'None');
      const offset = day ? 1 : 0;
      if (day && reasons[0] === 'ConditionalCheckFailed') throw new VersionConflict(`reads of meter ${exception.meterId} for ${day.reads.day} changed since they were read`);
      if (reasons[offset] === 'ConditionalCheckFailed') throw new ExceptionAlreadyResolved(`exception ${exception.exceptionId} is no longer open`);
      if (reasons.some((reason) => reason === 'TransactionConflict' || reason === 'ThrottlingError' || reason === 'ProvisionedThroughputExceeded')) {
        throw new TransientStoreError(`exception ${exception.exceptionId}: transaction cancelled (${reasons.join(', ')})`, { cause: error });
      }
      throw error;
    }
  }
}

export class ExceptionAlreadyResolved extends ConflictError {
  override name = 'ExceptionAlreadyResolved';
}

export function usageAlertFromItem(item: Item): UsageAlert {
  return {
    accountId: str(item, 'accountId'),
    meterId: str(item, 'meterId'),
    day: str(item, 'day'),
    unit: str(item, 'unit'),
    totalMicro: int(item, 'totalMicro'),
    thresholdMicro: int(item, 'thresholdMicro'),
    raisedAt: str(item, 'raisedAt'),
  };
}
