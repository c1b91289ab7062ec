/**
 * Bills and their ledger entries. Issuing a bill writes the bill, its ledger entry with its
 * idempotency item, its history item (total, usage and peaks for later bills) and its audit event
 * in one transaction that is cancelled when the bill already exists. A final bill also clears its
 * account's finalBillDue flag in that transaction. A held bill is written with its review record
 * (the bill exception queue) and its audit event instead, and posts nothing until released.
 */
import { GetCommand, TransactWriteCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { AuditEvent } from '../domain/audit';
import { HELD_BILL_STATUSES, type HeldBill } from '../domain/bill-exceptions';
import { BILL_STATUSES, DEFAULT_DUE_DAYS, ESTIMATE_METHODS, historyEntryOf, type Bill, type BillHistoryEntry, type BillLine, type BillService } from '../domain/billing';
import { addDays } from '../domain/calendar';
import { serviceTypeOfUnit } from '../domain/customers/lifecycle';
import { SERVICE_TYPES } from '../domain/customers/model';
import { ConflictError } from '../domain/errors';
import type { LedgerEntry } from '../domain/ledger';
import { UNITS } from '../domain/units';
import { BillNotHeld, BillNotIssued, CorruptRecord, TransientStoreError } from '../app/errors';
import type { BillCancel, BillIssue, BillKey, BillRebill, BillRelease, BillStore, HeldBillStore, IssueOutcome, IssueResult, Page, RebillMark, RebillStore } from '../app/ports';
import { auditToItem } from './audit-item';
import { batchGet, cancellationCodes, cancellationReasons, decodeCursor, isTransientCancellation, newestFirstPage, plainItem, queryAll, queryPage, storeCall, type Item } from './dynamo';
import { decimalStr, int, map, oneOf, optStr, str } from './item';
import { GSI2, keys, TYPE_BILL_EXCEPTION } from './keys';
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
    services: bill.services.map((service) => ({ ...service, usage: { ...service.usage }, lines: service.lines.map((line) => ({ ...line })), ...(service.unbillable ? { unbillable: { ...service.unbillable } } : {}) })),
    total: bill.total,
    dueDate: bill.dueDate,
    finalBill: bill.finalBill,
    currency: bill.currency,
    status: bill.status,
    runId: bill.runId,
    issuedAt: bill.issuedAt,
    ...(bill.revision !== undefined ? { revision: bill.revision } : {}),
    ...(bill.estimated ? { estimated: true } : {}),
    ...(bill.holds ? { holds: bill.holds.map((hold) => ({ ...hold })) } : {}),
    ...(bill.review ? { review: { ...bill.review } } : {}),
    ...(bill.replacedBy ? { replacedBy: { ...bill.replacedBy } } : {}),
    ...(bill.replaces ? { replaces: { ...bill.replaces, corrections: bill.replaces.corrections.map((c) => ({ ...c })) } } : {}),
  };
}

/** The history item of a posted bill (no lines: only what later bills' checks, estimates and ratchets read). */
export function billHistoryToItem(accountId: string, entry: BillHistoryEntry): Item {
  return { ...keys.billHistory(accountId, entry.periodStart, entry.billId), type: 'BILL_HISTORY', ...entry, services: entry.services.map((service) => ({ ...service })) };
}

export function billHistoryFromItem(item: Item): BillHistoryEntry {
  const services = item['services'];
  if (!Array.isArray(services)) throw new CorruptRecord(`bill history ${String(item['SK'])}: services is not a list`);
  return {
    billId: str(item, 'billId'),
    periodStart: str(item, 'periodStart'),
    periodEnd: str(item, 'periodEnd'),
    total: decimalStr(item, 'total'),
    estimated: item['estimated'] === true,
    services: services.map((value: unknown) => {
      const service = asMap(value, 'a bill history service');
      const peakKw = service['peakKw'] === undefined ? undefined : decimalStr(service, 'peakKw');
      return {
        agreementId: str(service, 'agreementId'),
        periodStart: str(service, 'periodStart'),
        periodEnd: str(service, 'periodEnd'),
        quantity: decimalStr(service, 'quantity'),
        unit: str(service, 'unit'),
        estimated: service['estimated'] === true,
        ...(peakKw !== undefined ? { peakKw } : {}),
      };
    }),
  };
}

