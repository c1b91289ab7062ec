/** Packed interval reads: one item per meter per local day, optimistic locking on `version`. */
import { GetCommand, PutCommand, TransactWriteCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { AuditEvent } from '../domain/audit';
import { QUALITIES, type DayReads, type DaySummary, type PackedInterval, type Quality, type ReadHistoryEntry } from '../domain/reads';
import { ESTIMATION_METHODS, type EstimationMethod } from '../domain/vee/estimate';
import { UNITS } from '../domain/units';
import { CorruptRecord, TransientStoreError, VersionConflict } from '../app/errors';
import type { DayIntervals, IntervalReader, ReadStore } from '../app/ports';
import type { StoredInterval } from '../domain/rating/usage';
import { auditToItem } from './audit-item';
import { cancellationCodes, cancellationReasons, isConditionalCheckFailed, isTransientCancellation, queryAll, storeCall, type Item } from './dynamo';
import { int, map, oneOf, str } from './item';
import { keys } from './keys';

/**
 * Intervals at rest: one string "start,quantity,duration,quality;..." with each start but the
 * first written as the step from the previous one (in time order). One attribute instead of a
 * map of lists keeps items small and cheap to (un)marshal: a day of 96 intervals is ~1.7 KB.
 */
export function packIntervals(intervals: Readonly<Record<string, PackedInterval>>): string {
  const parts: string[] = [];
  let previous = 0;
  // integer-like keys iterate in ascending order
  for (const key in intervals) {
    const start = Number(key);
    const [quantity, duration, quality] = intervals[key]!;
    parts.push(`${start - previous},${quantity},${duration},${quality}`);
    previous = start;
  }
  return parts.join(';');
}

export function unpackIntervals(item: Item, packedText: string): Record<string, PackedInterval> {
  const intervals: Record<string, PackedInterval> = {};
  if (packedText === '') return intervals;
  let start = 0;
  for (const entry of packedText.split(';')) {
    const fields = entry.split(',');
    const step = Number(fields[0]);
    const quantity = Number(fields[1]);
    const duration = Number(fields[2]);
    const quality = fields[3] as Quality;
    if (fields.length !== 4 || !/^-?\d+$/.test(fields[0]!) || !/^-?\d+$/.test(fields[1]!) || !/^\d+$/.test(fields[2]!) || !Number.isSafeInteger(step) || !Number.isSafeInteger(quantity) || !QUALITIES.includes(quality) || (start !== 0 && step <= 0)) {
      throw new CorruptRecord(`item ${String(item['PK'])} / ${String(item['SK'])}: iv entry ${JSON.stringify(entry)} is not start,quantity,duration,quality`);
    }
    start += step;
    intervals[String(start)] = [quantity, duration, quality];
  }
  return intervals;
}

const CHAR_0 = 48;
const CHAR_9 = 57;
const CHAR_MINUS = 45;
const CHAR_COMMA = 44;
const CHAR_SEMICOLON = 59;

/**
 * The packed intervals as [start, duration, quantity] objects without building the keyed map
 * of `unpackIntervals`: one pass over the characters, the same checks (integers, a known
 * quality, starts strictly increasing). Billing reads a month of days per meter with it.
 */
export function parseIntervalList(item: Item, packedText: string): StoredInterval[] {
  const intervals: StoredInterval[] = [];
  const length = packedText.length;
  let position = 0;
  let start = 0;
  const corrupt = (): never => {
    throw new CorruptRecord(`item ${String(item['PK'])} / ${String(item['SK'])}: iv entry ${intervals.length + 1} is not start,quantity,duration,quality`);
  };
  const integer = (signed: boolean): number => {
    let negative = false;
    if (signed && packedText.charCodeAt(position) === CHAR_MINUS) {
      negative = true;
      position++;
    }
    const first = position;
    let value = 0;
    for (let code = packedText.charCodeAt(position); code >= CHAR_0 && code <= CHAR_9; code = packedText.charCodeAt(++position)) value = value * 10 + (code - CHAR_0);
    if (position === first || !Number.isSafeInteger(value)) corrupt();
    if (packedText.charCodeAt(position) !== CHAR_COMMA) corrupt();
    position++;
    return negative ? -value : value;
  };
  while (position < length) {
    const step = integer(true);
    const quantityMicro = integer(true);
    const durationSec = integer(false);
    const quality = packedText[position];
    if (quality !== 'A' && quality !== 'E' && quality !== 'M') corrupt();
    position++;
    if (position < length) {
      if (packedText.charCodeAt(position) !== CHAR_SEMICOLON || position + 1 === length) corrupt();
      position++;
    }
    if (intervals.length > 0 && step <= 0) corrupt();
    start += step;
    intervals.push({ startEpochSec: start, durationSec, quantityMicro });
  }
  return intervals;
}

export function dayReadsToItem(day: DayReads): Item {
  return {
    ...keys.readsDay(day.meterId, day.day),
    type: 'READS_DAY',
    meterId: day.meterId,
    day: day.day,
    unit: day.unit,
    iv: packIntervals(day.intervals),
    ...(day.methods ? { methods: day.methods } : {}),
    ...(day.summary ? { summary: day.summary } : {}),
    ...(day.registers && Object.keys(day.registers).length > 0 ? { rg: Object.entries(day.registers).map(([at, value]) => `${at},${value}`).join(';') } : {}),
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

function registersFromItem(item: Item, text: string): Record<string, number> {
  const registers: Record<string, number> = {};
  for (const entry of text.split(';')) {
    const [at, value, extra] = entry.split(',');
    if (extra !== undefined || !/^\d+$/.test(at ?? '') || !/^-?\d+$/.test(value ?? '') || !Number.isSafeInteger(Number(value))) {
      throw new CorruptRecord(`item ${String(item['PK'])} / ${String(item['SK'])}: rg entry ${JSON.stringify(entry)} is not at,value`);
    }
    registers[at!] = Number(value);
  }
  return registers;
}

function summaryFromItem(item: Item): DaySummary {
  const summary = map(item, 'summary');
  const field = (name: keyof DaySummary) => int(summary, name);
  return {
    totalMicro: field('totalMicro'),
    coveredSec: field('coveredSec'),
    peakMicro: field('peakMicro'),
    peakSec: field('peakSec'),
    firstStart: field('firstStart'),
    lastStart: field('lastStart'),
    count: field('count'),
  };
}

export function dayReadsFromItem(item: Item): DayReads {
  let intervals: Record<string, PackedInterval> = {};
  if (typeof item['iv'] === 'string') intervals = unpackIntervals(item, item['iv']);
  else {
    // items written before the packed string: a map of [quantity, duration, quality]
    for (const [start, value] of Object.entries(map(item, 'intervals'))) {
      if (!/^\d+$/.test(start)) throw new CorruptRecord(`item ${String(item['PK'])} / ${String(item['SK'])}: interval key ${start} is not epoch seconds`);
      intervals[start] = packed(item, `intervals.${start}`, value);
    }
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
  const methods: Record<string, EstimationMethod> = {};
  if (item['methods'] !== undefined) {
    for (const [start, method] of Object.entries(map(item, 'methods'))) {
      if (!(ESTIMATION_METHODS as readonly unknown[]).includes(method)) throw new CorruptRecord(`item ${String(item['PK'])} / ${String(item['SK'])}: methods.${start} is not an estimation method`);
      methods[start] = method as EstimationMethod;
    }
  }
  return {
    meterId: str(item, 'meterId'),
    day: str(item, 'day'),
    unit: oneOf(item, 'unit', UNITS),
    intervals,
    ...(Object.keys(methods).length > 0 ? { methods } : {}),
    ...(item['summary'] !== undefined ? { summary: summaryFromItem(item) } : {}),
    ...(typeof item['rg'] === 'string' && item['rg'] !== '' ? { registers: registersFromItem(item, item['rg']) } : {}),
    version: int(item, 'version'),
    history,
    updatedAt: str(item, 'updatedAt'),
  };
}

export class DynamoReadStore implements ReadStore, IntervalReader {
  constructor(
    private readonly documentClient: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  async getDay(meterId: string, day: string): Promise<DayReads | undefined> {
    const output = await storeCall('GetItem reads day', () => this.documentClient.send(new GetCommand({ TableName: this.tableName, Key: keys.readsDay(meterId, day), ConsistentRead: true })));
    return output.Item ? dayReadsFromItem(output.Item) : undefined;
  }

  async saveDay(day: DayReads, expectedVersion: number | undefined, audit?: AuditEvent): Promise<void> {
    const condition =
      expectedVersion === undefined
        ? { ConditionExpression: 'attribute_not_exists(PK)' }
        : { ConditionExpression: '#version = :expected', ExpressionAttributeNames: { '#version': 'version' }, ExpressionAttributeValues: { ':expected': expectedVersion } };
    const conflict = () => new VersionConflict(`reads of meter ${day.meterId} for ${day.day} changed since they were read`);
    if (!audit) {
      try {
        await storeCall('PutItem reads day', () => this.documentClient.send(new PutCommand({ TableName: this.tableName, Item: dayReadsToItem(day), ...condition })));
      } catch (error) {
        if (isConditionalCheckFailed(error)) throw conflict();
        throw error;
      }
      return;
    }
    // A staff change: the day and its audit event in one transaction (both or neither).
    try {
      await storeCall('TransactWrite reads day + audit', () =>
        this.documentClient.send(
          new TransactWriteCommand({
            TransactItems: [
              { Put: { TableName: this.tableName, Item: dayReadsToItem(day), ...condition } },
              { Put: { TableName: this.tableName, Item: auditToItem(audit), ConditionExpression: 'attribute_not_exists(PK)' } },
            ],
          }),
        ),
      );
    } catch (error) {
      if (!(error instanceof Error) || error.name !== 'TransactionCanceledException') throw error;
      const reasons = cancellationReasons(error);
      if (reasons[0]?.Code === 'ConditionalCheckFailed') throw conflict();
      if (isTransientCancellation(reasons)) {
        throw new TransientStoreError(`reads of meter ${day.meterId} for ${day.day}: transaction cancelled (${cancellationCodes(reasons).join(', ')})`, { cause: error });
      }
      // The audit event exists without this version of the day: its id is derived from the version.
      throw conflict();
    }
  }

  async listDays(meterId: string, fromDay: string, toDay: string, consistent = false): Promise<DayReads[]> {
    const items = await queryAll(this.documentClient, 'Query reads days', {
      TableName: this.tableName,
      KeyConditionExpression: 'PK = :pk AND SK BETWEEN :from AND :to',
      ExpressionAttributeValues: { ':pk': keys.meterPartition(meterId), ':from': keys.readsDaySort(fromDay), ':to': keys.readsDaySort(toDay) },
      ...(consistent ? { ConsistentRead: true } : {}),
    });
    return items.map(dayReadsFromItem);
  }

  async listDayIntervals(meterId: string, fromDay: string, toDay: string): Promise<DayIntervals[]> {
    const items = await queryAll(this.documentClient, 'Query reads days', {
      TableName: this.tableName,
      KeyConditionExpression: 'PK = :pk AND SK BETWEEN :from AND :to',
      ProjectionExpression: 'PK, SK, #day, #unit, iv, intervals',
      ExpressionAttributeNames: { '#day': 'day', '#unit': 'unit' },
      ExpressionAttributeValues: { ':pk': keys.meterPartition(meterId), ':from': keys.readsDaySort(fromDay), ':to': keys.readsDaySort(toDay) },
    });
    return items.map((item) => {
      const day = str(item, 'day');
      const unit = oneOf(item, 'unit', UNITS);
      if (typeof item['iv'] === 'string') return { day, unit, intervals: parseIntervalList(item, item['iv']) };
      // items written before the packed string
      const intervals = Object.entries(dayReadsFromItem({ ...item, meterId, version: 1, updatedAt: '' }).intervals).map(([start, [quantityMicro, durationSec]]) => ({ startEpochSec: Number(start), durationSec, quantityMicro }));
      return { day, unit, intervals };
    });
  }
}
