/**
 * Where a CSV import lands: existence checks with BatchGetItem, and the write as BatchWriteItem
 * of every entity item with its index items (search tokens, address guards, links) and one
 * audit event per imported account, customer, premise and meter. A migration load is not one
 * transaction; records that exist are skipped by the use case, so a failed load can be re-run.
 */
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { AuditEvent } from '../domain/audit';
import { formatAddress } from '../domain/customers/address';
import { openingBalanceEntry } from '../domain/ledger';
import { Money } from '../domain/money';
import { accountTokens, customerTokens, meterTokens, premiseTokens } from '../domain/customers/search';
import type { ImportPlan, ImportTarget } from '../app/customers/import-records';
import { auditToItem } from './audit-item';
import {
  accountRecordToItem,
  agreementToItem,
  customerRecordToItem,
  meterRecordToItem,
  premiseToItem,
  searchTokenToItem,
  servicePointToItem,
} from './customer-record-items';
import { batchGet, batchPut, type Item } from './dynamo';
import { str } from './item';
import { ledgerEntryToItem, ledgerKeyItem } from './ledger-store';
import { keys, type Key } from './keys';

/** Drops undefined attributes (the entity mappers mark absent optional attributes that way). */
const clean = (item: Item): Item => Object.fromEntries(Object.entries(item).filter(([, value]) => value !== undefined));

export class DynamoImportTarget implements ImportTarget {
  constructor(
    private readonly documentClient: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  async existing(kind: Parameters<ImportTarget['existing']>[0], ids: readonly string[]): Promise<Set<string>> {
    const unique = [...new Set(ids)];
    const keyOf: Record<typeof kind, (id: string) => Key> = {
      customer: keys.customer,
      premise: keys.premise,
      meter: keys.meter,
      account: keys.account,
      tariff: keys.tariff,
      address: keys.premiseAddress,
      agreement: (id) => {
        const [accountId = '', agreementId = ''] = id.split('/');
        return keys.agreement(accountId, agreementId);
      },
    };
    const byKey = new Map(unique.map((id) => [JSON.stringify(keyOf[kind](id)), id]));
    const found = await batchGet(this.documentClient, this.tableName, unique.map(keyOf[kind]));
    return new Set(found.flatMap((item) => byKey.get(JSON.stringify({ PK: item['PK'], SK: item['SK'] })) ?? []));
  }

  async tariffUnits(tariffIds: readonly string[]): Promise<Map<string, string>> {
    const items = await batchGet(this.documentClient, this.tableName, tariffIds.map(keys.tariff));
    return new Map(items.map((item) => [str(item, 'tariffId'), str(item, 'unit')]));
  }

  async write(plan: ImportPlan, actor: string, at: string): Promise<number> {
    const items: Item[] = [];
    let seq = 0;
    const audit = (entityType: AuditEvent['entityType'], entityId: string, details: AuditEvent['details']) =>
      items.push(auditToItem({ eventId: `IMPORT-${Date.parse(at)}-${++seq}`, entityType, entityId, at, actor, action: 'record.imported', details }));
    for (const customer of plan.customers) {
      items.push(clean(customerRecordToItem(customer)), ...customerTokens(customer).map(searchTokenToItem));
      audit('CUSTOMER', customer.customerId, { source: 'csv-import' });
    }
    for (const premise of plan.premises) {
      items.push(clean(premiseToItem(premise)), { ...keys.premiseAddress(premise.normalizedAddress), type: 'PREMISE_ADDRESS', premiseId: premise.premiseId });
      items.push(...premiseTokens({ ...premise, label: formatAddress(premise.address) }).map(searchTokenToItem));
      audit('PREMISE', premise.premiseId, { source: 'csv-import' });
    }
    for (const sp of plan.servicePoints) items.push(clean(servicePointToItem(sp)));
    for (const meter of plan.meters) {
      items.push(clean(meterRecordToItem(meter)), ...meterTokens(meter).map(searchTokenToItem));
      audit('METER', meter.meterId, { source: 'csv-import', servicePointId: meter.servicePointId ?? null });
    }
    for (const account of plan.accounts) {
      items.push(clean(accountRecordToItem(account)), ...accountTokens(account).map(searchTokenToItem));
      items.push({ ...keys.customerAccountLink(account.customerId, account.accountId), type: 'CUSTOMER_ACCOUNT', customerId: account.customerId, accountId: account.accountId });
      for (const premiseId of account.premiseIds) items.push({ ...keys.premiseAccountLink(premiseId, account.accountId), type: 'PREMISE_ACCOUNT', premiseId, accountId: account.accountId });
      audit('ACCOUNT', account.accountId, { source: 'csv-import', lifecycle: account.lifecycle, meters: account.meterIds.join(',') });
    }
    for (const agreement of plan.agreements) items.push(clean(agreementToItem(agreement)));
    for (const balance of plan.balances) {
      // An opening balance is a ledger entry against the conversion clearing account, with its idempotency item.
      const entry = openingBalanceEntry({ accountId: balance.accountId, amount: new Money(balance.amount), asOf: balance.asOf });
      items.push(ledgerEntryToItem(entry), ledgerKeyItem(entry));
      audit('ACCOUNT', balance.accountId, { source: 'csv-import', openingBalance: balance.amount, asOf: balance.asOf });
    }
    await batchPut(this.documentClient, this.tableName, items, 4);
    return items.length;
  }
}
