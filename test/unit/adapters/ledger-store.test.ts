import { TransactionCanceledException } from '@aws-sdk/client-dynamodb';
import { DeleteCommand, DynamoDBDocumentClient, PutCommand, QueryCommand, TransactWriteCommand } from '@aws-sdk/lib-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { arrangementFromItem, arrangementRequestFromItem, arrangementRequestToItem, arrangementToItem, disputeFromItem, disputeToItem, DynamoLedgerStore, ledgerEntryFromItem, ledgerEntryToItem, ledgerKeyItem, paymentFromItem, paymentToItem } from '../../../shared/adapters/ledger-store';
import type { ArrangementRequest } from '../../../shared/domain/arrangement-requests';
import type { Arrangement } from '../../../shared/domain/arrangements';
import type { Dispute } from '../../../shared/domain/disputes';
import { CorruptRecord, TransientStoreError } from '../../../shared/app/errors';
import { feeEntry, ledgerEntryForBill } from '../../../shared/domain/ledger';
import type { Payment } from '../../../shared/domain/payments';
import { Decimal } from 'decimal.js';
import { tableDeps, TABLE } from '../../functions/helpers';

const ddb = mockClient(DynamoDBDocumentClient);
beforeEach(() => ddb.reset());

const bill = ledgerEntryForBill({ billId: 'B1', accountId: 'A1', total: '12.30', periodStart: '2026-01-01', periodEnd: '2026-01-31', issuedAt: '2026-02-01T00:00:00.000Z', usage: { unit: 'kWh' } }, '2026-02-01T00:00:00.000Z');
const payment: Payment = { paymentId: 'P1', accountId: 'A1', amount: '12.30', method: 'CARD', channel: 'PORTAL', status: 'POSTED', receivedAt: '2026-02-02T00:00:00.000Z', allocations: [{ service: 'electric', amount: '12.30' }], credit: '0.00', entryId: 'LE1', actor: 'customer:C1', reference: 'sbx_1', provider: 'sandbox' };

describe('ledger items', () => {
  it('round-trip entries with their service tags and due dates, and key the idempotency item by the business key', () => {
    expect(ledgerEntryFromItem(ledgerEntryToItem(bill))).toEqual(bill);
    expect(ledgerEntryToItem(bill)).toMatchObject({ PK: 'ACCOUNT#A1', SK: `LEDGER#2026-02-01T00:00:00.000Z#${bill.entryId}`, dueDate: '2026-02-22' });
    expect(ledgerKeyItem(bill)).toMatchObject({ PK: 'ACCOUNT#A1', SK: 'LEDGERKEY#B1', entryId: bill.entryId });
    const fee = feeEntry({ accountId: 'A1', amount: new Decimal('25'), postedAt: '2026-02-03T00:00:00.000Z', idempotencyKey: 'fee:P1', description: 'fee', actor: 'bill', paymentId: 'P1' });
    expect(ledgerEntryFromItem(ledgerEntryToItem(fee))).toEqual(fee);
  });

  it('read the opening balances that earlier imports wrote (no due date, no actor)', () => {
    const imported = {
      PK: 'ACCOUNT#A1',
      SK: 'LEDGER#2025-12-31T00:00:00.000Z#OB-A1',
      type: 'LEDGER_ENTRY',
      entryId: 'OB-A1',
      accountId: 'A1',
      postedAt: '2025-12-31T00:00:00.000Z',
      kind: 'OPENING_BALANCE',
      idempotencyKey: 'opening-balance:A1',
      description: 'Opening balance as of 2025-12-31 (migration)',
      postings: [
        { ledgerAccount: 'ACCOUNTS_RECEIVABLE', side: 'debit', amount: '45.10' },
        { ledgerAccount: 'CONVERSION_CLEARING', side: 'credit', amount: '45.10' },
      ],
    };
    expect(ledgerEntryFromItem(imported)).toMatchObject({ kind: 'OPENING_BALANCE', postings: [{ ledgerAccount: 'ACCOUNTS_RECEIVABLE', side: 'debit', amount: '45.10' }, { ledgerAccount: 'CONVERSION_CLEARING' }] });
    expect(() => ledgerEntryFromItem({ ...imported, kind: 'MYSTERY' })).toThrow(CorruptRecord);
    expect(() => ledgerEntryFromItem({ ...imported, postings: [{ ledgerAccount: 'ACCOUNTS_RECEIVABLE', side: 'debit', amount: 45.1 }] })).toThrow(CorruptRecord);
  });

  it('round-trip payments and list them per account through GSI1', () => {
    expect(paymentFromItem(paymentToItem(payment))).toEqual(payment);
    expect(paymentToItem(payment)).toMatchObject({ PK: 'PAYMENT#P1', SK: 'PAYMENT', GSI1PK: 'ACCOUNT#A1#PAYMENTS', GSI1SK: '2026-02-02T00:00:00.000Z#P1', type: 'PAYMENT' });
  });
});

