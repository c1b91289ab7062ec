/** Tariffs in the single table; money as decimal strings. */
import { GetCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { Tariff } from '../domain/tariff';
import { UNITS } from '../domain/units';
import type { TariffStore } from '../app/ports';
import { storeCall, type Item } from './dynamo';
import { decimalStr, oneOf, str } from './item';
import { keys } from './keys';

export function tariffToItem(tariff: Tariff): Item {
  return { ...keys.tariff(tariff.tariffId), type: 'TARIFF', tariffId: tariff.tariffId, name: tariff.name, unit: tariff.unit, fixedCharge: tariff.fixedCharge, unitPrice: tariff.unitPrice, rounding: tariff.rounding };
}

export function tariffFromItem(item: Item): Tariff {
  return {
    tariffId: str(item, 'tariffId'),
    name: str(item, 'name'),
    unit: oneOf(item, 'unit', UNITS),
    fixedCharge: decimalStr(item, 'fixedCharge'),
    unitPrice: decimalStr(item, 'unitPrice'),
    rounding: oneOf(item, 'rounding', ['half-up'] as const),
  };
}

export class DynamoTariffStore implements TariffStore {
  constructor(
    private readonly documentClient: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  async get(tariffId: string): Promise<Tariff | undefined> {
    const output = await storeCall('GetItem tariff', () => this.documentClient.send(new GetCommand({ TableName: this.tableName, Key: keys.tariff(tariffId) })));
    return output.Item ? tariffFromItem(output.Item) : undefined;
  }
}
