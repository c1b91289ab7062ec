/**
 * Collections in the single table: certificates, the household profile, notices, evaluations
 * (one per account and run day, with every rule result as JSON so an auditor reads exactly what
 * was decided), the disconnection marker, weather per region and day, and run records. An
 * account's outcome of a run day is one TransactWriteItems call.
 */
import { GetCommand, PutCommand, TransactWriteCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { AuditEvent } from '../domain/audit';
import type { CollectionsProfile, MedicalCertificate, Notice, StoredEvaluation, StoredWeather } from '../domain/collections/records';
import { NOTICE_KINDS } from '../domain/collections/policy';
import { DECISIONS } from '../domain/collections/evaluate';
import { CorruptRecord, TransientStoreError, VersionConflict } from '../app/errors';
import type { CollectionState, CollectionsRun, CollectionsStore, EvaluationWrite } from '../app/collections/ports';
import type { Page } from '../app/ports';
import { auditToItem } from './audit-item';
import { orderToItem } from './customer-record-items';
import { batchGet, decodeCursor, isConditionalCheckFailed, queryAll, queryPage, storeCall, type Item } from './dynamo';
import { decimalStr, int, oneOf, optStr, str, strList } from './item';
import { GSI2, keys, TYPE_ACCOUNT } from './keys';

/** Removes the key and bookkeeping attributes of an item. */
function body(item: Item): Item {
  const { PK: _pk, SK: _sk, GSI1PK: _g1, GSI1SK: _g1s, GSI2PK: _g2, GSI2SK: _g2s, type: _type, ...rest } = item;
  return rest;
}

function bool(item: Item, name: string): boolean {
  const value = item[name];
  if (typeof value !== 'boolean') throw new CorruptRecord(`item ${String(item['PK'])} / ${String(item['SK'])}: ${name} is not a boolean`);
  return value;
}

function optInt(item: Item, name: string): number | undefined {
  return item[name] === undefined ? undefined : int(item, name);
}

export function certificateToItem(c: MedicalCertificate): Item {
  return { ...keys.medicalCertificate(c.accountId, c.receivedOn, c.certificateId), type: 'MEDICAL_CERTIFICATE', ...c };
}

export function certificateFromItem(item: Item): MedicalCertificate {
  const note = optStr(item, 'note');
  return {
    certificateId: str(item, 'certificateId'),
    accountId: str(item, 'accountId'),
    receivedOn: str(item, 'receivedOn'),
    validThrough: str(item, 'validThrough'),
    certifiedBy: str(item, 'certifiedBy'),
    renewalNumber: int(item, 'renewalNumber'),
    beyondRenewalsAllowed: bool(item, 'beyondRenewalsAllowed'),
    packId: str(item, 'packId'),
    recordedBy: str(item, 'recordedBy'),
    recordedAt: str(item, 'recordedAt'),
    ...(note ? { note } : {}),
  };
}

function profileFromItem(item: Item): CollectionsProfile {
  const income = optInt(item, 'incomePercentOfFpl');
  const region = optStr(item, 'weatherRegion');
  return {
    accountId: str(item, 'accountId'),
    ...(income === undefined ? {} : { incomePercentOfFpl: income }),
    ...(item['lifeSupport'] === undefined ? {} : { lifeSupport: bool(item, 'lifeSupport') }),
    ...(region ? { weatherRegion: region } : {}),
    updatedBy: str(item, 'updatedBy'),
    updatedAt: str(item, 'updatedAt'),
    version: int(item, 'version'),
  };
}

function weatherFromItem(item: Item): StoredWeather {
  const heatIndex = optInt(item, 'heatIndexF');
  return {
    region: str(item, 'region'),
    day: str(item, 'day'),
    forecastLowF: int(item, 'forecastLowF'),
    forecastHighF: int(item, 'forecastHighF'),
    ...(heatIndex === undefined ? {} : { heatIndexF: heatIndex }),
    heatAdvisory: bool(item, 'heatAdvisory'),
    horizonHours: int(item, 'horizonHours'),
    source: str(item, 'source'),
    recordedBy: str(item, 'recordedBy'),
    recordedAt: str(item, 'recordedAt'),
  };
}

export function noticeToItem(n: Notice): Item {
  return { ...keys.notice(n.accountId, n.sentOn, n.noticeId), type: 'COLLECTION_NOTICE', ...n };
}

function noticeFromItem(item: Item): Notice {
  return {
    noticeId: str(item, 'noticeId'),
    accountId: str(item, 'accountId'),
    packId: str(item, 'packId'),
    kind: oneOf(item, 'kind', NOTICE_KINDS),
    sentOn: str(item, 'sentOn'),
    sentAt: str(item, 'sentAt'),
    scheduledDisconnectOn: str(item, 'scheduledDisconnectOn'),
    amount: decimalStr(item, 'amount'),
    runDate: str(item, 'runDate'),
    text: str(item, 'text'),
  };
}

export function evaluationToItem(e: StoredEvaluation): Item {
  return {
    ...keys.collectionEvaluation(e.accountId, e.runDate),
    ...keys.collectionEvaluationOfRun(e.runDate, e.accountId),
    type: 'COLLECTION_EVALUATION',
    accountId: e.accountId,
    runDate: e.runDate,
    decision: e.decision,
    summary: e.summary,
    packId: e.packId,
    packVersion: e.packVersion,
    asOf: e.asOf,
    evaluatedAt: e.evaluatedAt,
    pastDue: e.pastDue,
    blockedBy: [...e.blockedBy],
    services: [...e.services],
    ...(e.notice ? { notice: { ...e.notice } } : {}),
    /** Every rule result, exactly as evaluated. */
    resultsJson: JSON.stringify(e.results),
  };
}

export function evaluationFromItem(item: Item): StoredEvaluation {
  const notice = item['notice'] as Item | undefined;
  let results: StoredEvaluation['results'];
  try {
    results = JSON.parse(str(item, 'resultsJson')) as StoredEvaluation['results'];
  } catch {
    throw new CorruptRecord(`item ${String(item['PK'])} / ${String(item['SK'])}: resultsJson is not JSON`);
  }
  return {
    accountId: str(item, 'accountId'),
    runDate: str(item, 'runDate'),
    decision: oneOf(item, 'decision', DECISIONS),
    summary: str(item, 'summary'),
    packId: str(item, 'packId'),
    packVersion: str(item, 'packVersion'),
    asOf: str(item, 'asOf'),
    evaluatedAt: str(item, 'evaluatedAt'),
    pastDue: decimalStr(item, 'pastDue'),
    blockedBy: strList(item, 'blockedBy'),
    services: strList(item, 'services'),
    results,
    ...(notice ? { notice: { kind: oneOf(notice, 'kind', NOTICE_KINDS), scheduledDisconnectOn: str(notice, 'scheduledDisconnectOn'), amount: decimalStr(notice, 'amount') } } : {}),
  };
}

function stateToItem(s: CollectionState): Item {
  return { ...keys.collectionState(s.accountId), type: 'COLLECTION_STATE', ...s, disconnectOrderIds: [...s.disconnectOrderIds] };
}

function stateFromItem(item: Item): CollectionState {
  return { accountId: str(item, 'accountId'), disconnectOrderIds: strList(item, 'disconnectOrderIds'), runDate: str(item, 'runDate'), orderedAt: str(item, 'orderedAt') };
}

function runToItem(run: CollectionsRun): Item {
  return { ...keys.collectionsRun(run.runDate), type: 'COLLECTIONS_RUN', ...run, ...(run.failures ? { failures: run.failures.map((f) => ({ ...f })) } : {}) };
}

function runFromItem(item: Item): CollectionsRun {
  const rest = body(item);
  return {
    ...(rest as unknown as CollectionsRun),
    runDate: str(item, 'runDate'),
    status: oneOf(item, 'status', ['STARTED', 'COMPLETED', 'FAILED'] as const),
    packId: str(item, 'packId'),
    startedAt: str(item, 'startedAt'),
    startedBy: str(item, 'startedBy'),
  };
}

export class DynamoCollectionsStore implements CollectionsStore {
  constructor(
    private readonly documentClient: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  private listPrefix(accountId: string, prefix: string, what: string, newestFirst = false, limit?: number): Promise<Item[]> {
    return queryAll(
      this.documentClient,
      what,
      {
        TableName: this.tableName,
        KeyConditionExpression: 'PK = :pk AND begins_with(SK, :prefix)',
        ExpressionAttributeValues: { ':pk': keys.accountPartition(accountId), ':prefix': prefix },
        ConsistentRead: true,
        ScanIndexForward: !newestFirst,
      },
      limit,
    );
  }

  async listCertificates(accountId: string): Promise<MedicalCertificate[]> {
    return (await this.listPrefix(accountId, keys.MEDCERT_PREFIX, 'Query medical certificates')).map(certificateFromItem);
  }

  async putCertificate(certificate: MedicalCertificate, audit: AuditEvent): Promise<void> {
    await this.transact('TransactWrite medical certificate', [
      { Put: { TableName: this.tableName, Item: certificateToItem(certificate), ConditionExpression: 'attribute_not_exists(PK)' } },
      { Put: { TableName: this.tableName, Item: auditToItem(audit), ConditionExpression: 'attribute_not_exists(PK)' } },
    ], () => new VersionConflict(`medical certificate ${certificate.certificateId} exists`));
  }

  async getProfile(accountId: string): Promise<CollectionsProfile | undefined> {
    const output = await storeCall('GetItem collections profile', () => this.documentClient.send(new GetCommand({ TableName: this.tableName, Key: keys.collectionsProfile(accountId), ConsistentRead: true })));
    return output.Item ? profileFromItem(output.Item) : undefined;
  }

  async putProfile(profile: CollectionsProfile, audit: AuditEvent): Promise<void> {
    const condition = profile.version === 1 ? { ConditionExpression: 'attribute_not_exists(PK)' } : { ConditionExpression: 'version = :expected', ExpressionAttributeValues: { ':expected': profile.version - 1 } };
    await this.transact('TransactWrite collections profile', [
      { Put: { TableName: this.tableName, Item: { ...keys.collectionsProfile(profile.accountId), type: 'COLLECTIONS_PROFILE', ...profile }, ...condition } },
      { Put: { TableName: this.tableName, Item: auditToItem(audit), ConditionExpression: 'attribute_not_exists(PK)' } },
    ], () => new VersionConflict(`the collections profile of account ${profile.accountId} changed meanwhile; read it again`));
  }

  async getWeather(region: string, days: readonly string[]): Promise<StoredWeather[]> {
    if (days.length === 0) return [];
    const items = await batchGet(this.documentClient, this.tableName, days.map((day) => keys.weather(region, day)), { consistent: true });
    return items.map(weatherFromItem);
  }

  async putWeather(weather: StoredWeather, audit: AuditEvent): Promise<void> {
    await this.transact('TransactWrite weather', [
      { Put: { TableName: this.tableName, Item: { ...keys.weather(weather.region, weather.day), type: 'WEATHER', ...weather } } },
      { Put: { TableName: this.tableName, Item: auditToItem(audit), ConditionExpression: 'attribute_not_exists(PK)' } },
    ], () => new VersionConflict(`audit event ${audit.eventId} exists`));
  }

  async listNotices(accountId: string): Promise<Notice[]> {
    return (await this.listPrefix(accountId, keys.NOTICE_PREFIX, 'Query notices')).map(noticeFromItem);
  }

  async getEvaluation(accountId: string, runDate: string): Promise<StoredEvaluation | undefined> {
    const output = await storeCall('GetItem evaluation', () => this.documentClient.send(new GetCommand({ TableName: this.tableName, Key: keys.collectionEvaluation(accountId, runDate), ConsistentRead: true })));
    return output.Item ? evaluationFromItem(output.Item) : undefined;
  }

  async listEvaluations(accountId: string, limit: number): Promise<StoredEvaluation[]> {
    return (await this.listPrefix(accountId, keys.COLLEVAL_PREFIX, 'Query evaluations', true, limit)).map(evaluationFromItem);
  }

  async listRunEvaluations(runDate: string, limit: number, cursor?: string): Promise<Page<StoredEvaluation>> {
    const partition = keys.collectionEvaluationsOfRunPartition(runDate);
    return queryPage(
      this.documentClient,
      'Query run evaluations',
      {
        TableName: this.tableName,
        IndexName: GSI2,
        KeyConditionExpression: 'GSI2PK = :partition',
        ExpressionAttributeValues: { ':partition': partition },
        Limit: limit,
        ExclusiveStartKey: decodeCursor(cursor, { GSI2PK: partition }, ['PK', 'SK', 'GSI2PK', 'GSI2SK']),
      },
      evaluationFromItem,
    );
  }

  async getState(accountId: string): Promise<CollectionState | undefined> {
    const output = await storeCall('GetItem collection state', () => this.documentClient.send(new GetCommand({ TableName: this.tableName, Key: keys.collectionState(accountId), ConsistentRead: true })));
    return output.Item ? stateFromItem(output.Item) : undefined;
  }

  async commitEvaluation(write: EvaluationWrite): Promise<'written' | 'exists'> {
    const items: Array<Record<string, unknown>> = [{ Put: { TableName: this.tableName, Item: evaluationToItem(write.evaluation), ConditionExpression: 'attribute_not_exists(PK)' } }];
    if (write.notice) items.push({ Put: { TableName: this.tableName, Item: noticeToItem(write.notice), ConditionExpression: 'attribute_not_exists(PK)' } });
    for (const order of write.newOrders) items.push({ Put: { TableName: this.tableName, Item: orderToItem(order), ConditionExpression: 'attribute_not_exists(PK)' } });
    for (const { value, previous } of write.changedOrders) {
      items.push({ Put: { TableName: this.tableName, Item: orderToItem({ ...value, recordVersion: previous.recordVersion + 1 }), ConditionExpression: '#rv = :expected', ExpressionAttributeNames: { '#rv': 'recordVersion' }, ExpressionAttributeValues: { ':expected': previous.recordVersion } } });
    }
    if (write.state && 'put' in write.state) items.push({ Put: { TableName: this.tableName, Item: stateToItem(write.state.put), ConditionExpression: 'attribute_not_exists(PK)' } });
    if (write.state && 'replace' in write.state) items.push({ Put: { TableName: this.tableName, Item: stateToItem(write.state.replace), ConditionExpression: 'runDate = :runDate AND orderedAt = :orderedAt', ExpressionAttributeValues: { ':runDate': write.state.previous.runDate, ':orderedAt': write.state.previous.orderedAt } } });
    if (write.state && 'clear' in write.state) items.push({ Delete: { TableName: this.tableName, Key: keys.collectionState(write.state.clear.accountId), ConditionExpression: 'runDate = :runDate', ExpressionAttributeValues: { ':runDate': write.state.clear.runDate } } });
    for (const event of write.audit) items.push({ Put: { TableName: this.tableName, Item: auditToItem(event), ConditionExpression: 'attribute_not_exists(PK)' } });
    try {
      await this.transact('TransactWrite collection evaluation', items, (index) => (index === 0 ? new EvaluationExists() : new VersionConflict(`collections of account ${write.evaluation.accountId}: a record changed meanwhile (action ${index}); run the day again`)));
      return 'written';
    } catch (error) {
      if (error instanceof EvaluationExists) return 'exists';
      throw error;
    }
  }

  async listAccountIds(limit: number, cursor?: string): Promise<Page<string>> {
    return queryPage(
      this.documentClient,
      'Query account ids',
      {
        TableName: this.tableName,
        IndexName: GSI2,
        KeyConditionExpression: 'GSI2PK = :type',
        ExpressionAttributeValues: { ':type': TYPE_ACCOUNT },
        ProjectionExpression: 'PK, SK, GSI2PK, GSI2SK',
        Limit: limit,
        ExclusiveStartKey: decodeCursor(cursor, { GSI2PK: TYPE_ACCOUNT }, ['PK', 'SK', 'GSI2PK', 'GSI2SK']),
      },
      (item) => str(item, 'GSI2SK'),
    );
  }

  async listAccountIdsBetween(first: string, last: string): Promise<string[]> {
    const items = await queryAll(this.documentClient, 'Query account id range', {
      TableName: this.tableName,
      IndexName: GSI2,
      KeyConditionExpression: 'GSI2PK = :type AND GSI2SK BETWEEN :first AND :last',
      ExpressionAttributeValues: { ':type': TYPE_ACCOUNT, ':first': first, ':last': last },
      ProjectionExpression: 'GSI2SK',
    });
    return items.map((item) => str(item, 'GSI2SK'));
  }

  async getRun(runDate: string): Promise<CollectionsRun | undefined> {
    const output = await storeCall('GetItem collections run', () => this.documentClient.send(new GetCommand({ TableName: this.tableName, Key: keys.collectionsRun(runDate), ConsistentRead: true })));
    return output.Item ? runFromItem(output.Item) : undefined;
  }

  async createRun(run: CollectionsRun, audit: AuditEvent): Promise<boolean> {
    try {
      await this.transact('TransactWrite collections run', [
        { Put: { TableName: this.tableName, Item: runToItem(run), ConditionExpression: 'attribute_not_exists(PK)' } },
        { Put: { TableName: this.tableName, Item: auditToItem(audit), ConditionExpression: 'attribute_not_exists(PK)' } },
      ], () => new EvaluationExists());
      return true;
    } catch (error) {
      if (error instanceof EvaluationExists) return false;
      throw error;
    }
  }

  async updateRun(run: CollectionsRun, audit?: AuditEvent): Promise<void> {
    if (!audit) {
      await storeCall('PutItem collections run', () => this.documentClient.send(new PutCommand({ TableName: this.tableName, Item: runToItem(run) })));
      return;
    }
    await this.transact('TransactWrite collections run', [
      { Put: { TableName: this.tableName, Item: runToItem(run) } },
      { Put: { TableName: this.tableName, Item: auditToItem(audit), ConditionExpression: 'attribute_not_exists(PK)' } },
    ], () => new VersionConflict(`audit event ${audit.eventId} exists`));
  }

  /** One transaction; `conflict(index)` names the error when the action at `index` failed its condition. */
  private async transact(what: string, items: Array<Record<string, unknown>>, conflict: (index: number) => Error): Promise<void> {
    try {
      await this.documentClient.send(new TransactWriteCommand({ TransactItems: items as never }));
    } catch (error) {
      if (!(error instanceof Error)) throw error;
      if (error.name === 'TransactionCanceledException') {
        const reasons = ((error as Error & { CancellationReasons?: Array<{ Code?: string }> }).CancellationReasons ?? []).map((reason) => reason.Code ?? 'None');
        const failed = reasons.findIndex((code) => code === 'ConditionalCheckFailed');
        if (failed >= 0) throw conflict(failed);
        throw new TransientStoreError(`${what} cancelled: ${reasons.join(', ')}`, { cause: error });
      }
      if (isConditionalCheckFailed(error)) throw conflict(0);
      await storeCall(what, () => Promise.reject(error));
      throw error;
    }
  }
}

/** The account was evaluated on that run day already (internal to the store). */
class EvaluationExists extends Error {
  override name = 'EvaluationExists';
}
