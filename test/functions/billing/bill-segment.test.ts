import { marshall } from '@aws-sdk/util-dynamodb';
import { ProvisionedThroughputExceededException, TransactionCanceledException } from '@aws-sdk/client-dynamodb';
import { BatchGetCommand, DynamoDBDocumentClient, GetCommand, QueryCommand, TransactWriteCommand } from '@aws-sdk/lib-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { createHandler } from '../../../functions/billing/bill-segment';
import { accountToItem } from '../../../shared/adapters/account-store';
import { billToItem } from '../../../shared/adapters/bill-store';
import { meterToItem } from '../../../shared/adapters/meter-store';
import { dayReadsToItem } from '../../../shared/adapters/read-store';
import { agreementToItem } from '../../../shared/adapters/customer-record-items';
import { tariffToItems } from '../../../shared/adapters/tariff-store';
import { demoTariffs } from '../../../shared/app/seed-demo';
import { composeBill, type BillService } from '../../../shared/domain/billing';
import type { Agreement } from '../../../shared/domain/customers/model';
import { mergeDay } from '../../../shared/domain/reads';
import { shardOf } from '../../../shared/domain/segments';
import { context, TABLE, tableDeps } from '../helpers';

const ddb = mockClient(DynamoDBDocumentClient);
const shard = shardOf('A0001');
const account = { accountId: 'A0001', customerId: 'C0001', name: 'Avery', serviceAddress: '101 Main St', cycle: 'C1', tariffId: 'ELEC-RES', status: 'ACTIVE' as const, meterIds: ['M0001'], shard, createdAt: 't' };
const meter = { meterId: 'M0001', accountId: 'A0001', unit: 'kWh' as const, status: 'ACTIVE' as const, multiplier: 1 };
const tariff = demoTariffs('America/Denver')[0]!;
const agreement: Agreement = { agreementId: 'G0001', accountId: 'A0001', customerId: 'C0001', premiseId: 'P0001', servicePointId: 'P0001-ELECTRIC', serviceType: 'electric', serviceClass: 'RESIDENTIAL', tariffId: 'ELEC-RES', cycle: 'C1', status: 'ACTIVE', startDate: '2025-06-01', meterId: 'M0001', finalBill: false, createdAt: 't', recordVersion: 1 };
const service = (subtotal: string): BillService => ({ agreementId: 'G0001', serviceType: 'electric', servicePointId: 'P0001-ELECTRIC', premiseId: 'P0001', tariffId: 'ELEC-RES', tariffName: 'x', periodStart: '2026-01-01', periodEnd: '2026-01-31', usage: { quantity: '1', unit: 'kWh' }, finalBill: false, lines: [], subtotal });
const earlierBill = (runId: string) => composeBill({ account, services: [service('1.00')], cycle: 'C1', periodStart: '2026-01-01', periodEnd: '2026-01-31', runId, issuedAt: 't', dueDate: '2026-02-22' });
const input = { runId: 'run-2', cycle: 'C1', periodStart: '2026-01-01', periodEnd: '2026-01-31', segment: { segmentIndex: 3, shardFrom: shard, shardTo: shard } };
const day = mergeDay(undefined, meter, '2026-01-15', [{ startEpochSec: Date.UTC(2026, 0, 15, 7) / 1000, durationSec: 3600, quantityMicro: 600_200_000, quality: 'A' }], { at: 't', by: 'mqtt' }).day;

function setup(existingBills: Array<Record<string, unknown>> = []) {
  ddb.reset();
  ddb.on(QueryCommand).callsFake(async (query: { IndexName?: string; ExpressionAttributeValues: Record<string, string> }) => {
    if (query.IndexName === 'GSI1') return { Items: query.ExpressionAttributeValues[':partition'] === `CYCLE#C1#SHARD#${String(shard).padStart(4, '0')}` ? [accountToItem(account)] : [] };
    if (query.ExpressionAttributeValues[':pk'] === 'METER#M0001') return { Items: [dayReadsToItem(day)] };
    if (query.ExpressionAttributeValues[':pk'] === 'ACCOUNT#A0001' && query.ExpressionAttributeValues[':prefix'] === 'AGREEMENT#') return { Items: [agreementToItem(agreement)] };
    if (query.ExpressionAttributeValues[':pk'] === 'TARIFF#ELEC-RES') return { Items: tariffToItems(tariff, 't') };
    return { Items: [] };
  });
  ddb.on(GetCommand).resolves({});
  ddb.on(BatchGetCommand).callsFake(async (batch: { RequestItems: Record<string, { Keys: Array<{ PK: string; SK: string }>; ConsistentRead?: boolean }> }) => {
    const { Keys, ConsistentRead } = batch.RequestItems[TABLE]!;
    if (Keys.every((key) => key.SK.startsWith('BILL#'))) {
      expect(ConsistentRead).toBe(true);
      return { Responses: { [TABLE]: existingBills.filter((bill) => Keys.some((key) => key.PK === bill['PK'] && key.SK === bill['SK'])) } };
    }
    return { Responses: { [TABLE]: Keys.some((key) => key.PK === 'METER#M0001') ? [meterToItem(meter)] : [] } };
  });
  return createHandler(tableDeps());
}

