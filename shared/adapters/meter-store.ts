/** Meters in the single table. */
import { GetCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { Meter } from '../domain/accounts';
import { UNITS } from '../domain/units';
import type { MeterStore } from '../app/ports';
import { batchGet, storeCall, type Item } from './dynamo';
import { int, oneOf, optStr, str } from './item';
import { keys } from './keys';

export function meterToItem(meter: Meter): Item {
  return { ...keys.meter(meter.meterId), type: 'METER', meterId: meter.meterId, accountId: meter.accountId, unit: meter.unit, status: meter.status, multiplier: meter.multiplier, ...(meter.size ? { size: meter.size } : {}) };
}

export function meterFromItem(item: Item): Meter {
  const size = optStr(item, 'size');
  return {
    meterId: str(item, 'meterId'),
    accountId: str(item, 'accountId'),
    unit: oneOf(item, 'unit', UNITS),
    status: oneOf(item, 'status', ['ACTIVE', 'INACTIVE'] as const),
    multiplier: item['multiplier'] === undefined ? 1 : int(item, 'multiplier'),
    ...(size ? { size } : {}),
  };
}

export class DynamoMeterStore implements MeterStore {
  constructor(
    private readonly documentClient: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  async get(meterId: string): Promise<Meter | undefined> {
    const output = await storeCall('GetItem meter', () => this.documentClient.send(new GetCommand({ TableName: this.tableName, Key: keys.meter(meterId) })));
    return output.Item ? meterFromItem(output.Item) : undefined;
  }

  async getMany(meterIds: readonly string[]): Promise<Meter[]> {
    const items = await batchGet(this.documentClient, this.tableName, meterIds.map(keys.meter));
    const byId = new Map(items.map(meterFromItem).map((meter) => [meter.meterId, meter]));
    return meterIds.flatMap((id) => byId.get(id) ?? []);
  }
}
