/**
 * Tariffs in the single table: one header item (TARIFF#id / TARIFF: name, unit, time zone,
 * revision) and one item per effective-dated version (TARIFF#id / VERSION#effectiveFrom) holding
 * the version as canonical JSON, so reading a tariff with all its versions is one Query. Versions
 * are only ever added; the one change a stored version may see is the effectiveTo that closes the
 * open-ended last version when a following version is added (conditional on its stored text).
 */
import { TransactWriteCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { AuditEvent } from '../domain/audit';
import { parseTariffDocument, type TariffDocument, type TariffVersion } from '../domain/rating/schema';
import { canonicalJson, type TariffCorrection, type TariffUpdate } from '../domain/rating/history';
import { InvalidInput } from '../domain/errors';
import { CorruptRecord, VersionConflict } from '../app/errors';
import type { StoredTariff, TariffStore } from '../app/ports';
import { auditToItem } from './audit-item';
import { queryAll, storeCall, type Item } from './dynamo';
import { int, optStr, str } from './item';
import { keys } from './keys';

/** A transaction holds at most 100 actions: header, audit and the closed version leave 97 for new versions. */
export const MAX_VERSIONS_PER_LOAD = 97;

export function tariffHeaderToItem(doc: TariffDocument, revision: number, updatedAt: string): Item {
  return {
    ...keys.tariff(doc.tariffId),
    type: 'TARIFF',
    format: doc.format,
    tariffId: doc.tariffId,
    name: doc.name,
    unit: doc.unit,
    timeZone: doc.timeZone,
    ...(doc.utility !== undefined ? { utility: doc.utility } : {}),
    ...(doc.source !== undefined ? { source: doc.source } : {}),
    revision,
    updatedAt,
  };
}

export function tariffVersionToItem(tariffId: string, version: TariffVersion): Item {
  return {
    ...keys.tariffVersion(tariffId, version.effectiveFrom),
    type: 'TARIFF_VERSION',
    tariffId,
    effectiveFrom: version.effectiveFrom,
    ...(version.effectiveTo !== undefined ? { effectiveTo: version.effectiveTo } : {}),
    body: canonicalJson(version),
  };
}

/** The items of every tariff document (header + versions), e.g. for seeding a table. */
export function tariffToItems(doc: TariffDocument, updatedAt: string): Item[] {
  return [tariffHeaderToItem(doc, 1, updatedAt), ...doc.versions.map((version) => tariffVersionToItem(doc.tariffId, version))];
}

/** The document from its header and version items; CorruptRecord when they do not make a valid tariff. */
export function tariffFromItems(items: readonly Item[]): StoredTariff | undefined {
  const header = items.find((item) => item['SK'] === keys.TARIFF_HEADER_SK);
  if (!header) return undefined;
  const tariffId = str(header, 'tariffId');
  const versions = items.filter((item) => item['type'] === 'TARIFF_VERSION').map((item) => {
    try {
      return JSON.parse(str(item, 'body')) as unknown;
    } catch {
      throw new CorruptRecord(`tariff ${tariffId} version ${String(item['SK'])}: body is not JSON`);
    }
  });
  if (versions.length === 0) return undefined; // a header of the pre-engine flat tariff: nothing to rate with
  const utility = optStr(header, 'utility');
  const source = optStr(header, 'source');
  try {
    const doc = parseTariffDocument({ format: 'cis-tariff/1', tariffId, name: str(header, 'name'), unit: str(header, 'unit'), timeZone: str(header, 'timeZone'), ...(utility ? { utility } : {}), ...(source ? { source } : {}), versions });
    return { doc, revision: int(header, 'revision') };
  } catch (error) {
    if (error instanceof CorruptRecord) throw error;
    throw new CorruptRecord(`tariff ${tariffId}: ${(error as Error).message}`);
  }
}

export class DynamoTariffStore implements TariffStore {
  constructor(
    private readonly documentClient: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  async get(tariffId: string): Promise<TariffDocument | undefined> {
    return (await this.getStored(tariffId))?.doc;
  }

  async getStored(tariffId: string): Promise<StoredTariff | undefined> {
    const items = await queryAll(this.documentClient, 'Query tariff', {
      TableName: this.tableName,
      KeyConditionExpression: 'PK = :pk',
      ExpressionAttributeValues: { ':pk': keys.tariff(tariffId).PK },
      ConsistentRead: true,
    });
    return tariffFromItems(items);
  }

  async save(update: TariffUpdate, expectedRevision: number | undefined, audit: AuditEvent, at: string): Promise<void> {
    const { doc, added, closed } = update;
    if (added.length > MAX_VERSIONS_PER_LOAD) throw new InvalidInput(`tariff ${doc.tariffId}: at most ${MAX_VERSIONS_PER_LOAD} versions can be added at once`, [{ path: 'versions', message: `at most ${MAX_VERSIONS_PER_LOAD} new versions per load` }]);
    const header = tariffHeaderToItem(doc, (expectedRevision ?? 0) + 1, at);
    const TransactItems: NonNullable<ConstructorParameters<typeof TransactWriteCommand>[0]['TransactItems']> = [
      expectedRevision === undefined
        ? { Put: { TableName: this.tableName, Item: header, ConditionExpression: 'attribute_not_exists(PK)' } }
        : { Put: { TableName: this.tableName, Item: header, ConditionExpression: 'revision = :revision', ExpressionAttributeValues: { ':revision': expectedRevision } } },
      ...added.map((version) => ({ Put: { TableName: this.tableName, Item: tariffVersionToItem(doc.tariffId, version), ConditionExpression: 'attribute_not_exists(PK)' } })),
      { Put: { TableName: this.tableName, Item: auditToItem(audit), ConditionExpression: 'attribute_not_exists(PK)' } },
    ];
    if (closed) {
      const open = { ...closed, effectiveTo: undefined };
      TransactItems.push({
        Put: { TableName: this.tableName, Item: tariffVersionToItem(doc.tariffId, closed), ConditionExpression: 'body = :open AND attribute_not_exists(effectiveTo)', ExpressionAttributeValues: { ':open': canonicalJson(open) } },
      });
    }
    try {
      await storeCall('TransactWrite tariff', () => this.documentClient.send(new TransactWriteCommand({ TransactItems })));
    } catch (error) {
      if (error instanceof Error && error.name === 'TransactionCanceledException') {
        throw new VersionConflict(`tariff ${doc.tariffId} was changed by someone else while loading; load it again`);
      }
      throw error;
    }
  }

  async correct(correction: TariffCorrection, expectedRevision: number, audit: AuditEvent, at: string): Promise<void> {
    const { doc, corrected } = correction;
    const TransactItems: NonNullable<ConstructorParameters<typeof TransactWriteCommand>[0]['TransactItems']> = [
      { Put: { TableName: this.tableName, Item: tariffHeaderToItem(doc, expectedRevision + 1, at), ConditionExpression: 'revision = :revision', ExpressionAttributeValues: { ':revision': expectedRevision } } },
      ...corrected.map(({ before, after }) => ({
        Put: { TableName: this.tableName, Item: tariffVersionToItem(doc.tariffId, after), ConditionExpression: 'body = :before', ExpressionAttributeValues: { ':before': canonicalJson(before) } },
      })),
      { Put: { TableName: this.tableName, Item: auditToItem(audit), ConditionExpression: 'attribute_not_exists(PK)' } },
    ];
    try {
      await storeCall('TransactWrite tariff correction', () => this.documentClient.send(new TransactWriteCommand({ TransactItems })));
    } catch (error) {
      if (error instanceof Error && error.name === 'TransactionCanceledException') {
        throw new VersionConflict(`tariff ${doc.tariffId} was changed by someone else while correcting it; read it and correct it again`);
      }
      throw error;
    }
  }
}