const arrangement: Arrangement = { arrangementId: 'AR1', accountId: 'A1', status: 'ACTIVE', amount: '100.00', downPayment: '10.00', installments: [{ number: 0, dueDate: '2026-03-01', amount: '10.00' }, { number: 1, dueDate: '2026-04-01', amount: '90.00' }], coveredCharges: ['LEB1'], graceDays: 5, createdAt: '2026-03-01T00:00:00.000Z', createdBy: 'dana' };
const dispute: Dispute = { disputeId: 'DP1', accountId: 'A1', status: 'CLOSED', entryIds: ['LEB1'], amount: '12.30', reason: 'misread', openedAt: 't1', openedBy: 'dana', closedAt: 't2', closedBy: 'erin', resolution: 'credited' };

describe('arrangement and dispute items', () => {
  it('round-trip arrangements, disputes and the arrangement share of a payment, in the account partition', () => {
    expect(arrangementFromItem(arrangementToItem(arrangement))).toEqual(arrangement);
    expect(arrangementToItem(arrangement)).toMatchObject({ PK: 'ACCOUNT#A1', SK: 'ARRANGEMENT#AR1', type: 'ARRANGEMENT' });
    const cancelled: Arrangement = { ...arrangement, status: 'CANCELLED', closedAt: 't', closedBy: 'erin', closeReason: 'asked' };
    expect(arrangementFromItem(arrangementToItem(cancelled))).toEqual(cancelled);
    expect(disputeFromItem(disputeToItem(dispute))).toEqual(dispute);
    expect(disputeToItem(dispute)).toMatchObject({ PK: 'ACCOUNT#A1', SK: 'DISPUTE#DP1' });
    const shared: Payment = { ...payment, arrangement: { arrangementId: 'AR1', amount: '5.00' } };
    expect(paymentFromItem(paymentToItem(shared))).toEqual(shared);
    expect(() => arrangementFromItem({ ...arrangementToItem(arrangement), installments: 'x' })).toThrow(CorruptRecord);
    expect(() => arrangementFromItem({ ...arrangementToItem(arrangement), status: 'PAUSED' })).toThrow(CorruptRecord);
  });
});

