/** DynamoBillStore.issueMany: several bills per transaction, whole bills only, and the fallbacks. */
import { marshall } from '@aws-sdk/util-dynamodb';
import { DynamoDBClient, TransactionCanceledException, type CancellationReason } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, TransactWriteCommand } from '@aws-sdk/lib-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { billToItem, DynamoBillStore, MAX_TRANSACTION_ITEMS } from '../../../shared/adapters/bill-store';
import { TransientStoreError } from '../../../shared/app/errors';
import type { BillIssue } from '../../../shared/app/ports';
import { heldBillOf } from '../../../shared/domain/bill-exceptions';
import { billIdFor, type Bill } from '../../../shared/domain/billing';
import { ledgerEntryForBill } from '../../../shared/domain/ledger';
import { ratedTestBill, TABLE } from '../helpers';

const ddb = mockClient(DynamoDBDocumentClient);
const store = () => new DynamoBillStore(DynamoDBDocumentClient.from(new DynamoDBClient({ region: 'us-east-1' })), TABLE);

/** Bill `n` of account A<n>, with its ledger entry and audit event (5 puts with the ledger key and the history item). */
function issueOf(n: number, runId = 'run-1'): BillIssue {
  const base = ratedTestBill(runId);
  const accountId = `A${String(n).padStart(4, '0')}`;
  const bill: Bill = { ...base, accountId, billId: billIdFor(accountId, base.cycle, base.periodStart, base.periodEnd) };
  return { bill, entry: ledgerEntryForBill(bill, bill.issuedAt), audit: { eventId: bill.billId, entityType: 'ACCOUNT', entityId: accountId, at: bill.issuedAt, actor: `billing-run:${runId}`, action: 'bill.issued', details: {} } };
}

const cancelled = (reasons: CancellationReason[]) => new TransactionCanceledException({ message: 'Transaction cancelled', $metadata: {}, CancellationReasons: reasons });
const putsOf = (call: number) => ddb.commandCalls(TransactWriteCommand)[call]!.args[0].input.TransactItems!.map((item) => item.Put!);

beforeEach(() => ddb.reset());

it('packs whole bills into transactions of at most 100 puts', async () => {
  ddb.on(TransactWriteCommand).resolves({});
  const issues = Array.from({ length: 70 }, (_, i) => issueOf(i + 1));
  expect(await store().issueMany(issues)).toEqual(issues.map(() => ({ issued: true })));
  const calls = ddb.commandCalls(TransactWriteCommand);
  expect(calls.map((call) => call.args[0].input.TransactItems!.length)).toEqual([100, 100, 100, 50]);
  const written = calls.flatMap((_, index) => putsOf(index));
  for (let i = 0; i < issues.length; i++) {
    const [bill, ledger, audit, ledgerKey, history] = written.slice(i * 5, i * 5 + 5);
    expect([bill!.Item!['type'], ledger!.Item!['type'], audit!.Item!['action'], String(ledgerKey!.Item!['SK']), history!.Item!['type']]).toEqual(['BILL', 'LEDGER_ENTRY', 'bill.issued', `LEDGERKEY#${issues[i]!.bill.billId}`, 'BILL_HISTORY']);
    expect(new Set([bill, ledger, ledgerKey, history].map((put) => put!.Item!['PK']))).toEqual(new Set([`ACCOUNT#${issues[i]!.bill.accountId}`]));
    expect([bill, ledger, audit, ledgerKey, history].every((put) => put!.ConditionExpression === 'attribute_not_exists(PK)')).toBe(true);
  }
  expect(MAX_TRANSACTION_ITEMS).toBe(100);
});

it('redoes a group bill by bill when one of its bills exists: the others are issued, that one reports the stored bill', async () => {
  const issues = [issueOf(1), issueOf(2), issueOf(3)];
  const stored = billToItem({ ...issues[1]!.bill, runId: 'run-0' });
  ddb.on(TransactWriteCommand).callsFake(async (input: { TransactItems: Array<{ Put: { Item: Record<string, unknown> } }> }) => {
    const hasStored = input.TransactItems.some((item) => item.Put.Item['PK'] === stored['PK'] && item.Put.Item['SK'] === stored['SK']);
    if (!hasStored) return {};
    throw cancelled(input.TransactItems.map((item) => (item.Put.Item['SK'] === stored['SK'] ? { Code: 'ConditionalCheckFailed', Item: marshall(stored) } : { Code: 'None' })));
  });
  const results = await store().issueMany(issues);
  expect(results[0]).toEqual({ issued: true });
  expect(results[1]).toMatchObject({ issued: false, existing: { billId: issues[1]!.bill.billId, runId: 'run-0' } });
  expect(results[2]).toEqual({ issued: true });
  expect(ddb.commandCalls(TransactWriteCommand).map((call) => call.args[0].input.TransactItems!.length)).toEqual([15, 5, 5, 5]);
});

it('fails every bill of a group with TransientStoreError on a conflict, writing nothing bill by bill', async () => {
  ddb.on(TransactWriteCommand).rejects(cancelled([{ Code: 'None' }, { Code: 'TransactionConflict' }]));
  const results = await store().issueMany([issueOf(1), issueOf(2)]);
  expect(results.every((result) => 'error' in result && result.error instanceof TransientStoreError)).toBe(true);
  expect(ddb.commandCalls(TransactWriteCommand)).toHaveLength(1);
});

