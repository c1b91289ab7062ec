/**
 * The ledger in DynamoDB. An entry is one item in its account's partition (LEDGER#postedAt#id);
 * beside it an idempotency item (LEDGERKEY#key) is written with attribute_not_exists in the same
 * transaction, so a business key posts at most once whatever the entry id or time. Payments are
 * items of their own (PAYMENT#id, listed per account through GSI1); idempotent requests keep
 * their answer in IDEMPOTENCY# items until they expire.
 */
import { randomUUID } from 'node:crypto';
import { DeleteCommand, GetCommand, PutCommand, TransactWriteCommand, UpdateCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { ADJUSTMENT_REQUEST_STATUSES, type AdjustmentRequest, type AdjustmentRequestStatus } from '../domain/adjustment-approval';
import { ARRANGEMENT_REQUEST_STATUSES, type ArrangementRequest } from '../domain/arrangement-requests';
import { ARRANGEMENT_STATUSES, type Arrangement } from '../domain/arrangements';
import { BUDGET_STATUSES, type BudgetPlan } from '../domain/budget';
import { DEPOSIT_STATUSES, type Deposit } from '../domain/deposits';
import type { Dispute } from '../domain/disputes';
import { ENTRY_KINDS, LEDGER_ACCOUNTS, type LedgerEntry, type Posting } from '../domain/ledger';
import { PAYMENT_CHANNELS, PAYMENT_METHODS, type Payment } from '../domain/payments';
import { CorruptRecord, TransientStoreError } from '../app/errors';
import { LedgerWriteRefused } from '../app/payments/errors';
import type { LedgerStore, LedgerWrite, RequestRecord, RequestSlot } from '../app/payments/ports';
import type { Page } from '../app/ports';
import { auditToItem } from './audit-item';
import { batchGet, cancellationCodes, cancellationReasons, decodeCursor, isConditionalCheckFailed, isTransientCancellation, newestFirstPage, plainItem, queryAll, queryPage, storeCall, type Item } from './dynamo';
import { decimalStr, int, map, oneOf, optStr, str } from './item';
import { GSI1, GSI2, keys } from './keys';

/** Answers of idempotent requests are kept this long (a client retries within hours, not months). */
export const REQUEST_RETENTION_DAYS = 30;

function postingToItem(posting: Posting): Item {
  return { ledgerAccount: posting.ledgerAccount, side: posting.side, amount: posting.amount, ...(posting.service ? { service: posting.service } : {}), ...(posting.appliesTo ? { appliesTo: posting.appliesTo } : {}) };
}

export function ledgerEntryToItem(entry: LedgerEntry): Item {
  return {
    ...keys.ledgerEntry(entry.accountId, entry.postedAt, entry.entryId),
    type: 'LEDGER_ENTRY',
    entryId: entry.entryId,
    accountId: entry.accountId,
    postedAt: entry.postedAt,
    kind: entry.kind,
    idempotencyKey: entry.idempotencyKey,
    description: entry.description,
    postings: entry.postings.map(postingToItem),
    ...(entry.dueDate ? { dueDate: entry.dueDate } : {}),
    ...(entry.reverses ? { reverses: entry.reverses } : {}),
    ...(entry.billId ? { billId: entry.billId } : {}),
    ...(entry.paymentId ? { paymentId: entry.paymentId } : {}),
    ...(entry.actor ? { actor: entry.actor } : {}),
  };
}

/** The idempotency item of an entry: one per account and business key. */
export function ledgerKeyItem(entry: LedgerEntry): Item {
  return { ...keys.ledgerKey(entry.accountId, entry.idempotencyKey), type: 'LEDGER_KEY', entryId: entry.entryId, postedAt: entry.postedAt, kind: entry.kind };
}

function postingFromItem(value: unknown, owner: Item): Posting {
  if (typeof value !== 'object' || value === null) throw new CorruptRecord(`item ${String(owner['PK'])} / ${String(owner['SK'])}: a posting is not a map`);
  const item = value as Item;
  const service = optStr(item, 'service');
  const appliesTo = optStr(item, 'appliesTo');
  return { ledgerAccount: oneOf(item, 'ledgerAccount', LEDGER_ACCOUNTS), side: oneOf(item, 'side', ['debit', 'credit'] as const), amount: decimalStr(item, 'amount'), ...(service ? { service } : {}), ...(appliesTo ? { appliesTo } : {}) };
}

/** Reads entries written by the bill store, the payment use cases and `cis import-records` (OPENING_BALANCE). */
export function ledgerEntryFromItem(item: Item): LedgerEntry {
  const postings = item['postings'];
  if (!Array.isArray(postings)) throw new CorruptRecord(`item ${String(item['PK'])} / ${String(item['SK'])}: postings is not a list`);
  const optional = (name: 'dueDate' | 'reverses' | 'billId' | 'paymentId' | 'actor') => {
    const value = optStr(item, name);
    return value ? { [name]: value } : {};
  };
  return {
    entryId: str(item, 'entryId'),
    accountId: str(item, 'accountId'),
    postedAt: str(item, 'postedAt'),
    kind: oneOf(item, 'kind', ENTRY_KINDS),
    idempotencyKey: str(item, 'idempotencyKey'),
    description: str(item, 'description'),
    postings: postings.map((posting) => postingFromItem(posting, item)),
    ...optional('dueDate'),
    ...optional('reverses'),
    ...optional('billId'),
    ...optional('paymentId'),
    ...optional('actor'),
  };
}

export function paymentToItem(payment: Payment): Item {
  return {
    ...keys.payment(payment.paymentId),
    ...keys.paymentOfAccount(payment.accountId, payment.receivedAt, payment.paymentId),
    type: 'PAYMENT',
    ...payment,
    allocations: payment.allocations.map((a) => ({ service: a.service, amount: a.amount })),
    ...(payment.arrangement ? { arrangement: { arrangementId: payment.arrangement.arrangementId, amount: payment.arrangement.amount } } : {}),
  };
}

export function paymentFromItem(item: Item): Payment {
  const allocations = item['allocations'];
  if (!Array.isArray(allocations)) throw new CorruptRecord(`item ${String(item['PK'])} / ${String(item['SK'])}: allocations is not a list`);
  const optional = (name: 'reference' | 'provider' | 'service' | 'returnedAt' | 'returnReason' | 'returnEntryId' | 'feeEntryId' | 'traceNumber' | 'debitDate' | 'bankFileId') => {
    const value = optStr(item, name);
    return value ? { [name]: value } : {};
  };
  return {
    paymentId: str(item, 'paymentId'),
    accountId: str(item, 'accountId'),
    amount: decimalStr(item, 'amount'),
    method: oneOf(item, 'method', PAYMENT_METHODS),
    channel: oneOf(item, 'channel', PAYMENT_CHANNELS),
    status: oneOf(item, 'status', ['POSTED', 'RETURNED'] as const),
    receivedAt: str(item, 'receivedAt'),
    allocations: allocations.map((a) => ({ service: str(a as Item, 'service'), amount: decimalStr(a as Item, 'amount') })),
    credit: decimalStr(item, 'credit'),
    entryId: str(item, 'entryId'),
    actor: str(item, 'actor'),
    ...optional('reference'),
    ...optional('provider'),
    ...optional('service'),
    ...optional('returnedAt'),
    ...optional('returnReason'),
    ...optional('returnEntryId'),
    ...optional('feeEntryId'),
    ...optional('traceNumber'),
    ...optional('debitDate'),
    ...optional('bankFileId'),
    ...(item['bankFileLine'] !== undefined ? { bankFileLine: int(item, 'bankFileLine') } : {}),
    ...(item['arrangement'] ? { arrangement: { arrangementId: str(map(item, 'arrangement'), 'arrangementId'), amount: decimalStr(map(item, 'arrangement'), 'amount') } } : {}),
  };
}

export function arrangementToItem(arrangement: Arrangement): Item {
  return { ...keys.arrangement(arrangement.accountId, arrangement.arrangementId), type: 'ARRANGEMENT', ...arrangement, installments: arrangement.installments.map((i) => ({ ...i })), coveredCharges: [...arrangement.coveredCharges] };
}

export function arrangementFromItem(item: Item): Arrangement {
  const installments = item['installments'];
  const covered = item['coveredCharges'];
  if (!Array.isArray(installments) || !Array.isArray(covered)) throw new CorruptRecord(`item ${String(item['PK'])} / ${String(item['SK'])}: installments or coveredCharges is not a list`);
  const optional = (name: 'closedAt' | 'closedBy' | 'closeReason') => {
    const value = optStr(item, name);
    return value ? { [name]: value } : {};
  };
  return {
    arrangementId: str(item, 'arrangementId'),
    accountId: str(item, 'accountId'),
    status: oneOf(item, 'status', ARRANGEMENT_STATUSES),
    amount: decimalStr(item, 'amount'),
    downPayment: decimalStr(item, 'downPayment'),
    installments: installments.map((i) => ({ number: int(i as Item, 'number'), dueDate: str(i as Item, 'dueDate'), amount: decimalStr(i as Item, 'amount') })),
    coveredCharges: covered.map((id) => String(id)),
    graceDays: int(item, 'graceDays'),
    createdAt: str(item, 'createdAt'),
    createdBy: str(item, 'createdBy'),
    ...optional('closedAt'),
    ...optional('closedBy'),
    ...optional('closeReason'),
  };
}

export function arrangementRequestToItem(request: ArrangementRequest): Item {
  return {
    ...keys.arrangementRequest(request.accountId, request.requestId),
    ...(request.status === 'PENDING' ? keys.pendingArrangementRequest(request.requestedAt, request.accountId, request.requestId) : {}),
    type: 'ARRANGEMENT_REQUEST',
    ...request,
  };
}

export function arrangementRequestFromItem(item: Item): ArrangementRequest {
  const optional = (name: 'reason' | 'decidedAt' | 'decidedBy' | 'decisionReason' | 'arrangementId') => {
    const value = optStr(item, name);
    return value ? { [name]: value } : {};
  };
  return {
    requestId: str(item, 'requestId'),
    accountId: str(item, 'accountId'),
    customerId: str(item, 'customerId'),
    status: oneOf(item, 'status', ARRANGEMENT_REQUEST_STATUSES),
    installments: int(item, 'installments'),
    pastDue: decimalStr(item, 'pastDue'),
    requestedAt: str(item, 'requestedAt'),
    requestedBy: str(item, 'requestedBy'),
    ...optional('reason'),
    ...optional('decidedAt'),
    ...optional('decidedBy'),
    ...optional('decisionReason'),
    ...optional('arrangementId'),
  };
}

export function disputeToItem(dispute: Dispute): Item {
  return { ...keys.dispute(dispute.accountId, dispute.disputeId), type: 'DISPUTE', ...dispute, entryIds: [...dispute.entryIds] };
}

export function disputeFromItem(item: Item): Dispute {
  const entryIds = item['entryIds'];
  if (!Array.isArray(entryIds)) throw new CorruptRecord(`item ${String(item['PK'])} / ${String(item['SK'])}: entryIds is not a list`);
  const optional = (name: 'closedAt' | 'closedBy' | 'resolution') => {
    const value = optStr(item, name);
    return value ? { [name]: value } : {};
  };
  return {
    disputeId: str(item, 'disputeId'),
    accountId: str(item, 'accountId'),
    status: oneOf(item, 'status', ['OPEN', 'CLOSED'] as const),
    entryIds: entryIds.map((id) => String(id)),
    amount: decimalStr(item, 'amount'),
    reason: str(item, 'reason'),
    openedAt: str(item, 'openedAt'),
    openedBy: str(item, 'openedBy'),
    ...optional('closedAt'),
    ...optional('closedBy'),
    ...optional('resolution'),
  };
}

export function adjustmentRequestToItem(request: AdjustmentRequest): Item {
  return { ...keys.adjustmentRequest(request.accountId, request.requestId), ...keys.adjustmentRequestByStatus(request.status, request.requestedAt, request.accountId, request.requestId), type: 'ADJUSTMENT_REQUEST', ...request };
}

export function adjustmentRequestFromItem(item: Item): AdjustmentRequest {
  const optional = (name: 'service' | 'decidedBy' | 'decidedAt' | 'decisionReason' | 'entryId') => {
    const value = optStr(item, name);
    return value ? { [name]: value } : {};
  };
  return {
    requestId: str(item, 'requestId'),
    accountId: str(item, 'accountId'),
    amount: decimalStr(item, 'amount'),
    direction: oneOf(item, 'direction', ['debit', 'credit'] as const),
    reason: str(item, 'reason'),
    status: oneOf(item, 'status', ADJUSTMENT_REQUEST_STATUSES),
    requestedBy: str(item, 'requestedBy'),
    requestedAt: str(item, 'requestedAt'),
    approvalLimit: decimalStr(item, 'approvalLimit'),
    ...optional('service'),
    ...optional('decidedBy'),
    ...optional('decidedAt'),
    ...optional('decisionReason'),
    ...optional('entryId'),
  };
}

export function depositToItem(deposit: Deposit): Item {
  return {
    ...keys.deposit(deposit.accountId, deposit.depositId),
    ...(deposit.status === 'BILLED' ? keys.heldDeposit(deposit.accountId, deposit.depositId) : {}),
    type: 'DEPOSIT',
    ...deposit,
    ...(deposit.refund ? { refund: { ...deposit.refund } } : {}),
  };
}

export function depositFromItem(item: Item): Deposit {
  const optional = (name: 'entryId' | 'dueDate' | 'interestThrough' | 'refundedAt' | 'refundedBy' | 'refundEntryId') => {
    const value = optStr(item, name);
    return value ? { [name]: value } : {};
  };
  const refund = item['refund'] ? map(item, 'refund') : undefined;
  return {
    depositId: str(item, 'depositId'),
    accountId: str(item, 'accountId'),
    status: oneOf(item, 'status', DEPOSIT_STATUSES),
    amount: decimalStr(item, 'amount'),
    reason: str(item, 'reason'),
    createdAt: str(item, 'createdAt'),
    createdBy: str(item, 'createdBy'),
    ...optional('entryId'),
    ...optional('dueDate'),
    ...optional('interestThrough'),
    ...optional('refundedAt'),
    ...optional('refundedBy'),
    ...optional('refundEntryId'),
    ...(refund
      ? {
          refund: {
            principal: decimalStr(refund, 'principal'),
            interest: decimalStr(refund, 'interest'),
            appliedToBalance: decimalStr(refund, 'appliedToBalance'),
            credited: decimalStr(refund, 'credited'),
            refunded: decimalStr(refund, 'refunded'),
            cancelledUnpaid: decimalStr(refund, 'cancelledUnpaid'),
          },
        }
      : {}),
  };
}

export function budgetToItem(plan: BudgetPlan): Item {
  return { ...keys.budget(plan.accountId), type: 'BUDGET', ...plan };
}

export function budgetFromItem(item: Item): BudgetPlan {
  const optional = (name: 'endedAt' | 'endedBy') => {
    const value = optStr(item, name);
    return value ? { [name]: value } : {};
  };
  const endReason = optStr(item, 'endReason');
  return {
    accountId: str(item, 'accountId'),
    status: oneOf(item, 'status', BUDGET_STATUSES),
    levelizedAmount: decimalStr(item, 'levelizedAmount'),
    basis: oneOf(item, 'basis', ['history', 'estimate', 'staff'] as const),
    billsConsidered: int(item, 'billsConsidered'),
    enrolledAt: str(item, 'enrolledAt'),
    enrolledBy: str(item, 'enrolledBy'),
    anniversary: str(item, 'anniversary'),
    billsSinceCalculation: int(item, 'billsSinceCalculation'),
    trueUps: int(item, 'trueUps'),
    version: int(item, 'version'),
    ...optional('endedAt'),
    ...optional('endedBy'),
    ...(endReason ? { endReason: oneOf(item, 'endReason', ['unenrolled', 'final-bill'] as const) } : {}),
  };
}

function webhookEventItem(event: { eventId: string; type: string; receivedAt: string }): Item {
  return { ...keys.webhookEvent(event.eventId), type: 'WEBHOOK_EVENT', eventId: event.eventId, eventType: event.type, receivedAt: event.receivedAt };
}


function slotFromItem(item: Item): RequestSlot {
  const fingerprint = str(item, 'fingerprint');
  if (item['status'] === 'DONE') {
    const outcome = map(item, 'outcome');
    return { state: 'done', fingerprint, outcome: { statusCode: int(outcome, 'statusCode'), body: JSON.parse(str(outcome, 'body')) } };
  }
  return { state: 'pending', fingerprint, leaseUntil: str(item, 'leaseUntil') };
}

export class DynamoLedgerStore implements LedgerStore {
  constructor(
    private readonly documentClient: DynamoDBDocumentClient,
    private readonly tableName: string,
    private readonly newToken: () => string = randomUUID,
  ) {}

  async listEntries(accountId: string): Promise<LedgerEntry[]> {
    const items = await queryAll(this.documentClient, 'Query ledger', {
      TableName: this.tableName,
      KeyConditionExpression: 'PK = :pk AND begins_with(SK, :prefix)',
      ExpressionAttributeValues: { ':pk': keys.accountPartition(accountId), ':prefix': keys.LEDGER_PREFIX },
      ConsistentRead: true,
    });
    return items.map(ledgerEntryFromItem);
  }

  async pageEntries(accountId: string, limit: number, cursor?: string): Promise<Page<LedgerEntry>> {
    return newestFirstPage(this.documentClient, 'Query ledger page', { tableName: this.tableName, partition: keys.accountPartition(accountId), prefix: keys.LEDGER_PREFIX, limit, cursor }, ledgerEntryFromItem);
  }

  async getPayment(paymentId: string): Promise<Payment | undefined> {
    const output = await storeCall('GetItem payment', () => this.documentClient.send(new GetCommand({ TableName: this.tableName, Key: keys.payment(paymentId), ConsistentRead: true })));
    return output.Item ? paymentFromItem(output.Item) : undefined;
  }

  async listPayments(accountId: string, limit: number, cursor?: string): Promise<Page<Payment>> {
    return newestFirstPage(this.documentClient, 'Query payments', { tableName: this.tableName, index: GSI1, partition: keys.paymentsOfAccountPartition(accountId), limit, cursor }, paymentFromItem);
  }

  async beginRequest(key: string, fingerprint: string, now: Date, leaseMs: number): Promise<RequestSlot> {
    const token = this.newToken();
    const item: Item = {
      ...keys.request(key),
      type: 'IDEMPOTENT_REQUEST',
      requestKey: key,
      fingerprint,
      status: 'PENDING',
      token,
      startedAt: now.toISOString(),
      leaseUntil: new Date(now.getTime() + leaseMs).toISOString(),
      expiresAt: Math.floor(now.getTime() / 1000) + REQUEST_RETENTION_DAYS * 86_400,
    };
    try {
      // A new key, or a pending one whose holder died (lease over) with the same request: take it over.
      await storeCall('PutItem request', () =>
        this.documentClient.send(
          new PutCommand({
            TableName: this.tableName,
            Item: item,
            ConditionExpression: 'attribute_not_exists(PK) OR (#status = :pending AND leaseUntil < :now AND fingerprint = :fingerprint)',
            ExpressionAttributeNames: { '#status': 'status' },
            ExpressionAttributeValues: { ':pending': 'PENDING', ':now': now.toISOString(), ':fingerprint': fingerprint },
            ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
          }),
        ),
      );
      return { state: 'started', token };
    } catch (error) {
      if (!isConditionalCheckFailed(error)) throw error;
      const old = plainItem((error as Error & { Item?: Record<string, unknown> }).Item);
      if (old) return slotFromItem(old);
      const current = await this.getRequest(key);
      if (!current) throw new TransientStoreError(`request ${key} was refused but is gone; try again`);
      return current;
    }
  }

  async getRequest(key: string): Promise<RequestSlot | undefined> {
    const output = await storeCall('GetItem request', () => this.documentClient.send(new GetCommand({ TableName: this.tableName, Key: keys.request(key), ConsistentRead: true })));
    return output.Item ? slotFromItem(output.Item) : undefined;
  }

  async releaseRequest(key: string, token: string): Promise<void> {
    try {
      await storeCall('DeleteItem request', () =>
        this.documentClient.send(
          new DeleteCommand({
            TableName: this.tableName,
            Key: keys.request(key),
            ConditionExpression: '#status = :pending AND #token = :token',
            ExpressionAttributeNames: { '#status': 'status', '#token': 'token' },
            ExpressionAttributeValues: { ':pending': 'PENDING', ':token': token },
          }),
        ),
      );
    } catch (error) {
      if (!isConditionalCheckFailed(error)) throw error;
    }
  }

  private completeUpdate(record: RequestRecord) {
    return {
      TableName: this.tableName,
      Key: keys.request(record.key),
      UpdateExpression: 'SET #status = :done, outcome = :outcome REMOVE leaseUntil',
      ConditionExpression: '#status = :pending AND #token = :token',
      ExpressionAttributeNames: { '#status': 'status', '#token': 'token' },
      ExpressionAttributeValues: { ':done': 'DONE', ':pending': 'PENDING', ':token': record.token, ':outcome': { statusCode: record.outcome.statusCode, body: JSON.stringify(record.outcome.body) } },
    };
  }

  async completeRequest(record: RequestRecord): Promise<void> {
    try {
      await storeCall('UpdateItem request', () => this.documentClient.send(new UpdateCommand(this.completeUpdate(record))));
    } catch (error) {
      if (isConditionalCheckFailed(error)) throw new LedgerWriteRefused('request', `request ${record.key} is no longer held by this caller`);
      throw error;
    }
  }

  async commit(write: LedgerWrite): Promise<void> {
    const notExists = 'attribute_not_exists(PK)';
    const parts: Array<{ part: LedgerWriteRefused['part']; what: string; item: Record<string, unknown> }> = [];
    for (const entry of write.entries) {
      parts.push({ part: 'entry', what: `ledger entry ${entry.idempotencyKey} of account ${entry.accountId} was posted before`, item: { Put: { TableName: this.tableName, Item: ledgerKeyItem(entry), ConditionExpression: notExists } } });
      parts.push({ part: 'entry', what: `ledger entry ${entry.entryId} exists`, item: { Put: { TableName: this.tableName, Item: ledgerEntryToItem(entry), ConditionExpression: notExists } } });
    }
    if (write.payment) {
      const { value, expectedStatus } = write.payment;
      parts.push(
        expectedStatus
          ? { part: 'payment', what: `payment ${value.paymentId} is no longer ${expectedStatus}`, item: { Put: { TableName: this.tableName, Item: paymentToItem(value), ConditionExpression: '#status = :expected', ExpressionAttributeNames: { '#status': 'status' }, ExpressionAttributeValues: { ':expected': expectedStatus } } } }
          : { part: 'payment', what: `payment ${value.paymentId} exists`, item: { Put: { TableName: this.tableName, Item: paymentToItem(value), ConditionExpression: notExists } } },
      );
    }
    for (const event of write.audit) parts.push({ part: 'audit', what: `audit event ${event.eventId} exists`, item: { Put: { TableName: this.tableName, Item: auditToItem(event), ConditionExpression: notExists } } });
    if (write.request) parts.push({ part: 'request', what: `request ${write.request.key} is no longer held by this caller`, item: { Update: this.completeUpdate(write.request) } });
    if (write.webhookEvent) {
      const event = write.webhookEvent;
      parts.push({ part: 'webhook', what: `webhook event ${event.eventId} was processed before`, item: { Put: { TableName: this.tableName, Item: webhookEventItem(event), ConditionExpression: notExists } } });
    }
    if (write.refundGuard) {
      const { accountId, expectedVersion } = write.refundGuard;
      parts.push({ part: 'guard', what: `the ledger of account ${accountId} changed while the refund was checked; try again`, item: this.guardUpdate(keys.refundGuard(accountId), 'REFUND_GUARD', expectedVersion) });
    }
    if (write.arrangementGuard) {
      const { accountId, expectedVersion } = write.arrangementGuard;
      parts.push({ part: 'guard', what: `the arrangements of account ${accountId} changed meanwhile; try again`, item: this.guardUpdate(keys.arrangementGuard(accountId), 'ARRANGEMENT_GUARD', expectedVersion) });
    }
    for (const { value, expectedStatus } of write.arrangements ?? []) {
      parts.push({ part: 'arrangement', what: expectedStatus ? `arrangement ${value.arrangementId} is no longer ${expectedStatus}` : `arrangement ${value.arrangementId} exists`, item: { Put: this.conditionalPut(arrangementToItem(value), expectedStatus) } });
    }
    if (write.arrangementRequest) {
      const { value, expectedStatus } = write.arrangementRequest;
      parts.push({ part: 'arrangement-request', what: expectedStatus ? `arrangement request ${value.requestId} is no longer ${expectedStatus}` : `arrangement request ${value.requestId} exists`, item: { Put: this.conditionalPut(arrangementRequestToItem(value), expectedStatus) } });
    }
    if (write.dispute) {
      const { value, expectedStatus } = write.dispute;
      parts.push({ part: 'dispute', what: expectedStatus ? `dispute ${value.disputeId} is no longer ${expectedStatus}` : `dispute ${value.disputeId} exists`, item: { Put: this.conditionalPut(disputeToItem(value), expectedStatus) } });
    }
    for (const { value, expectedStatus } of write.deposits ?? []) {
      parts.push({ part: 'deposit', what: expectedStatus ? `deposit ${value.depositId} is no longer ${expectedStatus}` : `deposit ${value.depositId} exists`, item: { Put: this.conditionalPut(depositToItem(value), expectedStatus) } });
    }
    if (write.budget) {
      const { value, expectedVersion } = write.budget;
      const item = budgetToItem({ ...value, version: expectedVersion + 1 });
      parts.push({
        part: 'budget',
        what: `the budget-billing plan of account ${value.accountId} changed meanwhile; try again`,
        item: {
          Put: {
            TableName: this.tableName,
            Item: item,
            ConditionExpression: expectedVersion === 0 ? 'attribute_not_exists(PK)' : 'version = :expected',
            ...(expectedVersion === 0 ? {} : { ExpressionAttributeValues: { ':expected': expectedVersion } }),
          },
        },
      });
    }
    if (write.achTrace) {
      const { traceNumber, paymentId, accountId } = write.achTrace;
      parts.push({ part: 'trace', what: `trace number ${traceNumber} belongs to another payment`, item: { Put: { TableName: this.tableName, Item: { ...keys.achTrace(traceNumber), type: 'ACH_TRACE', traceNumber, paymentId, accountId }, ConditionExpression: notExists } } });
    }
    if (write.adjustmentRequest) {
      const { value, expectedStatus } = write.adjustmentRequest;
      parts.push({ part: 'adjustment-request', what: expectedStatus ? `adjustment request ${value.requestId} is no longer ${expectedStatus}` : `adjustment request ${value.requestId} exists`, item: { Put: this.conditionalPut(adjustmentRequestToItem(value), expectedStatus) } });
    }
    if (parts.length > 100) throw new Error(`a ledger write of ${parts.length} items exceeds one transaction`);
    try {
      await storeCall('TransactWrite ledger', () => this.documentClient.send(new TransactWriteCommand({ TransactItems: parts.map((p) => p.item) as never })));
    } catch (error) {
      if (!(error instanceof Error) || error.name !== 'TransactionCanceledException') throw error;
      const reasons = cancellationReasons(error);
      if (isTransientCancellation(reasons)) {
        throw new TransientStoreError(`ledger write cancelled: ${cancellationCodes(reasons).join(', ')}`, { cause: error });
      }
      const failed = reasons.findIndex((reason) => reason.Code === 'ConditionalCheckFailed');
      const part = parts[failed];
      if (part) throw new LedgerWriteRefused(part.part, part.what);
      throw error;
    }
  }

  async recordWebhookEvent(event: { eventId: string; type: string; receivedAt: string }): Promise<boolean> {
    try {
      await storeCall('PutItem webhook event', () => this.documentClient.send(new PutCommand({ TableName: this.tableName, Item: webhookEventItem(event), ConditionExpression: 'attribute_not_exists(PK)' })));
      return true;
    } catch (error) {
      if (isConditionalCheckFailed(error)) return false;
      throw error;
    }
  }

  async paymentIdByTrace(traceNumber: string): Promise<string | undefined> {
    const output = await storeCall('GetItem ACH trace', () => this.documentClient.send(new GetCommand({ TableName: this.tableName, Key: keys.achTrace(traceNumber), ConsistentRead: true })));
    return output.Item ? str(output.Item, 'paymentId') : undefined;
  }

  async refundGuardVersion(accountId: string): Promise<number> {
    const output = await storeCall('GetItem refund guard', () => this.documentClient.send(new GetCommand({ TableName: this.tableName, Key: keys.refundGuard(accountId), ConsistentRead: true })));
    return output.Item ? int(output.Item, 'version') : 0;
  }

  async arrangementGuardVersion(accountId: string): Promise<number> {
    const output = await storeCall('GetItem arrangement guard', () => this.documentClient.send(new GetCommand({ TableName: this.tableName, Key: keys.arrangementGuard(accountId), ConsistentRead: true })));
    return output.Item ? int(output.Item, 'version') : 0;
  }

  async listArrangements(accountId: string): Promise<Arrangement[]> {
    return (await this.listPrefix(accountId, keys.ARRANGEMENT_PREFIX, 'Query arrangements')).map(arrangementFromItem);
  }

  async listArrangementRequests(accountId: string): Promise<ArrangementRequest[]> {
    return (await this.listPrefix(accountId, keys.ARRANGEMENT_REQUEST_PREFIX, 'Query arrangement requests')).map(arrangementRequestFromItem);
  }

  async pagePendingArrangementRequests(limit: number, cursor?: string): Promise<Page<ArrangementRequest>> {
    return queryPage(
      this.documentClient,
      'Query pending arrangement requests',
      {
        TableName: this.tableName,
        IndexName: GSI2,
        KeyConditionExpression: 'GSI2PK = :pk',
        ExpressionAttributeValues: { ':pk': keys.PENDING_ARRANGEMENT_REQUESTS_PARTITION },
        Limit: limit,
        ExclusiveStartKey: decodeCursor(cursor, { GSI2PK: keys.PENDING_ARRANGEMENT_REQUESTS_PARTITION }, ['PK', 'SK', 'GSI2PK', 'GSI2SK']),
      },
      arrangementRequestFromItem,
    );
  }

  async listDisputes(accountId: string): Promise<Dispute[]> {
    return (await this.listPrefix(accountId, keys.DISPUTE_PREFIX, 'Query disputes')).map(disputeFromItem);
  }

  async listDeposits(accountId: string): Promise<Deposit[]> {
    return (await this.listPrefix(accountId, keys.DEPOSIT_PREFIX, 'Query deposits')).map(depositFromItem);
  }

  async pageHeldDeposits(limit: number, cursor?: string): Promise<Page<Deposit>> {
    return queryPage(
      this.documentClient,
      'Query held deposits',
      {
        TableName: this.tableName,
        IndexName: GSI2,
        KeyConditionExpression: 'GSI2PK = :pk',
        ExpressionAttributeValues: { ':pk': keys.HELD_DEPOSITS_PARTITION },
        Limit: limit,
        ExclusiveStartKey: decodeCursor(cursor, { GSI2PK: keys.HELD_DEPOSITS_PARTITION }, ['PK', 'SK', 'GSI2PK', 'GSI2SK']),
      },
      depositFromItem,
    );
  }

  async getAdjustmentRequest(accountId: string, requestId: string): Promise<AdjustmentRequest | undefined> {
    const output = await storeCall('GetItem adjustment request', () => this.documentClient.send(new GetCommand({ TableName: this.tableName, Key: keys.adjustmentRequest(accountId, requestId), ConsistentRead: true })));
    return output.Item ? adjustmentRequestFromItem(output.Item) : undefined;
  }

  async pageAdjustmentRequests(status: AdjustmentRequestStatus, limit: number, cursor?: string): Promise<Page<AdjustmentRequest>> {
    const partition = keys.adjustmentRequestStatusPartition(status);
    return queryPage(
      this.documentClient,
      'Query adjustment requests',
      {
        TableName: this.tableName,
        IndexName: GSI2,
        KeyConditionExpression: 'GSI2PK = :pk',
        ExpressionAttributeValues: { ':pk': partition },
        Limit: limit,
        ExclusiveStartKey: decodeCursor(cursor, { GSI2PK: partition }, ['PK', 'SK', 'GSI2PK', 'GSI2SK']),
      },
      adjustmentRequestFromItem,
    );
  }

  async getBudget(accountId: string): Promise<BudgetPlan | undefined> {
    const output = await storeCall('GetItem budget', () => this.documentClient.send(new GetCommand({ TableName: this.tableName, Key: keys.budget(accountId), ConsistentRead: true })));
    return output.Item ? budgetFromItem(output.Item) : undefined;
  }

  async getBudgets(accountIds: readonly string[]): Promise<BudgetPlan[]> {
    if (accountIds.length === 0) return [];
    return (await batchGet(this.documentClient, this.tableName, accountIds.map((accountId) => keys.budget(accountId)), { consistent: true })).map(budgetFromItem);
  }

  private listPrefix(accountId: string, prefix: string, what: string): Promise<Item[]> {
    return queryAll(this.documentClient, what, {
      TableName: this.tableName,
      KeyConditionExpression: 'PK = :pk AND begins_with(SK, :prefix)',
      ExpressionAttributeValues: { ':pk': keys.accountPartition(accountId), ':prefix': prefix },
      ConsistentRead: true,
    });
  }

  /** A version item bumped by a write that read `expectedVersion` (0 = the item does not exist yet). */
  private guardUpdate(key: { PK: string; SK: string }, type: string, expectedVersion: number): Record<string, unknown> {
    return {
      Update: {
        TableName: this.tableName,
        Key: key,
        UpdateExpression: 'SET version = :next, #type = :type',
        ConditionExpression: expectedVersion === 0 ? 'attribute_not_exists(PK)' : 'version = :expected',
        ExpressionAttributeNames: { '#type': 'type' },
        ExpressionAttributeValues: { ':next': expectedVersion + 1, ':type': type, ...(expectedVersion === 0 ? {} : { ':expected': expectedVersion }) },
      },
    };
  }

  /** A new item (must not exist) or a change of one that must still have `expectedStatus`. */
  private conditionalPut(item: Item, expectedStatus: string | undefined): Record<string, unknown> {
    return expectedStatus
      ? { TableName: this.tableName, Item: item, ConditionExpression: '#status = :expected', ExpressionAttributeNames: { '#status': 'status' }, ExpressionAttributeValues: { ':expected': expectedStatus } }
      : { TableName: this.tableName, Item: item, ConditionExpression: 'attribute_not_exists(PK)' };
  }
}