describe('arrangement request items', () => {
  const pending: ArrangementRequest = { requestId: 'RQ1', accountId: 'A1', customerId: 'C1', status: 'PENDING', installments: 6, reason: 'hardship', pastDue: '210.00', requestedAt: '2026-03-01T17:00:00.000Z', requestedBy: 'customer:C1' };

  it('round-trip, in the account partition, on the pending queue (GSI2) only while PENDING', () => {
    expect(arrangementRequestFromItem(arrangementRequestToItem(pending))).toEqual(pending);
    expect(arrangementRequestToItem(pending)).toMatchObject({ PK: 'ACCOUNT#A1', SK: 'ARRANGEMENTREQUEST#RQ1', GSI2PK: 'TYPE#ARRANGEMENTREQUEST#PENDING', GSI2SK: '2026-03-01T17:00:00.000Z#A1#RQ1' });
    const approved: ArrangementRequest = { ...pending, status: 'APPROVED', decidedAt: '2026-03-02T00:00:00.000Z', decidedBy: 'erin', decisionReason: 'ok', arrangementId: 'ARRQ1' };
    expect(arrangementRequestFromItem(arrangementRequestToItem(approved))).toEqual(approved);
    expect(arrangementRequestToItem(approved)).not.toHaveProperty('GSI2PK');
    expect(() => arrangementRequestFromItem({ ...arrangementRequestToItem(pending), status: 'MAYBE' })).toThrow(CorruptRecord);
  });

  it('write the decision conditioned on PENDING in the arrangement transaction, and page the queue from GSI2', async () => {
    ddb.on(TransactWriteCommand).resolves({});
    await new DynamoLedgerStore(tableDeps().documentClient, TABLE).commit({ entries: [], audit: [], arrangements: [{ value: { ...arrangement, arrangementId: 'ARRQ1' } }], arrangementGuard: { accountId: 'A1', expectedVersion: 1 }, arrangementRequest: { value: { ...pending, status: 'APPROVED' }, expectedStatus: 'PENDING' } });
    const items = ddb.commandCalls(TransactWriteCommand)[0]!.args[0].input.TransactItems!;
    expect(items.map((item) => (item.Put ? `Put ${String(item.Put.Item!['SK'])} ${item.Put.ConditionExpression}` : `Update ${String(item.Update!.Key!['SK'])}`))).toEqual([
      'Update ARRANGEMENTGUARD',
      'Put ARRANGEMENT#ARRQ1 attribute_not_exists(PK)',
      'Put ARRANGEMENTREQUEST#RQ1 #status = :expected',
    ]);
    ddb.on(QueryCommand).resolves({ Items: [arrangementRequestToItem(pending)] });
    const page = await new DynamoLedgerStore(tableDeps().documentClient, TABLE).pagePendingArrangementRequests(10);
    expect(page.items).toEqual([pending]);
    expect(ddb.commandCalls(QueryCommand)[0]!.args[0].input).toMatchObject({ IndexName: 'GSI2', ExpressionAttributeValues: { ':pk': 'TYPE#ARRANGEMENTREQUEST#PENDING' }, Limit: 10 });
  });
});

