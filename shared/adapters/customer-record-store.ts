/**
 * The customer record in the single table. `commit` turns a list of entity changes into one
 * TransactWriteItems call: entities are written with UpdateItem (so attributes other slices
 * add to accounts and meters survive) under an optimistic-lock condition on recordVersion,
 * together with their derived items (search tokens, address guard, customer/premise links)
 * and the audit events.
 */
import { GetCommand, TransactWriteCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { AuditEntityType, AuditEvent } from '../domain/audit';
import type { AccountRecord, Agreement, CustomerRecord, FieldRead, MeterRecord, Note, Premise, ServicePoint } from '../domain/customers/model';
import { formatAddress } from '../domain/customers/address';
import { PremiseExists, LifecycleConflict } from '../domain/customers/errors';
import { accountTokens, customerTokens, meterTokens, premiseTokens, type SearchField, type SearchToken } from '../domain/customers/search';
import type { OrderState, ServiceOrder } from '../domain/customers/service-orders';
import type { Page } from '../app/ports';
import { TransientStoreError } from '../app/errors';
import { ConcurrentWrite } from '../app/customers/errors';
import type { Change, CustomerRecordStore, SearchHit } from '../app/customers/ports';
import { auditToItem } from './audit-item';
import { batchGet, newestFirstPage, queryAll, storeCall, type Item } from './dynamo';
import { oneOf, str } from './item';
import { keys } from './keys';
import {
  accountRecordFromItem,
  accountRecordToItem,
  agreementFromItem,
  agreementToItem,
  customerRecordFromItem,
  customerRecordToItem,
  fieldReadFromItem,
  fieldReadToItem,
  meterRecordFromItem,
  meterRecordToItem,
  noteFromItem,
  noteToItem,
  orderFromItem,
  orderToItem,
  premiseFromItem,
  premiseToItem,
  searchTokenFromItem,
  searchTokenToItem,
  servicePointFromItem,
  servicePointToItem,
} from './customer-record-items';

/** DynamoDB allows 100 actions per transaction. */
export const MAX_TRANSACTION_ITEMS = 100;

type TransactItem = NonNullable<ConstructorParameters<typeof TransactWriteCommand>[0]['TransactItems']>[number];
interface Op {
  item: TransactItem;
  /** The error when this action's condition fails. */
  conflict: () => Error;
}

const KEY_ATTRIBUTES = new Set(['PK', 'SK']);

export class DynamoCustomerRecordStore implements CustomerRecordStore {
  constructor(
    private readonly documentClient: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  private async getItem(key: { PK: string; SK: string }, what: string): Promise<Item | undefined> {
    const output = await storeCall(`GetItem ${what}`, () => this.documentClient.send(new GetCommand({ TableName: this.tableName, Key: key, ConsistentRead: true })));
    return output.Item;
  }

  private async query(what: string, input: { index?: string; partition: string; prefix?: string; forward?: boolean; limit?: number; consistent?: boolean }): Promise<Item[]> {
    const pk = input.index ? `${input.index}PK` : 'PK';
    const sk = input.index ? `${input.index}SK` : 'SK';
    return queryAll(
      this.documentClient,
      `Query ${what}`,
      {
        TableName: this.tableName,
        ...(input.index ? { IndexName: input.index } : { ConsistentRead: input.consistent ?? true }),
        KeyConditionExpression: input.prefix === undefined ? '#pk = :pk' : '#pk = :pk AND begins_with(#sk, :prefix)',
        ExpressionAttributeNames: { '#pk': pk, ...(input.prefix === undefined ? {} : { '#sk': sk }) },
        ExpressionAttributeValues: { ':pk': input.partition, ...(input.prefix === undefined ? {} : { ':prefix': input.prefix }) },
        ScanIndexForward: input.forward ?? true,
      },
      input.limit,
    );
  }

  async getCustomer(customerId: string): Promise<CustomerRecord | undefined> {
    const item = await this.getItem(keys.customer(customerId), 'customer');
    return item ? customerRecordFromItem(item) : undefined;
  }

  async getCustomers(customerIds: readonly string[]): Promise<CustomerRecord[]> {
    return (await batchGet(this.documentClient, this.tableName, customerIds.map(keys.customer))).map(customerRecordFromItem);
  }

  async getPremise(premiseId: string): Promise<Premise | undefined> {
    const item = await this.getItem(keys.premise(premiseId), 'premise');
    return item ? premiseFromItem(item) : undefined;
  }

  async getPremises(premiseIds: readonly string[]): Promise<Premise[]> {
    return (await batchGet(this.documentClient, this.tableName, premiseIds.map(keys.premise))).map(premiseFromItem);
  }

  async findPremiseIdByAddress(normalizedAddress: string): Promise<string | undefined> {
    const item = await this.getItem(keys.premiseAddress(normalizedAddress), 'premise address');
    return item ? str(item, 'premiseId') : undefined;
  }

  async getServicePoint(servicePointId: string): Promise<ServicePoint | undefined> {
    const item = await this.getItem(keys.servicePoint(servicePointId), 'service point');
    return item ? servicePointFromItem(item) : undefined;
  }

  async listServicePoints(premiseId: string): Promise<ServicePoint[]> {
    // The index is eventually consistent: re-read each service point from the table.
    const ids = (await this.query('service points', { index: 'GSI1', partition: keys.servicePointsOfPremisePartition(premiseId) })).map((item) => str(item, 'servicePointId'));
    return (await batchGet(this.documentClient, this.tableName, ids.map(keys.servicePoint))).map(servicePointFromItem).sort((a, b) => a.servicePointId.localeCompare(b.servicePointId));
  }

  async getMeter(meterId: string): Promise<MeterRecord | undefined> {
    const item = await this.getItem(keys.meter(meterId), 'meter');
    return item ? meterRecordFromItem(item) : undefined;
  }

  async getMeters(meterIds: readonly string[]): Promise<MeterRecord[]> {
    return (await batchGet(this.documentClient, this.tableName, meterIds.map(keys.meter))).map(meterRecordFromItem);
  }

  async getAccount(accountId: string): Promise<AccountRecord | undefined> {
    const item = await this.getItem(keys.account(accountId), 'account');
    return item ? accountRecordFromItem(item) : undefined;
  }

  async getAccounts(accountIds: readonly string[]): Promise<AccountRecord[]> {
    return (await batchGet(this.documentClient, this.tableName, accountIds.map(keys.account))).map(accountRecordFromItem);
  }

  async listAccountIdsOfCustomer(customerId: string): Promise<string[]> {
    return (await this.query('customer accounts', { partition: keys.customerPartition(customerId), prefix: keys.ACCOUNT_LINK_PREFIX })).map((item) => str(item, 'accountId'));
  }

  async listAccountIdsOfPremise(premiseId: string): Promise<string[]> {
    return (await this.query('premise accounts', { partition: keys.premisePartition(premiseId), prefix: keys.ACCOUNT_LINK_PREFIX })).map((item) => str(item, 'accountId'));
  }

  async listAgreements(accountId: string): Promise<Agreement[]> {
    return (await this.query('agreements', { partition: keys.accountPartition(accountId), prefix: keys.AGREEMENT_PREFIX })).filter((item) => item['type'] === 'AGREEMENT').map(agreementFromItem);
  }

  async getOrder(orderId: string): Promise<ServiceOrder | undefined> {
    const item = await this.getItem(keys.serviceOrder(orderId), 'service order');
    return item ? orderFromItem(item) : undefined;
  }

  async listOrdersOfAccount(accountId: string): Promise<ServiceOrder[]> {
    const ids = (await this.query('service orders', { index: 'GSI1', partition: keys.serviceOrdersPartition(keys.serviceOrderOwner({ accountId })) })).map((item) => str(item, 'orderId'));
    const orders = (await batchGet(this.documentClient, this.tableName, ids.map(keys.serviceOrder))).map(orderFromItem);
    return orders.sort((a, b) => a.createdAt.localeCompare(b.createdAt) || a.orderId.localeCompare(b.orderId));
  }

  async pageOrdersByState(state: OrderState, limit: number, cursor?: string): Promise<Page<ServiceOrder>> {
    return newestFirstPage(this.documentClient, 'Query service orders by state', { tableName: this.tableName, index: 'GSI2', partition: keys.serviceOrderStatePartition(state), limit, cursor }, orderFromItem);
  }

  async listNotes(accountId: string, limit: number): Promise<Note[]> {
    return (await this.query('notes', { partition: keys.accountPartition(accountId), prefix: keys.NOTE_PREFIX, forward: false, limit })).map(noteFromItem);
  }

  async listAudit(entityType: AuditEntityType, entityId: string, limit: number): Promise<AuditEvent[]> {
    const items = await this.query('audit', { partition: keys.auditPartition(entityType, entityId), prefix: keys.AUDIT_PREFIX, forward: false, limit });
    return items.map((item) => ({
      eventId: str(item, 'eventId'),
      entityType: str(item, 'entityType') as AuditEntityType,
      entityId: str(item, 'entityId'),
      at: str(item, 'at'),
      actor: str(item, 'actor'),
      action: str(item, 'action'),
      details: (item['details'] ?? {}) as AuditEvent['details'],
    }));
  }

  async latestFieldRead(meterId: string): Promise<FieldRead | undefined> {
    const [item] = await this.query('field reads', { partition: keys.meterPartition(meterId), prefix: keys.FIELD_READ_PREFIX, forward: false, limit: 1 });
    return item ? fieldReadFromItem(item) : undefined;
  }

  async searchPrefix(field: SearchField, prefix: string, limit: number): Promise<SearchHit[]> {
    if (prefix.length < 2) return [];
    const items = await this.query('search', { partition: keys.searchToken(field, prefix, '', '').PK, prefix, limit, consistent: false });
    return items.map(searchTokenFromItem);
  }

  async commit(changes: readonly Change[], audit: readonly AuditEvent[]): Promise<void> {
    const ops = [...changes.flatMap((change) => this.opsOf(change)), ...audit.map((event) => this.put(auditToItem(event), () => new ConcurrentWrite(`audit event ${event.eventId} exists`)))];
    if (ops.length === 0) return;
    if (ops.length > MAX_TRANSACTION_ITEMS) throw new LifecycleConflict(`this change touches ${ops.length} items; one transaction holds at most ${MAX_TRANSACTION_ITEMS}`);
    try {
      await this.documentClient.send(new TransactWriteCommand({ TransactItems: ops.map((op) => op.item) }));
    } catch (error) {
      if (!(error instanceof Error)) throw error;
      if (error.name === 'TransactionConflictException') throw new ConcurrentWrite(`a concurrent transaction changed the same records: ${error.message}`);
      if (error.name !== 'TransactionCanceledException') {
        await storeCall('TransactWrite customer record', () => Promise.reject(error));
        throw error;
      }
      const reasons = ((error as Error & { CancellationReasons?: Array<{ Code?: string }> }).CancellationReasons ?? []).map((reason) => reason.Code ?? 'None');
      const failed = reasons.findIndex((code) => code === 'ConditionalCheckFailed');
      if (failed >= 0) throw ops[failed]!.conflict();
      if (reasons.includes('TransactionConflict')) throw new ConcurrentWrite('a concurrent transaction changed the same records');
      throw new TransientStoreError(`customer record transaction cancelled: ${reasons.join(', ')}`, { cause: error });
    }
  }

  private put(item: Item, conflict: () => Error, condition = 'attribute_not_exists(PK)'): Op {
    return { item: { Put: { TableName: this.tableName, Item: item, ConditionExpression: condition } }, conflict };
  }

  private del(key: { PK: string; SK: string }): Op {
    return { item: { Delete: { TableName: this.tableName, Key: key } }, conflict: () => new ConcurrentWrite('delete failed') };
  }

  /** UpdateItem that sets every attribute of `item` (undefined ones are removed) under the version condition. */
  private upsert(item: Item, previousVersion: number | undefined, what: string): Op {
    const names: Record<string, string> = { '#rv': 'recordVersion' };
    const values: Record<string, unknown> = {};
    const sets: string[] = [];
    const removes: string[] = [];
    let index = 0;
    for (const [name, value] of Object.entries({ ...item, recordVersion: previousVersion === undefined ? 0 : previousVersion + 1 })) {
      if (KEY_ATTRIBUTES.has(name)) continue;
      const alias = name === 'recordVersion' ? '#rv' : `#a${index++}`;
      names[alias] = name;
      if (value === undefined) removes.push(alias);
      else {
        values[`:v${index}_${alias.slice(1)}`] = value;
        sets.push(`${alias} = :v${index}_${alias.slice(1)}`);
      }
    }
    let condition: string;
    if (previousVersion === undefined) condition = 'attribute_not_exists(PK)';
    else if (previousVersion === 0) condition = 'attribute_exists(PK) AND (attribute_not_exists(#rv) OR #rv = :expected)';
    else condition = '#rv = :expected';
    if (previousVersion !== undefined) values[':expected'] = previousVersion;
    return {
      item: {
        Update: {
          TableName: this.tableName,
          Key: { PK: item['PK'], SK: item['SK'] },
          UpdateExpression: `SET ${sets.join(', ')}${removes.length ? ` REMOVE ${removes.join(', ')}` : ''}`,
          ConditionExpression: condition,
          ExpressionAttributeNames: names,
          ExpressionAttributeValues: values,
        },
      },
      conflict: () => (previousVersion === undefined ? new LifecycleConflict(`${what} already exists`) : new ConcurrentWrite(`${what} changed since it was read`)),
    };
  }

  private tokenOps(before: readonly SearchToken[], after: readonly SearchToken[]): Op[] {
    const id = (t: SearchToken) => `${t.field}|${t.token}|${t.entityType}|${t.entityId}|${t.label}`;
    const old = new Map(before.map((t) => [id(t), t]));
    const next = new Map(after.map((t) => [id(t), t]));
    const removed = [...old.entries()].filter(([key]) => !next.has(key)).map(([, t]) => keys.searchToken(t.field, t.token, t.entityType, t.entityId));
    const added = [...next.entries()].filter(([key]) => !old.has(key)).map(([, t]) => t);
    const addedKeys = new Set(added.map((t) => JSON.stringify(keys.searchToken(t.field, t.token, t.entityType, t.entityId))));
    return [
      ...removed.filter((key) => !addedKeys.has(JSON.stringify(key))).map((key) => this.del(key)),
      ...added.map((t) => ({ item: { Put: { TableName: this.tableName, Item: searchTokenToItem(t) } }, conflict: () => new ConcurrentWrite('search token') })),
    ];
  }

  private opsOf(change: Change): Op[] {
    const previousVersion = 'previous' in change && change.previous ? change.previous.recordVersion : undefined;
    switch (change.kind) {
      case 'customer': {
        const ops = [this.upsert(customerRecordToItem(change.value), previousVersion, `customer ${change.value.customerId}`)];
        return [...ops, ...this.tokenOps(change.previous ? customerTokens(change.previous) : [], customerTokens(change.value))];
      }
      case 'premise': {
        const value = change.value;
        const ops = [this.upsert(premiseToItem(value), previousVersion, `premise ${value.premiseId}`)];
        if (!change.previous || change.previous.normalizedAddress !== value.normalizedAddress) {
          ops.push(this.put({ ...keys.premiseAddress(value.normalizedAddress), type: 'PREMISE_ADDRESS', premiseId: value.premiseId }, () => new PremiseExists(`a premise at ${value.normalizedAddress} already exists`)));
          if (change.previous) ops.push(this.del(keys.premiseAddress(change.previous.normalizedAddress)));
        }
        const label = (p: Premise) => formatAddress(p.address);
        return [...ops, ...this.tokenOps(change.previous ? premiseTokens({ ...change.previous, label: label(change.previous) }) : [], premiseTokens({ ...value, label: label(value) }))];
      }
      case 'servicePoint':
        return [this.upsert(servicePointToItem(change.value), previousVersion, `service point ${change.value.servicePointId}`)];
      case 'meter': {
        const ops = [this.upsert(meterRecordToItem(change.value), previousVersion, `meter ${change.value.meterId}`)];
        return [...ops, ...this.tokenOps(change.previous ? meterTokens(change.previous) : [], meterTokens(change.value))];
      }
      case 'account': {
        const value = change.value;
        const ops = [this.upsert(accountRecordToItem(value), previousVersion, `account ${value.accountId}`)];
        if (!change.previous || change.previous.customerId !== value.customerId) {
          ops.push({ item: { Put: { TableName: this.tableName, Item: { ...keys.customerAccountLink(value.customerId, value.accountId), type: 'CUSTOMER_ACCOUNT', customerId: value.customerId, accountId: value.accountId } } }, conflict: () => new ConcurrentWrite('link') });
        }
        for (const premiseId of value.premiseIds.filter((id) => !change.previous?.premiseIds.includes(id))) {
          ops.push({ item: { Put: { TableName: this.tableName, Item: { ...keys.premiseAccountLink(premiseId, value.accountId), type: 'PREMISE_ACCOUNT', premiseId, accountId: value.accountId } } }, conflict: () => new ConcurrentWrite('link') });
        }
        return [...ops, ...this.tokenOps(change.previous ? accountTokens(change.previous) : [], accountTokens(value))];
      }
      case 'agreement':
        return [this.upsert(agreementToItem(change.value), previousVersion, `agreement ${change.value.agreementId}`)];
      case 'order':
        return [this.upsert(orderToItem(change.value), previousVersion, `service order ${change.value.orderId}`)];
      case 'note':
        return [this.put(noteToItem(change.value), () => new ConcurrentWrite(`note ${change.value.noteId} exists`))];
      case 'fieldRead':
        return [this.put(fieldReadToItem(change.value), () => new LifecycleConflict(`a read of meter ${change.value.meterId} at ${change.value.readAt} exists`))];
    }
  }
}