export function heldBillToItem(held: HeldBill): Item {
  return {
    ...keys.heldBill(held.billId),
    ...(held.status === 'OPEN' ? keys.heldBillQueue(held.heldAt, held.billId) : {}),
    type: 'BILL_EXCEPTION',
    ...held,
    reasons: held.holds.map((hold) => hold.reason),
    holds: held.holds.map((hold) => ({ ...hold })),
    ...(held.review ? { review: { ...held.review } } : {}),
  };
}

export function heldBillFromItem(item: Item): HeldBill {
  const holds = item['holds'];
  if (!Array.isArray(holds)) throw new CorruptRecord(`bill exception ${String(item['PK'])}: holds is not a list`);
  const review = item['review'] === undefined ? undefined : reviewFromItem(map(item, 'review'));
  return {
    billId: str(item, 'billId'),
    accountId: str(item, 'accountId'),
    customerId: str(item, 'customerId'),
    cycle: str(item, 'cycle'),
    periodStart: str(item, 'periodStart'),
    periodEnd: str(item, 'periodEnd'),
    runId: str(item, 'runId'),
    total: decimalStr(item, 'total'),
    heldAt: str(item, 'heldAt'),
    holds: holds.map((value: unknown) => {
      const hold = asMap(value, 'a hold');
      return { reason: str(hold, 'reason'), message: str(hold, 'message') };
    }),
    status: oneOf(item, 'status', HELD_BILL_STATUSES),
    ...(review ? { review } : {}),
  };
}

function reviewFromItem(item: Item): NonNullable<Bill['review']> {
  const note = optStr(item, 'note');
  return { action: oneOf(item, 'action', ['released', 'cancelled'] as const), at: str(item, 'at'), by: str(item, 'by'), ...(note ? { note } : {}) };
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
    ...(item['estimated'] === true ? { estimated: true, estimateMethod: oneOf(item, 'estimateMethod', ESTIMATE_METHODS) } : {}),
    ...(item['unbillable'] !== undefined ? { unbillable: { reason: str(map(item, 'unbillable'), 'reason'), message: str(map(item, 'unbillable'), 'message') } } : {}),
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
    status: oneOf(item, 'status', BILL_STATUSES),
    runId: str(item, 'runId'),
    issuedAt,
    ...(item['revision'] !== undefined ? { revision: int(item, 'revision') } : {}),
    ...(item['estimated'] === true ? { estimated: true } : {}),
    ...(Array.isArray(item['holds']) ? { holds: (item['holds'] as unknown[]).map((value) => { const hold = asMap(value, 'a hold'); return { reason: str(hold, 'reason'), message: str(hold, 'message') }; }) } : {}),
    ...(item['review'] !== undefined ? { review: reviewFromItem(map(item, 'review')) } : {}),
    ...(item['replacedBy'] !== undefined ? { replacedBy: replacedByFromItem(map(item, 'replacedBy')) } : {}),
    ...(item['replaces'] !== undefined ? { replaces: replacesFromItem(map(item, 'replaces')) } : {}),
  };
}

function replacedByFromItem(item: Item): NonNullable<Bill['replacedBy']> {
  return { billId: str(item, 'billId'), reason: str(item, 'reason'), at: str(item, 'at'), by: str(item, 'by') };
}

function replacesFromItem(item: Item): NonNullable<Bill['replaces']> {
  const corrections = item['corrections'];
  if (!Array.isArray(corrections)) throw new CorruptRecord(`bill replacement ${String(item['billId'])}: corrections is not a list`);
  return {
    billId: str(item, 'billId'),
    reason: str(item, 'reason'),
    message: str(item, 'message'),
    corrections: corrections.map((value: unknown) => {
      const c = asMap(value, 'a bill correction');
      const what = oneOf(c, 'what', ['usage', 'line', 'line-added', 'line-removed', 'service-added', 'service-removed', 'total'] as const);
      return { what, description: str(c, 'description'), ...optional(c, 'agreementId'), ...optional(c, 'serviceType'), ...optional(c, 'before'), ...optional(c, 'after') };
    }),
  };
}