describe('final bills', () => {
  const finalIssue = (n: number): BillIssue => {
    const issue = issueOf(n);
    const bill: Bill = { ...issue.bill, finalBill: true };
    return { ...issue, bill };
  };
  const itemsOf = (call: number) => ddb.commandCalls(TransactWriteCommand)[call]!.args[0].input.TransactItems!;

  it('clears the account finalBillDue flag in the final bill transaction, only while it is set, bumping recordVersion', async () => {
    ddb.on(TransactWriteCommand).resolves({});
    expect(await store().issueMany([issueOf(1), finalIssue(2)])).toEqual([{ issued: true }, { issued: true }]);
    const items = itemsOf(0);
    expect(items).toHaveLength(11);
    expect(items.filter((item) => item.Update)).toHaveLength(1);
    const update = items[10]!.Update!;
    expect(update).toMatchObject({ Key: { PK: 'ACCOUNT#A0002', SK: 'ACCOUNT' }, ConditionExpression: '#due = :true', UpdateExpression: 'SET #due = :false, #rv = if_not_exists(#rv, :zero) + :one' });
    expect(update.ExpressionAttributeNames).toEqual({ '#due': 'finalBillDue', '#rv': 'recordVersion' });
    expect(update.ExpressionAttributeValues).toEqual({ ':true': true, ':false': false, ':zero': 0, ':one': 1 });
    expect(items.slice(0, 10).every((item) => item.Put)).toBe(true);
  });

  it('issues a final bill without the update when its account no longer says finalBillDue', async () => {
    ddb.on(TransactWriteCommand).callsFake(async (input: { TransactItems: Array<{ Put?: unknown; Update?: unknown }> }) => {
      if (!input.TransactItems.some((item) => item.Update)) return {};
      throw cancelled(input.TransactItems.map((item) => (item.Update ? { Code: 'ConditionalCheckFailed' } : { Code: 'None' })));
    });
    expect(await store().issueMany([finalIssue(1), issueOf(2)])).toEqual([{ issued: true }, { issued: true }]);
    // the group, then bill by bill: the final bill with the update, the final bill without it, the other bill
    expect(ddb.commandCalls(TransactWriteCommand).map((call) => call.args[0].input.TransactItems!.length)).toEqual([11, 6, 5, 5]);
    expect(itemsOf(2).every((item) => item.Put)).toBe(true);
  });

  it('reports the stored bill when a final bill exists already (its flag cleared by the first issue)', async () => {
    const issue = finalIssue(1);
    const stored = billToItem({ ...issue.bill, runId: 'run-0' });
    ddb.on(TransactWriteCommand).rejects(cancelled([{ Code: 'ConditionalCheckFailed', Item: marshall(stored) }, { Code: 'None' }, { Code: 'None' }, { Code: 'None' }, { Code: 'None' }, { Code: 'ConditionalCheckFailed' }]));
    expect(await store().issueMany([issue])).toEqual([{ issued: false, existing: expect.objectContaining({ billId: issue.bill.billId, runId: 'run-0' }) }]);
    expect(ddb.commandCalls(TransactWriteCommand)).toHaveLength(1);
  });

  it('fails with TransientStoreError when a lifecycle write races the flag', async () => {
    ddb.on(TransactWriteCommand).rejects(cancelled([{ Code: 'None' }, { Code: 'None' }, { Code: 'None' }, { Code: 'None' }, { Code: 'None' }, { Code: 'TransactionConflict' }]));
    const [result] = await store().issueMany([finalIssue(1)]);
    expect(result).toMatchObject({ issued: false });
    expect(result && 'error' in result && result.error instanceof TransientStoreError).toBe(true);
  });
});

describe('held bills', () => {
  const heldIssue = (n: number): BillIssue => {
    const { bill, audit } = issueOf(n);
    const holds = [{ reason: 'above-maximum' as const, message: 'total is above the maximum 10.00' }];
    const held: Bill = { ...bill, status: 'HELD', finalBill: true, holds };
    return { bill: held, audit: { ...audit, action: 'bill.held' }, held: heldBillOf(held, holds, held.issuedAt) };
  };

  it('writes a held bill with its audit event and its review record in the queue, and nothing that posts (no ledger entry, key, history or account flag)', async () => {
    ddb.on(TransactWriteCommand).resolves({});
    const issues = [issueOf(1), heldIssue(2)];
    expect(await store().issueMany(issues)).toEqual([{ issued: true }, { issued: true }]);
    const puts = putsOf(0);
    expect(puts).toHaveLength(8);
    const [bill, audit, review] = puts.slice(5);
    expect(bill!.Item).toMatchObject({ type: 'BILL', status: 'HELD', holds: [{ reason: 'above-maximum' }] });
    expect(audit!.Item).toMatchObject({ action: 'bill.held' });
    expect(review!.Item).toMatchObject({ PK: `BILLEXC#${issues[1]!.bill.billId}`, SK: 'BILLEXC', GSI2PK: 'TYPE#BILL_EXCEPTION', GSI2SK: `${issues[1]!.bill.issuedAt}#${issues[1]!.bill.billId}`, status: 'OPEN', reasons: ['above-maximum'], accountId: 'A0002' });
    expect(puts.every((put) => put.ConditionExpression === 'attribute_not_exists(PK)')).toBe(true);
    expect(ddb.commandCalls(TransactWriteCommand)[0]!.args[0].input.TransactItems!.some((item) => item.Update)).toBe(false);
  });

  it('refuses to write an issued bill without its ledger entry, or a held one without its record', async () => {
    ddb.on(TransactWriteCommand).resolves({});
    const { entry: _entry, ...noEntry } = issueOf(1);
    const { held: _held, ...noRecord } = heldIssue(2);
    await expect(store().issueMany([noEntry])).rejects.toThrow(/without a ledger entry/);
    await expect(store().issueMany([noRecord])).rejects.toThrow(/without its review record/);
    expect(ddb.commandCalls(TransactWriteCommand)).toHaveLength(0);
  });
});
