/** The bill exception routes over a mocked DocumentClient: the queue, and the release and cancel transactions with their conditions. */
import { TransactionCanceledException } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, GetCommand, QueryCommand, TransactWriteCommand } from '@aws-sdk/lib-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { createHandler as listHandler } from '../../../functions/staff/list-bill-exceptions';
import { createHandler as resolveHandler } from '../../../functions/staff/resolve-bill-exception';
import { billToItem, heldBillToItem } from '../../../shared/adapters/bill-store';
import { heldBillOf } from '../../../shared/domain/bill-exceptions';
import type { Bill } from '../../../shared/domain/billing';
import { bodyOf, context, httpEvent, ratedTestBill, staffClaims, tableDeps } from '../helpers';

const ddb = mockClient(DynamoDBDocumentClient);
const heldBill = (overrides: Partial<Bill> = {}): Bill => ({ ...ratedTestBill(), status: 'HELD', holds: [{ reason: 'high-bill', message: 'total 74.07 is more than 3 times the average 20.00 of 3 previous bills' }], finalBill: true, ...overrides });
const record = (bill: Bill) => heldBillOf(bill, bill.holds as never, bill.issuedAt);
const resolve = (billId: string, body: unknown, groups = '[billing]') => httpEvent({ routeKey: 'POST /staff/bill-exceptions/{billId}', claims: staffClaims(groups, 'bill'), pathParameters: { billId }, body });
const cancelled = (...codes: string[]) => new TransactionCanceledException({ message: 'Transaction cancelled', $metadata: {}, CancellationReasons: codes.map((Code) => ({ Code })) });

function stored(bill: Bill, held = heldBillToItem(record(bill))) {
  ddb.on(GetCommand).callsFake(async (input: { Key: { PK: string; SK: string } }) => {
    if (input.Key.PK === `BILLEXC#${bill.billId}`) return { Item: held };
    if (input.Key.SK.startsWith('BILL#')) return { Item: billToItem(bill) };
    return {};
  });
}