function optional(item: Item, name: string): Record<string, string> {
  const value = optStr(item, name);
  return value === undefined ? {} : { [name]: value };
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

const NOT_EXISTS = 'attribute_not_exists(PK)';

/** What posting a bill writes besides the bill: ledger entry, audit event, ledger key, history item (with the bill's peaks). */
function postingPuts(tableName: string, bill: Bill, entry: LedgerEntry, audit: AuditEvent) {
  return [
    { Put: { TableName: tableName, Item: ledgerEntryToItem(entry), ConditionExpression: NOT_EXISTS } },
    { Put: { TableName: tableName, Item: auditToItem(audit), ConditionExpression: NOT_EXISTS } },
    { Put: { TableName: tableName, Item: ledgerKeyItem(entry), ConditionExpression: NOT_EXISTS } },
    { Put: { TableName: tableName, Item: billHistoryToItem(bill.accountId, historyEntryOf(bill)), ConditionExpression: NOT_EXISTS } },
  ];
}

/**
 * The actions that write one bill, each only if absent, the bill first. ISSUED: bill, ledger
 * entry, audit event, ledger key, history item; and, for a final bill unless `clearsFlag` is
 * false, the account's finalBillDue update (last). HELD: bill, audit event, review record.
 */
function issueActions(tableName: string, { bill, entry, audit, held }: BillIssue, clearsFlag = true) {
  const billPut = { Put: { TableName: tableName, Item: billToItem(bill), ConditionExpression: NOT_EXISTS, ReturnValuesOnConditionCheckFailure: 'ALL_OLD' as const } };
  if (bill.status === 'HELD') {
    if (!held) throw new Error(`held bill ${bill.billId} comes without its review record`);
    return [billPut, { Put: { TableName: tableName, Item: auditToItem(audit), ConditionExpression: NOT_EXISTS } }, { Put: { TableName: tableName, Item: heldBillToItem(held), ConditionExpression: NOT_EXISTS } }];
  }
  if (bill.status !== 'ISSUED' || !entry) throw new Error(`bill ${bill.billId} is ${bill.status}${entry ? '' : ' without a ledger entry'}: only ISSUED bills with their entry or HELD bills are written`);
  return [billPut, ...postingPuts(tableName, bill, entry, audit), ...(bill.finalBill && clearsFlag ? [clearFinalBillDue(tableName, bill.accountId)] : [])];
}

type TransactItems = NonNullable<ConstructorParameters<typeof TransactWriteCommand>[0]['TransactItems']>;

export class DynamoBillStore implements BillStore, HeldBillStore, RebillStore {
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
          try {
            results[index] = await this.issueOnce(issues[index]!, true);
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
    return this.issueOnce({ bill, entry, audit }, true);
  }

  private async issueOnce(issue: BillIssue, clearsFlag: boolean): Promise<IssueOutcome> {
    const { bill } = issue;
    const actions = issueActions(this.tableName, issue, clearsFlag);
    try {
      await storeCall('TransactWrite bill', () => this.documentClient.send(new TransactWriteCommand({ TransactItems: actions })));
      return { issued: true };
    } catch (error) {
      if (!(error instanceof Error) || error.name !== 'TransactionCanceledException') throw error;
      const reasons = cancellationReasons(error);
      const failed = reasons.flatMap((reason, index) => (reason.Code === 'ConditionalCheckFailed' ? [index] : []));
      const accountIndex = actions.findIndex((action) => 'Update' in action);
      if (accountIndex >= 0 && failed.length === 1 && failed[0] === accountIndex) return this.issueOnce(issue, false);
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

  async getHeld(billId: string): Promise<HeldBill | undefined> {
    const output = await storeCall('GetItem bill exception', () => this.documentClient.send(new GetCommand({ TableName: this.tableName, Key: keys.heldBill(billId), ConsistentRead: true })));
    return output.Item ? heldBillFromItem(output.Item) : undefined;
  }

  async listHeld(query: { reason?: string | undefined; limit: number; cursor?: string | undefined }): Promise<Page<HeldBill>> {
    return queryPage(
      this.documentClient,
      'Query bill exceptions',
      {
        TableName: this.tableName,
        IndexName: GSI2,
        KeyConditionExpression: 'GSI2PK = :p',
        ...(query.reason ? { FilterExpression: 'contains(#reasons, :reason)', ExpressionAttributeNames: { '#reasons': 'reasons' } } : {}),
        ExpressionAttributeValues: { ':p': TYPE_BILL_EXCEPTION, ...(query.reason ? { ':reason': query.reason } : {}) },
        ScanIndexForward: false,
        Limit: query.limit,
        ExclusiveStartKey: decodeCursor(query.cursor, { GSI2PK: TYPE_BILL_EXCEPTION }, ['PK', 'SK', 'GSI2PK', 'GSI2SK']),
      },
      heldBillFromItem,
    );
  }

  async release(change: BillRelease): Promise<void> {
    const { bill, entry, exception, audit } = change;
    const actions = (clearsFlag: boolean): TransactItems => [
      this.reviewBill(bill, 'ISSUED', { issuedAt: bill.issuedAt, dueDate: bill.dueDate }),
      this.resolveHeld(exception),
      ...postingPuts(this.tableName, bill, entry, audit),
      ...(bill.finalBill && clearsFlag ? [clearFinalBillDue(this.tableName, bill.accountId)] : []),
    ];
    await this.review(bill.billId, 'release', actions);
  }

  async listRebillMarks(accountId: string, billId: string): Promise<RebillMark[]> {
    const items = await queryAll(this.documentClient, 'Query rebill marks', {
      TableName: this.tableName,
      KeyConditionExpression: 'PK = :pk AND begins_with(SK, :prefix)',
      ExpressionAttributeValues: { ':pk': keys.accountPartition(accountId), ':prefix': `REBILL#${billId}#` },
      ConsistentRead: true,
    });
    return items.map((item) => ({ accountId, billId, exceptionId: str(item, 'exceptionId'), ...optional(item, 'meterId'), ...optional(item, 'day') }));
  }

  /**
   * Cancel and rebill in one transaction: the original ISSUED -> CANCELLED (only while ISSUED),
   * the reversal of its ledger entry with its ledger key, its history item removed, the
   * replacement written as issuing writes it (a final bill's account flag is not touched again),
   * the audit event, and the rebill marks removed.
   */
  async rebill(change: BillRebill): Promise<void> {
    const { original, reversal, replacement, audit, marks } = change;
    const replacementActions = issueActions(this.tableName, replacement, false);
    const items: TransactItems = [
      {
        Update: {
          TableName: this.tableName,
          Key: keys.bill(original.accountId, original.periodStart, original.billId),
          UpdateExpression: 'SET #status = :cancelled, #replacedBy = :replacedBy',
          ConditionExpression: '#status = :issued',
          ExpressionAttributeNames: { '#status': 'status', '#replacedBy': 'replacedBy' },
          ExpressionAttributeValues: { ':cancelled': 'CANCELLED', ':issued': 'ISSUED', ':replacedBy': { ...original.replacedBy } },
        },
      },
      { Put: { TableName: this.tableName, Item: ledgerEntryToItem(reversal), ConditionExpression: NOT_EXISTS } },
      { Put: { TableName: this.tableName, Item: ledgerKeyItem(reversal), ConditionExpression: NOT_EXISTS } },
      { Delete: { TableName: this.tableName, Key: keys.billHistory(original.accountId, original.periodStart, original.billId) } },
      ...replacementActions,
      { Put: { TableName: this.tableName, Item: auditToItem(audit), ConditionExpression: NOT_EXISTS } },
      ...marks.map((exceptionId) => ({ Delete: { TableName: this.tableName, Key: keys.rebillMark(original.accountId, original.billId, exceptionId) } })),
    ];
    if (items.length > MAX_TRANSACTION_ITEMS) throw new ConflictError(`bill ${original.billId} has too many rebill marks (${marks.length}) for one transaction`);
    try {
      await storeCall('TransactWrite rebill', () => this.documentClient.send(new TransactWriteCommand({ TransactItems: items })));
    } catch (error) {
      if (!(error instanceof Error) || error.name !== 'TransactionCanceledException') throw error;
      const reasons = cancellationReasons(error);
      if (isTransientCancellation(reasons)) throw new TransientStoreError(`rebill of ${original.billId} cancelled: ${cancellationCodes(reasons).join(', ')}`, { cause: error });
      const failed = reasons.findIndex((reason) => reason.Code === 'ConditionalCheckFailed');
      if (failed === 0) throw new BillNotIssued(`bill ${original.billId} is no longer ISSUED: it was rebilled or changed meanwhile`);
      if (failed > 0) throw new ConflictError(`bill ${original.billId}: its reversal or replacement ${replacement.bill.billId} exists already`);
      throw error;
    }
  }

  async cancel(change: BillCancel): Promise<void> {
    const { bill, exception, audit } = change;
    await this.review(bill.billId, 'cancel', () => [
      this.reviewBill(bill, 'CANCELLED', {}),
      this.resolveHeld(exception),
      { Put: { TableName: this.tableName, Item: auditToItem(audit), ConditionExpression: NOT_EXISTS } },
    ]);
  }

  /** The held bill's update to `status` with its review, only while it is HELD. */
  private reviewBill(bill: Bill, status: 'ISSUED' | 'CANCELLED', set: Record<string, string>) {
    const names: Record<string, string> = { '#status': 'status', '#review': 'review' };
    const values: Record<string, unknown> = { ':status': status, ':held': 'HELD', ':review': { ...bill.review } };
    const sets = ['#status = :status', '#review = :review'];
    for (const [name, value] of Object.entries(set)) {
      names[`#${name}`] = name;
      values[`:${name}`] = value;
      sets.push(`#${name} = :${name}`);
    }
    return { Update: { TableName: this.tableName, Key: keys.bill(bill.accountId, bill.periodStart, bill.billId), UpdateExpression: `SET ${sets.join(', ')}`, ConditionExpression: '#status = :held', ExpressionAttributeNames: names, ExpressionAttributeValues: values } };
  }

  /** The review record's update out of the queue (its GSI2 keys removed), only while it is OPEN. */
  private resolveHeld(exception: HeldBill) {
    return {
      Update: {
        TableName: this.tableName,
        Key: keys.heldBill(exception.billId),
        UpdateExpression: 'SET #status = :status, #review = :review REMOVE GSI2PK, GSI2SK',
        ConditionExpression: '#status = :open',
        ExpressionAttributeNames: { '#status': 'status', '#review': 'review' },
        ExpressionAttributeValues: { ':status': exception.status, ':open': 'OPEN', ':review': { ...exception.review } },
      },
    };
  }

  /**
   * Runs a review transaction. The bill or the record no longer held/open: ConflictError. Only a
   * final bill's account flag already cleared: redone without the account update, as issuing does.
   */
  private async review(billId: string, what: 'release' | 'cancel', actions: (clearsFlag: boolean) => TransactItems, clearsFlag = true): Promise<void> {
    const items = actions(clearsFlag);
    try {
      await storeCall(`TransactWrite bill ${what}`, () => this.documentClient.send(new TransactWriteCommand({ TransactItems: items })));
    } catch (error) {
      if (!(error instanceof Error) || error.name !== 'TransactionCanceledException') throw error;
      const reasons = cancellationReasons(error);
      const failed = reasons.flatMap((reason, index) => (reason.Code === 'ConditionalCheckFailed' ? [index] : []));
      const accountIndex = items.findIndex((item) => item.Update?.Key?.['SK'] === 'ACCOUNT');
      if (accountIndex >= 0 && failed.length === 1 && failed[0] === accountIndex) return this.review(billId, what, actions, false);
      if (isTransientCancellation(reasons)) throw new TransientStoreError(`bill ${billId} ${what} cancelled: ${cancellationCodes(reasons).join(', ')}`, { cause: error });
      if (failed.includes(0) || failed.includes(1)) throw new BillNotHeld(`bill ${billId} is no longer held: it was released or cancelled meanwhile`);
      if (failed.length > 0) throw new ConflictError(`bill ${billId}: its ledger entry, history or audit event exists already`);
      throw error;
    }
  }
}