describe('DynamoLedgerStore', () => {
  const store = () => new DynamoLedgerStore(tableDeps().documentClient, TABLE, () => 'token-1');
  const cancelled = (...codes: string[]) => new TransactionCanceledException({ message: 'Transaction cancelled', $metadata: {}, CancellationReasons: codes.map((Code) => ({ Code })) });

  it('writes each entry with its idempotency item, the payment and the request answer in one transaction', async () => {
    ddb.on(TransactWriteCommand).resolves({});
    await store().commit({ entries: [bill], payment: { value: payment }, audit: [], request: { key: 'k', token: 'token-1', outcome: { statusCode: 201, body: { ok: true } } } });
    const items = ddb.commandCalls(TransactWriteCommand)[0]!.args[0].input.TransactItems!;
    expect(items.map((item) => (item.Put ? `Put ${String(item.Put.Item!['SK'])} ${item.Put.ConditionExpression}` : `Update ${String(item.Update!.Key!['PK'])} ${item.Update!.ConditionExpression}`))).toEqual([
      'Put LEDGERKEY#B1 attribute_not_exists(PK)',
      `Put LEDGER#2026-02-01T00:00:00.000Z#${bill.entryId} attribute_not_exists(PK)`,
      'Put PAYMENT attribute_not_exists(PK)',
      'Update IDEMPOTENCY#k #status = :pending AND #token = :token',
    ]);
  });

  it('writes an arrangement change with its guard and audit, and a dispute change conditioned on its status, in one transaction', async () => {
    ddb.on(TransactWriteCommand).resolves({});
    await store().commit({ entries: [], audit: [], arrangements: [{ value: { ...arrangement, status: 'CANCELLED' }, expectedStatus: 'ACTIVE' }], arrangementGuard: { accountId: 'A1', expectedVersion: 2 }, dispute: { value: dispute, expectedStatus: 'OPEN' } });
    const items = ddb.commandCalls(TransactWriteCommand)[0]!.args[0].input.TransactItems!;
    expect(items.map((item) => (item.Put ? `Put ${String(item.Put.Item!['SK'])} ${item.Put.ConditionExpression}` : `Update ${String(item.Update!.Key!['SK'])} ${item.Update!.ConditionExpression}`))).toEqual([
      'Update ARRANGEMENTGUARD version = :expected',
      'Put ARRANGEMENT#AR1 #status = :expected',
      'Put DISPUTE#DP1 #status = :expected',
    ]);
    ddb.reset();
    ddb.on(TransactWriteCommand).rejects(cancelled('None', 'ConditionalCheckFailed'));
    await expect(store().commit({ entries: [], audit: [], arrangements: [{ value: arrangement }], arrangementGuard: { accountId: 'A1', expectedVersion: 0 } })).rejects.toMatchObject({ name: 'LedgerWriteRefused', part: 'arrangement' });
  });

  it('claims an autopay debit trace number once in the payment transaction, and round-trips the trace and file fields', async () => {
    ddb.on(TransactWriteCommand).resolves({});
    const debit: Payment = { ...payment, channel: 'AUTOPAY', method: 'BANK', traceNumber: '121042880000001', debitDate: '2026-03-02' };
    await store().commit({ entries: [bill], payment: { value: debit }, audit: [], achTrace: { traceNumber: '121042880000001', paymentId: 'P1', accountId: 'A1' } });
    const items = ddb.commandCalls(TransactWriteCommand)[0]!.args[0].input.TransactItems!;
    expect(items.at(-1)!.Put).toMatchObject({ Item: { PK: 'ACHTRACE#121042880000001', SK: 'ACHTRACE', paymentId: 'P1' }, ConditionExpression: 'attribute_not_exists(PK)' });
    expect(paymentFromItem(paymentToItem(debit))).toEqual(debit);
    const fromFile: Payment = { ...payment, channel: 'BANK_FILE', method: 'CHECK', bankFileId: 'PF1', bankFileLine: 4 };
    expect(paymentFromItem(paymentToItem(fromFile))).toEqual(fromFile);
    ddb.reset();
    ddb.on(TransactWriteCommand).rejects(cancelled('None', 'None', 'None', 'ConditionalCheckFailed'));
    await expect(store().commit({ entries: [bill], payment: { value: debit }, audit: [], achTrace: { traceNumber: '121042880000001', paymentId: 'P1', accountId: 'A1' } })).rejects.toMatchObject({ name: 'LedgerWriteRefused', part: 'trace' });
  });

  it('names the part whose condition failed, and makes transaction conflicts transient', async () => {
    ddb.on(TransactWriteCommand).rejectsOnce(cancelled('ConditionalCheckFailed', 'None', 'None', 'None')).rejectsOnce(cancelled('None', 'None', 'ConditionalCheckFailed', 'None')).rejectsOnce(cancelled('TransactionConflict', 'None', 'None', 'None'));
    const write = { entries: [bill], payment: { value: payment, expectedStatus: 'POSTED' as const }, audit: [] };
    await expect(store().commit(write)).rejects.toMatchObject({ name: 'LedgerWriteRefused', part: 'entry' });
    await expect(store().commit(write)).rejects.toMatchObject({ name: 'LedgerWriteRefused', part: 'payment' });
    await expect(store().commit(write)).rejects.toThrow(TransientStoreError);
  });

  it('claims a new idempotency key, and reports a taken one with its stored answer', async () => {
    ddb.on(PutCommand).resolvesOnce({}).rejectsOnce(Object.assign(new Error('failed'), { name: 'ConditionalCheckFailedException', Item: { PK: { S: 'IDEMPOTENCY#k' }, fingerprint: { S: 'f' }, status: { S: 'DONE' }, outcome: { M: { statusCode: { N: '201' }, body: { S: '{"a":1}' } } } } }));
    expect(await store().beginRequest('k', 'f', new Date('2026-03-01T00:00:00.000Z'), 30_000)).toEqual({ state: 'started', token: 'token-1' });
    const put = ddb.commandCalls(PutCommand)[0]!.args[0].input;
    expect(put.Item).toMatchObject({ PK: 'IDEMPOTENCY#k', status: 'PENDING', leaseUntil: '2026-03-01T00:00:30.000Z', fingerprint: 'f' });
    expect(put.ConditionExpression).toContain('attribute_not_exists(PK)');
    expect(await store().beginRequest('k', 'f', new Date('2026-03-01T00:00:00.000Z'), 30_000)).toEqual({ state: 'done', fingerprint: 'f', outcome: { statusCode: 201, body: { a: 1 } } });
  });

  it('releases only a pending key it holds', async () => {
    ddb.on(DeleteCommand).rejects(Object.assign(new Error('failed'), { name: 'ConditionalCheckFailedException' }));
    await expect(store().releaseRequest('k', 'token-1')).resolves.toBeUndefined();
    expect(ddb.commandCalls(DeleteCommand)[0]!.args[0].input.ConditionExpression).toBe('#status = :pending AND #token = :token');
  });
});
