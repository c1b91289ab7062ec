import { DynamoDBDocumentClient, GetCommand, TransactWriteCommand } from '@aws-sdk/lib-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { createHandler } from '../../../functions/staff/transition-service-order';
import { DynamoCustomerRecordStore } from '../../../shared/adapters/customer-record-store';
import { DynamoLedgerStore } from '../../../shared/adapters/ledger-store';
import { meterRecordToItem, orderToItem, servicePointToItem } from '../../../shared/adapters/customer-record-items';
import { newOrder, type ServiceOrder } from '../../../shared/domain/customers/service-orders';
import { bodyOf, context, customerClaims, httpEvent, staffClaims, TABLE, tableDeps } from '../helpers';

const ddb = mockClient(DynamoDBDocumentClient);
const deps = () => {
  const table = tableDeps();
  return { ...table, records: new DynamoCustomerRecordStore(table.documentClient, TABLE), ledger: new DynamoLedgerStore(table.documentClient, TABLE) };
};
const order: ServiceOrder = { ...newOrder({ orderId: 'O1', type: 'RE_READ', servicePointId: 'P1-WATER', premiseId: 'P1', serviceType: 'water', accountId: 'A1', meterId: 'MW1', requestedBy: 'casey', createdAt: '2026-01-30T10:00:00.000Z' }), state: 'DISPATCHED', recordVersion: 2 };
const sp = { servicePointId: 'P1-WATER', premiseId: 'P1', serviceType: 'water' as const, meterId: 'MW1', activeAgreementId: 'G1', activeAccountId: 'A1', connection: 'ON' as const, recordVersion: 5 };
const meter = { meterId: 'MW1', accountId: 'A1', unit: 'gal' as const, status: 'ACTIVE' as const, multiplier: 1, serviceType: 'water' as const, meterType: 'AMI' as const, size: '5/8in', dials: 6, servicePointId: 'P1-WATER', installHistory: [], recordVersion: 1 };

function table(items: Array<Record<string, unknown>>) {
  ddb.on(GetCommand).callsFake((input: { Key: { PK: string; SK: string } }) => ({ Item: items.find((item) => item['PK'] === input.Key.PK && item['SK'] === input.Key.SK) }));
}

const event = (body: unknown, claims: Record<string, unknown> = staffClaims('[csr]')) => httpEvent({ routeKey: 'POST /staff/service-orders/{orderId}/transitions', claims, pathParameters: { orderId: 'O1' }, body });

describe('transition-service-order', () => {
  beforeEach(() => ddb.reset());

  it('completes a read order: the order under its version, the field read and the audit events in one transaction', async () => {
    table([orderToItem(order), servicePointToItem(sp), meterRecordToItem(meter)]);
    ddb.on(TransactWriteCommand).resolves({});
    const response = await createHandler(deps())(event({ action: 'complete', read: '1234.25' }), context);
    expect(response.statusCode).toBe(200);
    expect(bodyOf(response)).toMatchObject({ state: 'COMPLETED', completion: { read: '1234.25' } });
    const items = ddb.commandCalls(TransactWriteCommand)[0]!.args[0].input.TransactItems!;
    const update = items[0]!.Update!;
    expect(update).toMatchObject({ Key: { PK: 'ORDER#O1', SK: 'ORDER' }, ConditionExpression: '#rv = :expected' });
    expect(update.ExpressionAttributeValues![':expected']).toBe(2);
    expect(Object.values(update.ExpressionAttributeValues!)).toContain(3);
    const puts = items.filter((item) => item.Put).map((item) => item.Put!);
    expect(puts.find((put) => put.Item!['type'] === 'FIELD_READ')).toMatchObject({ Item: { PK: 'METER#MW1', value: '1234.25', unit: 'gal', orderId: 'O1', readType: 'RE_READ' }, ConditionExpression: 'attribute_not_exists(PK)' });
    const audits = puts.filter((put) => put.Item!['type'] === 'AUDIT');
    expect(audits.map((put) => `${put.Item!['entityType']}:${put.Item!['action']}`).sort()).toEqual(['ACCOUNT:service-order.completed', 'METER:meter.read-posted', 'SERVICE_ORDER:service-order.completed']);
    for (const audit of audits) expect(audit).toMatchObject({ ConditionExpression: 'attribute_not_exists(PK)', Item: { actor: 'dana' } });
  });

  it('answers 409 with a reason for completing a cancelled order, and writes nothing', async () => {
    table([orderToItem({ ...order, state: 'CANCELLED' })]);
    const response = await createHandler(deps())(event({ action: 'complete', read: '1' }), context);
    expect(response.statusCode).toBe(409);
    expect(bodyOf(response)).toMatchObject({ code: 'IllegalOrderTransition', message: expect.stringContaining('is CANCELLED') });
    expect(ddb.commandCalls(TransactWriteCommand)).toHaveLength(0);
  });

  it('re-reads and retries when it loses a race, then answers 409 ConcurrentChange', async () => {
    table([orderToItem(order), servicePointToItem(sp), meterRecordToItem(meter)]);
    const cancelled = Object.assign(new Error('Transaction cancelled'), { name: 'TransactionCanceledException', CancellationReasons: [{ Code: 'ConditionalCheckFailed' }, { Code: 'None' }] });
    ddb.on(TransactWriteCommand).rejects(cancelled);
    const response = await createHandler(deps())(event({ action: 'complete', read: '1' }), context);
    expect(response.statusCode).toBe(409);
    expect(bodyOf(response)['code']).toBe('ConcurrentChange');
    expect(ddb.commandCalls(TransactWriteCommand)).toHaveLength(4);
  });

  it.each([
    ['an auditor', staffClaims('[auditor]'), { action: 'cancel' }, 403],
    ['billing', staffClaims('[billing]'), { action: 'cancel' }, 403],
    ['a customer', customerClaims('C1'), { action: 'cancel' }, 403],
    ['an unknown action', staffClaims('[csr]'), { action: 'explode' }, 400],
    ['a negative read', staffClaims('[csr]'), { action: 'complete', read: '-5' }, 400],
    ['a float read', staffClaims('[csr]'), { action: 'complete', read: 12.5 }, 400],
    ['an unknown field', staffClaims('[csr]'), { action: 'cancel', force: true }, 400],
  ])('refuses %s before touching the table', async (_who, claims, body, status) => {
    const response = await createHandler(deps())(event(body, claims), context);
    expect(response.statusCode).toBe(status);
    expect(ddb.calls()).toHaveLength(0);
  });
});