const cancelled = (...codes: string[]) => new TransactionCanceledException({ message: 'Transaction cancelled', $metadata: {}, CancellationReasons: codes.map((Code) => ({ Code })) });

describe('bill-segment', () => {
  it('writes bill, ledger entry, audit event, ledger key and history item (total, usage, monthly peak) in one conditional transaction', async () => {
    const run = setup();
    ddb.on(TransactWriteCommand).resolves({});
    expect(await run(input, context)).toEqual({ segmentIndex: 3, billed: 1, held: 0, skipped: 0, failed: 0, errors: [] });
    const [bill, ledger, audit, ledgerKey, history, ...rest] = ddb.commandCalls(TransactWriteCommand)[0]!.args[0].input.TransactItems!.map((item) => item.Put!);
    // 600.2 kWh at 00:00 local (off-peak): 12.50 + 55.52 (x 0.0925 = 55.5185) + 2.52 (x 0.0042 = 2.52084) = 70.54; 5% fee 3.527 -> 3.53.
    expect(bill).toMatchObject({ ConditionExpression: 'attribute_not_exists(PK)', Item: { PK: 'ACCOUNT#A0001', total: '74.07', dueDate: '2026-02-22', runId: 'run-2' } });
    expect(bill!.Item!['services']).toMatchObject([{ agreementId: 'G0001', usage: { quantity: '600.2', unit: 'kWh' }, peakKw: '600.2', subtotal: '74.07' }]);
    expect((bill!.Item!['services'] as Array<{ lines: Array<{ amount: string }> }>)[0]!.lines.map((line) => line.amount)).toEqual(['12.50', '55.52', '2.52', '3.53']);
    expect(String(bill!.Item!['SK'])).toMatch(/^BILL#2026-01-01#B[0-9A-F]{24}$/);
    expect(ledger).toMatchObject({ ConditionExpression: 'attribute_not_exists(PK)', Item: { idempotencyKey: bill!.Item!['billId'], postings: [{ side: 'debit', amount: '74.07' }, { side: 'credit', amount: '74.07' }] } });
    expect(String(ledger!.Item!['SK'])).toMatch(/^LEDGER#/);
    expect(audit!.Item).toMatchObject({ PK: 'AUDIT#ACCOUNT#A0001', action: 'bill.issued' });
    expect(ledgerKey).toMatchObject({ ConditionExpression: 'attribute_not_exists(PK)', Item: { PK: 'ACCOUNT#A0001', SK: `LEDGERKEY#${String(bill!.Item!['billId'])}` } });
    expect(history).toMatchObject({ ConditionExpression: 'attribute_not_exists(PK)', Item: { PK: 'ACCOUNT#A0001', SK: `AGREEMENT#~BILL#2026-01-01#${String(bill!.Item!['billId'])}`, type: 'BILL_HISTORY', total: '74.07', estimated: false, services: [{ agreementId: 'G0001', quantity: '600.2', peakKw: '600.2' }] } });
    expect(rest).toEqual([]);
  });

  it('reads an account with one Query of its agreements, one Query per meter (intervals only) and tariff, a BatchGet of the chunk\'s bills and one of its meters, and one transaction', async () => {
    const run = setup();
    ddb.on(TransactWriteCommand).resolves({});
    await run(input, context);
    const queries = ddb.commandCalls(QueryCommand).map((call) => String(call.args[0].input.IndexName ?? call.args[0].input.ExpressionAttributeValues?.[':pk']));
    expect(queries.sort()).toEqual(['ACCOUNT#A0001', 'GSI1', 'METER#M0001', 'TARIFF#ELEC-RES']);
    expect(ddb.commandCalls(QueryCommand).find((call) => call.args[0].input.ExpressionAttributeValues?.[':pk'] === 'METER#M0001')!.args[0].input.ProjectionExpression).toBe('PK, SK, #day, #unit, iv, intervals');
    expect(ddb.commandCalls(BatchGetCommand)).toHaveLength(2);
    expect(ddb.commandCalls(GetCommand)).toHaveLength(0);
    expect(ddb.commandCalls(TransactWriteCommand)).toHaveLength(1);
  });

  it('skips an account whose bill the BatchGet finds, without rating or writing (re-run and segment retry)', async () => {
    const run = setup([billToItem(earlierBill('run-1'))]);
    expect(await run(input, context)).toEqual({ segmentIndex: 3, billed: 0, held: 0, skipped: 1, failed: 0, errors: [] });
    const retry = setup([billToItem(earlierBill('run-2'))]);
    expect(await retry(input, context)).toEqual({ segmentIndex: 3, billed: 1, held: 0, skipped: 0, failed: 0, errors: [] });
    expect(ddb.commandCalls(TransactWriteCommand)).toHaveLength(0);
    expect(ddb.commandCalls(QueryCommand).filter((call) => call.args[0].input.ExpressionAttributeValues?.[':pk'] === 'METER#M0001')).toHaveLength(0);
  });

  it('counts an existing bill (ConditionalCheckFailed in the transaction) as skipped, not an error', async () => {
    const run = setup();
    const earlier = earlierBill('run-1');
    ddb.on(TransactWriteCommand).rejects(
      new TransactionCanceledException({
        message: 'Transaction cancelled, please refer cancellation reasons for specific reasons [ConditionalCheckFailed, None, None]',
        $metadata: {},
        CancellationReasons: [{ Code: 'ConditionalCheckFailed', Item: marshall(billToItem(earlier)) }, { Code: 'None' }, { Code: 'None' }],
      }),
    );
    expect(await run(input, context)).toEqual({ segmentIndex: 3, billed: 0, held: 0, skipped: 1, failed: 0, errors: [] });
  });

  it('counts a bill left by an earlier attempt of the same run as billed (segment retry)', async () => {
    const run = setup();
    const earlier = earlierBill('run-2');
    ddb.on(TransactWriteCommand).rejects(cancelled('ConditionalCheckFailed', 'None', 'None'));
    ddb.on(GetCommand).callsFake(async (get: { Key: { PK: string; SK: string } }) => {
      const calls = ddb.commandCalls(TransactWriteCommand).length;
      return get.Key.SK.startsWith('BILL#') && calls > 0 ? { Item: billToItem(earlier) } : {};
    });
    expect(await run(input, context)).toMatchObject({ billed: 1, skipped: 0 });
  });

  it('throws TransientStoreError on a transaction conflict so the state machine retries', async () => {
    const run = setup();
    ddb.on(TransactWriteCommand).rejects(cancelled('None', 'TransactionConflict', 'None'));
    await expect(run(input, context)).rejects.toMatchObject({ name: 'TransientStoreError' });
  });

  it('throws TransientStoreError when the shard query is throttled', async () => {
    const run = setup();
    ddb.on(QueryCommand).rejects(new ProvisionedThroughputExceededException({ message: 'slow down', $metadata: {} }));
    await expect(run(input, context)).rejects.toMatchObject({ name: 'TransientStoreError' });
  });

  it('holds the bill of an account without a tariff for review, posting nothing', async () => {
    const run = setup();
    ddb.on(QueryCommand, { ExpressionAttributeValues: { ':pk': 'TARIFF#ELEC-RES' } } as never).resolves({ Items: [] });
    expect(await run(input, context)).toEqual({ segmentIndex: 3, billed: 0, held: 1, skipped: 0, failed: 0, errors: [] });
    const items = ddb.commandCalls(TransactWriteCommand).flatMap((call) => call.args[0].input.TransactItems ?? []).map((item) => item.Put?.Item ?? {});
    expect(items.find((item) => item['type'] === 'BILL')).toMatchObject({ status: 'HELD', holds: [expect.objectContaining({ reason: 'tariff-not-found' })] });
    expect(items.some((item) => item['type'] === 'LEDGER_ENTRY')).toBe(false);
  });

  it('refuses a malformed task input with InvalidInput naming the field', async () => {
    const run = setup();
    await expect(run({ ...input, segment: { segmentIndex: 0, shardFrom: 5, shardTo: 2000 } }, context)).rejects.toMatchObject({ name: 'InvalidInput', message: expect.stringContaining('segment.shardTo') });
  });
});