describe('bill exception routes', () => {
  beforeEach(() => ddb.reset());

  it('releases a held bill in one transaction: bill HELD -> ISSUED, record out of the queue, ledger entry, audit, ledger key, history, final-bill flag', async () => {
    const bill = heldBill();
    stored(bill);
    ddb.on(TransactWriteCommand).resolves({});
    const response = await resolveHandler(tableDeps('2026-02-05T17:00:00Z'))(resolve(bill.billId, { action: 'release', note: 'ok' }), context);
    expect(response.statusCode).toBe(200);
    expect(bodyOf(response)).toMatchObject({ bill: { status: 'ISSUED', dueDate: '2026-02-26', review: { action: 'released', by: 'bill', note: 'ok' } }, exception: { status: 'RELEASED' } });
    const items = ddb.commandCalls(TransactWriteCommand)[0]!.args[0].input.TransactItems!;
    const [billUpdate, recordUpdate, ledger, audit, ledgerKey, history, account, ...rest] = items;
    expect(billUpdate!.Update).toMatchObject({ Key: { PK: 'ACCOUNT#A0001', SK: `BILL#2026-01-01#${bill.billId}` }, ConditionExpression: '#status = :held', ExpressionAttributeValues: { ':status': 'ISSUED', ':held': 'HELD', ':dueDate': '2026-02-26' } });
    expect(recordUpdate!.Update).toMatchObject({ Key: { PK: `BILLEXC#${bill.billId}`, SK: 'BILLEXC' }, ConditionExpression: '#status = :open', UpdateExpression: expect.stringContaining('REMOVE GSI2PK, GSI2SK'), ExpressionAttributeValues: { ':status': 'RELEASED' } });
    expect(ledger!.Put).toMatchObject({ ConditionExpression: 'attribute_not_exists(PK)', Item: { type: 'LEDGER_ENTRY', idempotencyKey: bill.billId, postedAt: '2026-02-05T17:00:00.000Z' } });
    expect(audit!.Put!.Item).toMatchObject({ PK: 'AUDIT#ACCOUNT#A0001', action: 'bill.released', actor: 'bill' });
    expect(ledgerKey!.Put!.Item).toMatchObject({ SK: `LEDGERKEY#${bill.billId}` });
    expect(history!.Put!.Item).toMatchObject({ type: 'BILL_HISTORY', total: bill.total });
    expect(account!.Update).toMatchObject({ Key: { PK: 'ACCOUNT#A0001', SK: 'ACCOUNT' }, ConditionExpression: '#due = :true' });
    expect(rest).toEqual([]);
  });

  it('retries a final bill without the account update when only the flag was cleared meanwhile', async () => {
    const bill = heldBill();
    stored(bill);
    ddb.on(TransactWriteCommand).rejectsOnce(cancelled('None', 'None', 'None', 'None', 'None', 'None', 'ConditionalCheckFailed')).resolves({});
    expect((await resolveHandler(tableDeps())(resolve(bill.billId, { action: 'release' }), context)).statusCode).toBe(200);
    const calls = ddb.commandCalls(TransactWriteCommand);
    expect(calls.map((call) => call.args[0].input.TransactItems!.length)).toEqual([7, 6]);
  });

  it('answers 409 when the bill or its record is no longer held (double release, release of an issued bill), writing nothing', async () => {
    const bill = heldBill();
    stored(bill, heldBillToItem({ ...record(bill), status: 'RELEASED', review: { action: 'released', at: 't', by: 'eve' } }));
    const again = await resolveHandler(tableDeps())(resolve(bill.billId, { action: 'release' }), context);
    expect(again.statusCode).toBe(409);
    expect(bodyOf(again)).toMatchObject({ code: 'BillNotHeld', reason: 'bill-not-held', message: expect.stringContaining('released already by eve') });
    stored({ ...bill, status: 'ISSUED' });
    expect((await resolveHandler(tableDeps())(resolve(bill.billId, { action: 'release' }), context)).statusCode).toBe(409);
    expect(ddb.commandCalls(TransactWriteCommand)).toHaveLength(0);
    // A concurrent release wins between the read and the write: the transaction's condition fails.
    stored(bill);
    ddb.on(TransactWriteCommand).rejects(cancelled('ConditionalCheckFailed', 'ConditionalCheckFailed', 'None', 'None', 'None', 'None', 'None'));
    expect((await resolveHandler(tableDeps())(resolve(bill.billId, { action: 'release' }), context)).statusCode).toBe(409);
  });

  it('cancels a held bill in one transaction (bill HELD -> CANCELLED, record out of the queue, audit) without posting', async () => {
    const bill = heldBill();
    stored(bill);
    ddb.on(TransactWriteCommand).resolves({});
    expect((await resolveHandler(tableDeps())(resolve(bill.billId, { action: 'cancel', note: 'meter re-read ordered' }), context)).statusCode).toBe(200);
    const items = ddb.commandCalls(TransactWriteCommand)[0]!.args[0].input.TransactItems!;
    expect(items.map((item) => (item.Update ? `update:${String(item.Update.ExpressionAttributeValues?.[':status'])}` : `put:${String(item.Put!.Item!['action'])}`))).toEqual(['update:CANCELLED', 'update:CANCELLED', 'put:bill.cancelled']);
  });

  it('refuses bad input with 400 naming the field, other roles with 403, an unknown bill with 404', async () => {
    const bill = heldBill();
    stored(bill);
    const bad = await resolveHandler(tableDeps())(resolve(bill.billId, { action: 'approve' }), context);
    expect(bad.statusCode).toBe(400);
    expect(JSON.stringify(bodyOf(bad))).toContain('action');
    expect((await resolveHandler(tableDeps())(resolve('not-a-bill', { action: 'release' }), context)).statusCode).toBe(400);
    expect((await resolveHandler(tableDeps())(resolve(bill.billId, { action: 'release', extra: 1 }), context)).statusCode).toBe(400);
    expect((await resolveHandler(tableDeps())(resolve(bill.billId, { action: 'release' }, '[csr]'), context)).statusCode).toBe(403);
    expect((await resolveHandler(tableDeps())(resolve(bill.billId, { action: 'release' }, '[auditor]'), context)).statusCode).toBe(403);
    ddb.on(GetCommand).resolves({});
    expect((await resolveHandler(tableDeps())(resolve(bill.billId, { action: 'release' }), context)).statusCode).toBe(404);
    expect(ddb.commandCalls(TransactWriteCommand)).toHaveLength(0);
  });

  it('lists the queue newest first on GSI2, filtered by reason, for billing, admin and auditors only', async () => {
    const bill = heldBill();
    ddb.on(QueryCommand).resolves({ Items: [heldBillToItem(record(bill))] });
    const list = (query: Record<string, string>, groups = '[auditor]') => listHandler(tableDeps())(httpEvent({ routeKey: 'GET /staff/bill-exceptions', claims: staffClaims(groups), queryStringParameters: query }), context);
    const response = await list({ reason: 'high-bill', limit: '10' });
    expect(response.statusCode).toBe(200);
    expect(bodyOf(response)).toEqual({ items: [record(bill)], nextCursor: null });
    expect(ddb.commandCalls(QueryCommand)[0]!.args[0].input).toMatchObject({ IndexName: 'GSI2', ScanIndexForward: false, Limit: 10, FilterExpression: 'contains(#reasons, :reason)', ExpressionAttributeValues: { ':p': 'TYPE#BILL_EXCEPTION', ':reason': 'high-bill' } });
    expect((await list({ reason: 'bad' })).statusCode).toBe(400);
    expect((await list({}, '[csr]')).statusCode).toBe(403);
  });
});
