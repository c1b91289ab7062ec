/** Packed interval reads: one item per meter per local day, optimistic locking on `version`. */
import { GetCommand, PutCommand, QueryCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { DayReads, PackedInterval, Quality, ReadHistoryEntry } from '../domain/reads';
import { UNITS } from '../domain/units';
import { CorruptRecord, VersionConflict } from '../app/errors';
import type { ReadStore } from '../app/ports';
import { isConditionalCheckFailed, storeCall, type Item } from './dynamo';
import { int, map, oneOf, str } from './item';
import { keys } from './keys';

const QUALITIES: readonly Quality[] = ['A', 'E'];

export function dayReadsToItem(day: DayReads): Item {
  return {
    ...keys.readsDay(day.meterId, day.day),
    type: 'READS_DAY',
    meterId: day.meterId,
    day: day.day,
    unit: day.unit,
    intervals: day.intervals,
    version: day.version,
    history: day.history,
    updatedAt: day.updatedAt,
  };
}

function packed(item: Item, where: string, value: unknown): PackedInterval {
  if (!Array.isArray(value) || value.length !== 3) throw new CorruptRecord(`item ${String(item['PK'])} / ${String(item['SK'])}: ${where} is not [quantity, duration, quality]`);
  const [quantity, duration, quality] = value as unknown[];
  if (!Number.isSafeInteger(quantity) || !Number.isSafeInteger(duration) || !QUALITIES.includes(quality as Quality)) {
    throw new CorruptRecord(`item ${String(item['PK'])} / ${String(item['SK'])}: ${where} is not [quantity, duration, quality]`);
  }
  return [quantity as number, duration as number, quality as Quality];
}

export function dayReadsFromItem(item: Item): DayReads {
  const intervals: Record<string, PackedInterval> = {};
  for (const [start, value] of Object.entries(map(item, 'intervals'))) {
    if (!/^\d+$/.test(start)) throw new CorruptRecord(`item ${String(item['PK'])} / ${String(item['SK'])}: interval key ${start} is not epoch seconds`);
    intervals[start] = packed(item, `intervals.${start}`, value);
  }
  const rawHistory = item['history'] ?? [];
  if (!Array.isArray(rawHistory)) throw new CorruptRecord(`item ${String(item['PK'])} / ${String(item['SK'])}: history is not a list`);
  const history: ReadHistoryEntry[] = rawHistory.map((entry: Item, index) => {
    const ref = entry['ref'];
    return {
      start: int(entry, 'start'),
      previous: packed(item, `history[${index}].previous`, entry['previous']),
      at: str(entry, 'at'),
      by: str(entry, 'by'),
      ...(typeof ref === 'string' ? { ref } : {}),
    };
  });
  return {
    meterId: str(item, 'meterId'),
    day: str(item, 'day'),
    unit: oneOf(item, 'unit', UNITS),
    intervals,
    version: int(item, 'version'),
    history,
    updatedAt: str(item, 'updatedAt'),
  };
}

export class DynamoReadStore implements ReadStore {
  constructor(
    private readonly documentClient: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  async getDay(meterId: string, day: string): Promise<DayReads | undefined> {
    const output = await storeCall('GetItem reads day', () => this.documentClient.send(new GetCommand({ TableName: this.tableName, Key: keys.readsDay(meterId, day), ConsistentRead: true })));
    return output.Item ? dayReadsFromItem(output.Item) : undefined;
  }

  async saveDay(day: DayReads, expectedVersion: number | undefined): Promise<void> {
    const condition =
      expectedVersion === undefined
        ? { ConditionExpression: 'attribute_not_exists(PK)' }
        : { ConditionExpression: '#version = :expected', ExpressionAttributeNames: { '#version': 'version' }, ExpressionAttributeValues: { ':expected': expectedVersion } };
    try {
      await storeCall('PutItem reads day', () => this.documentClient.send(new PutCommand({ TableName: this.tableName, Item: dayReadsToItem(day), ...condition })));
    } catch (error) {
      if (isConditionalCheckFailed(error)) throw new VersionConflict(`reads of meter ${day.meterId} for ${day.day} changed since they were read`);
      throw error;
    }
  }

  async listDays(meterId: string, fromDay: string, toDay: string): Promise<DayReads[]> {
    const days: DayReads[] = [];
    let startKey: Item | undefined;
    do {
      const output = await storeCall('Query reads days', () =>
        this.documentClient.send(
          new QueryCommand({
            TableName: this.tableName,
            KeyConditionExpression: 'PK = :pk AND SK BETWEEN :from AND :to',
            ExpressionAttributeValues: { ':pk': keys.meterPartition(meterId), ':from': keys.readsDaySort(fromDay), ':to': keys.readsDaySort(toDay) },
            ExclusiveStartKey: startKey,
          }),
        ),
      );
      for (const item of output.Items ?? []) days.push(dayReadsFromItem(item));
      startKey = output.LastEvaluatedKey;
    } while (startKey);
    return days;
  }
}
