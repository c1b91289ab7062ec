/**
 * Bills and their ledger entries. Issuing a bill writes the bill, its ledger entry with its
 * idempotency item and its audit event in one transaction that is cancelled when the bill already exists.
 * A final bill also clears its account's finalBillDue flag in that transaction.
 */
import { GetCommand, TransactWriteCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { AuditEvent } from '../domain/audit';
import { DEFAULT_DUE_DAYS, type Bill, type BillLine, type BillService } from '../domain/billing';
import { addDays } from '../domain/calendar';
import { serviceTypeOfUnit } from '../domain/customers/lifecycle';
import { SERVICE_TYPES } from '../domain/customers/model';
import { ConflictError } from '../domain/errors';
import type { LedgerEntry } from '../domain/ledger';
import { UNITS } from '../domain/units';
import { CorruptRecord, TransientStoreError } from '../app/errors';
import type { BillIssue, BillKey, BillStore, IssueOutcome, IssueResult, Page } from '../app/ports';
import { auditToItem } from './audit-item';
import { batchGet, cancellationCodes, cancellationReasons, isTransientCancellation, newestFirstPage, plainItem, storeCall, type Item } from './dynamo';
import { peakItemsOfBill } from './agreement-store';
import { decimalStr, map, oneOf, optStr, str } from './item';
import { keys } from './keys';
import { ledgerEntryToItem, ledgerKeyItem } from './ledger-store';

export function billToItem(bill: Bill): Item {
  return {
    ...keys.bill(bill.accountId, bill.periodStart, bill.billId),
    type: 'BILL',
    billId: bill.billId,
    accountId: bill.accountId,
    customerId: bill.customerId,
    cycle: bill.cycle,
    periodStart: bill.periodStart,
    periodEnd: bill.periodEnd,
    services: bill.services.map((service) => ({ ...service, usage: { ...service.usage }, lines: service.lines.map((line) => ({ ...line })) })),
    total: bill.total,
    dueDate: bill.dueDate,
    finalBill: bill.finalBill,
    currency: bill.currency,
    status: bill.status,
    runId: bill.runId,
    issuedAt: bill.issuedAt,
  };
}

function asMap(value: unknown, what: string): Item {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new CorruptRecord(`${what} is not a map`);
  return value as Item;
}

function lineFromItem(line: unknown): BillLine {
  const item = asMap(line, 'a bill line');
  return {
    description: str(item, 'description'),
    quantity: decimalStr(item, 'quantity'),
    unit: str(item, 'unit'),
    rate: decimalStr(item, 'rate'),
    amount: decimalStr(item, 'amount'),
    periodStart: str(item, 'periodStart'),
    periodEnd: str(item, 'periodEnd'),
    category: optStr(item, 'category') ?? 'base',
  };
}

function serviceFromItem(value: unknown): BillService {
  const item = asMap(value, 'a bill service');
  const usage = map(item, 'usage');
  const lines = item['lines'];
  if (!Array.isArray(lines)) throw new CorruptRecord('a bill service has no list of lines');
  const meterId = optStr(item, 'meterId');
  const peakKw = item['peakKw'] === undefined ? undefined : decimalStr(item, 'peakKw');
  return {
    agreementId: str(item, 'agreementId'),
    serviceType: oneOf(item, 'serviceType', SERVICE_TYPES),
    servicePointId: str(item, 'servicePointId'),
    premiseId: str(item, 'premiseId'),
    ...(meterId ? { meterId } : {}),
    tariffId: str(item, 'tariffId'),
    tariffName: str(item, 'tariffName'),
    periodStart: str(item, 'periodStart'),
    periodEnd: str(item, 'periodEnd'),
    usage: { quantity: decimalStr(usage, 'quantity'), unit: str(usage, 'unit') },
    ...(peakKw !== undefined ? { peakKw } : {}),
    finalBill: item['finalBill'] === true,
    lines: lines.map(lineFromItem),
    subtotal: decimalStr(item, 'subtotal'),
  };
}

/**
 * Bills written before billing rated agreements (one tariff, top-level usage and lines) read
 * as one service section, so old bills stay readable.
 */
function legacyServices(item: Item): BillService[] {
  const usage = map(item, 'usage');
  const lines = item['lines'];
  if (!Array.isArray(lines)) throw new CorruptRecord(`item ${String(item['PK'])} / ${String(item['SK'])}: neither services nor lines is a list`);
  const unit = oneOf(usage, 'unit', UNITS);
  return [
    {
      agreementId: '',
      serviceType: serviceTypeOfUnit(unit),
      servicePointId: '',
      premiseId: '',
      tariffId: str(item, 'tariffId'),
      tariffName: str(item, 'tariffId'),
      periodStart: str(item, 'periodStart'),
      periodEnd: str(item, 'periodEnd'),
      usage: { quantity: decimalStr(usage, 'quantity'), unit },
      finalBill: false,
      lines: lines.map(lineFromItem),
      subtotal: decimalStr(item, 'total'),
    },
  ];
}

export function billFromItem(item: Item): Bill {
  const services = item['services'];
  const issuedAt = str(item, 'issuedAt');
  return {
    billId: str(item, 'billId'),
    accountId: str(item, 'accountId'),
    customerId: str(item, 'customerId'),
    cycle: str(item, 'cycle'),
    periodStart: str(item, 'periodStart'),
    periodEnd: str(item, 'periodEnd'),
    services: Array.isArray(services) ? services.map(serviceFromItem) : legacyServices(item),
    total: decimalStr(item, 'total'),
    dueDate: optStr(item, 'dueDate') ?? addDays(issuedAt.slice(0, 10), DEFAULT_DUE_DAYS),
    finalBill: item['finalBill'] === true,
    currency: oneOf(item, 'currency', ['USD'] as const),
    status: oneOf(item, 'status', ['ISSUED'] as const),
    runId: str(item, 'runId'),
    issuedAt,
  };
}

/** Ledger entries are mapped by the ledger store; re-exported for the bill's transaction and its tests. */
export { ledgerEntryToItem };

/** DynamoDB's limit on the actions of one transaction. */
export const MAX_TRANSACTION_ITEMS = 100;

/**
 * Clears the account record's finalBillDue flag when a final bill is issued, only while the flag
 * is still set, and bumps recordVersion (absent counts as 0) so that a lifecycle write that read
 * the account before the bill fails its optimistic lock and retries on the cleared record.
 */
function clearFinalBillDue(tableName: string, accountId: string) {
  return {
    Update: {
      TableName: tableName,
      Key: keys.account(accountId),
      UpdateExpression: 'SET #due = :false, #rv = if_not_exists(#rv, :zero) + :one',
      ConditionExpression: '#due = :true',
      ExpressionAttributeNames: { '#due': 'finalBillDue', '#rv': 'recordVersion' },
      ExpressionAttributeValues: { ':true': true, ':false': false, ':zero': 0, ':one': 1 },
    },
  };
}

/**
 * The actions that issue one bill: bill (first), ledger entry, audit event, ledger key, peaks,
 * each only if absent; and, for a final bill unless `clearsFlag` is false, the account's
 * finalBillDue update (last).
 */
function issueActions(tableName: string, { bill, entry, audit }: BillIssue, clearsFlag = true) {
  const notExists = 'attribute_not_exists(PK)';
  return [
    { Put: { TableName: tableName, Item: billToItem(bill), ConditionExpression: notExists, ReturnValuesOnConditionCheckFailure: 'ALL_OLD' as const } },
    { Put: { TableName: tableName, Item: ledgerEntryToItem(entry), ConditionExpression: notExists } },
    { Put: { TableName: tableName, Item: auditToItem(audit), ConditionExpression: notExists } },
    { Put: { TableName: tableName, Item: ledgerKeyItem(entry), ConditionExpression: notExists } },
    ...peakItemsOfBill(bill).map((Item) => ({ Put: { TableName: tableName, Item, ConditionExpression: notExists } })),
    ...(bill.finalBill && clearsFlag ? [clearFinalBillDue(tableName, bill.accountId)] : []),
  ];
}


export class DynamoBillStore implements BillStore {
  constructor(
    private readonly documentClient: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  async get(accountId: string, periodStart: string, billId: string): Promise<Bill | undefined> {
    const output = await storeCall('GetItem bill', () => this.documentClient.send(new GetCommand({ TableName: this.tableName, Key: keys.bill(accountId, periodStart, billId), ConsistentRead: true })));
    return output.Item ? billFromItem(output.Item) : undefined;
  }

  async listForAccount(accountId: string, limit: number, cursor?: string): Promise<Page<Bill>> {
    return newestFirstPage(this.documentClient, 'Query bills', { tableName: this.tableName, partition: keys.accountPartition(accountId), prefix: keys.BILL_PREFIX, limit, cursor }, billFromItem);
  }

  async getMany(billKeys: readonly BillKey[]): Promise<Map<string, Bill>> {
    if (billKeys.length === 0) return new Map();
    const items = await batchGet(this.documentClient, this.tableName, billKeys.map((key) => keys.bill(key.accountId, key.periodStart, key.billId)), { consistent: true });
    return new Map(items.map(billFromItem).map((bill) => [bill.billId, bill]));
  }

  /**
   * Packs the bills into transactions of at most MAX_TRANSACTION_ITEMS actions (whole bills
   * only), so a bill is still written with its ledger entry, audit event and peaks or not at
   * all. A transaction cancelled because one of its bills exists, or refused for any other
   * non-transient reason, is redone bill by bill, which gives each bill its own outcome.
   * Transient cancellations (conflicts, throttling) fail every bill of the group with
   * TransientStoreError: the caller retries, and the bills already written are then found.
   */
  async issueMany(issues: readonly BillIssue[]): Promise<IssueResult[]> {
    const results = new Array<IssueResult>(issues.length);
    const groups: Array<{ indexes: number[]; actions: ReturnType<typeof issueActions> }> = [];
    let group: (typeof groups)[number] | undefined;
    issues.forEach((issue, index) => {
      const actions = issueActions(this.tableName, issue);
      if (!group || group.actions.length + actions.length > MAX_TRANSACTION_ITEMS) {
        group = { indexes: [], actions: [] };
        groups.push(group);
      }
      group.indexes.push(index);
      group.actions.push(...actions);
    });
    await Promise.all(
      groups.map(async ({ indexes, actions }) => {
        try {
          if (indexes.length > 1) {
            await storeCall('TransactWrite bills', () => this.documentClient.send(new TransactWriteCommand({ TransactItems: actions })));
            for (const index of indexes) results[index] = { issued: true };
            return;
          }
        } catch (error) {
          if (error instanceof TransientStoreError || (error instanceof Error && error.name === 'TransactionCanceledException' && isTransientCancellation(cancellationReasons(error)))) {
            const failure = error instanceof TransientStoreError ? error : new TransientStoreError(`bills transaction cancelled: ${cancellationCodes(cancellationReasons(error)).join(', ')}`, { cause: error });
            for (const index of indexes) results[index] = { issued: false, error: failure };
            return;
          }
          // a bill of the group exists, or one bill is refused: find out bill by bill
        }
        for (const index of indexes) {
          const { bill, entry, audit } = issues[index]!;
          try {
            results[index] = await this.issue(bill, entry, audit);
          } catch (error) {
            results[index] = { issued: false, error };
          }
        }
      }),
    );
    return results;
  }

  /**
   * Issues one bill. A final bill whose account no longer says finalBillDue (reopened, or cleared
   * already) is issued again without the account update: the bill never waits on the flag.
   */
  async issue(bill: Bill, entry: LedgerEntry, audit: AuditEvent): Promise<IssueOutcome> {
    return this.issueOnce(bill, entry, audit, true);
  }

  private async issueOnce(bill: Bill, entry: LedgerEntry, audit: AuditEvent, clearsFlag: boolean): Promise<IssueOutcome> {
    const actions = issueActions(this.tableName, { bill, entry, audit }, clearsFlag);
    try {
      await storeCall('TransactWrite bill', () => this.documentClient.send(new TransactWriteCommand({ TransactItems: actions })));
      return { issued: true };
    } catch (error) {
      if (!(error instanceof Error) || error.name !== 'TransactionCanceledException') throw error;
      const reasons = cancellationReasons(error);
      const failed = reasons.flatMap((reason, index) => (reason.Code === 'ConditionalCheckFailed' ? [index] : []));
      const accountIndex = actions.findIndex((action) => 'Update' in action);
      if (accountIndex >= 0 && failed.length === 1 && failed[0] === accountIndex) return this.issueOnce(bill, entry, audit, false);
      if (reasons[0]?.Code === 'ConditionalCheckFailed') {
        const old = plainItem(reasons[0].Item);
        return { issued: false, existing: old ? billFromItem(old) : await this.get(bill.accountId, bill.periodStart, bill.billId) };
      }
      if (isTransientCancellation(reasons)) {
        throw new TransientStoreError(`bill ${bill.billId} transaction cancelled: ${cancellationCodes(reasons).join(', ')}`, { cause: error });
      }
      if (reasons.some((reason) => reason.Code === 'ConditionalCheckFailed')) {
        throw new ConflictError(`bill ${bill.billId}: its ledger entry or audit event exists without the bill`);
      }
      throw error;
    }
  }
}
