import { DynamoDBDocumentClient, GetCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { createHandler } from '../../../functions/portal/list-bills';
import { billToItem } from '../../../shared/adapters/bill-store';
import { bodyOf, context, customerClaims, getTwoCustomersAccounts, httpEvent, ratedTestBill, staffClaims, tableDeps, withoutClaims } from '../helpers';

const ddb = mockClient(DynamoDBDocumentClient);
const bill = ratedTestBill();

const list = (claims: Record<string, unknown>, accountId = 'A0001', query?: Record<string, string>) =>
  httpEvent({ routeKey: 'GET /portal/accounts/{accountId}/bills', claims, pathParameters: { accountId }, ...(query ? { queryStringParameters: query } : {}) });

describe('list-bills', () => {
  beforeEach(() => {
    ddb.reset();
    ddb.on(GetCommand).callsFake(getTwoCustomersAccounts);
    ddb.on(QueryCommand).resolves({ Items: [billToItem(bill)] });
  });

  it("returns the customer's own bills, newest first, with exact decimal strings", async () => {
    const response = await createHandler(tableDeps())(list(customerClaims('C0001')), context);
    expect(response.statusCode).toBe(200);
    const body = bodyOf(response) as { items: Array<Record<string, unknown>>; nextCursor: null };
    expect(body.nextCursor).toBeNull();
    expect(body.items).toEqual([JSON.parse(JSON.stringify(bill))]);
    expect(body.items[0]).toMatchObject({
      total: '74.07',
      dueDate: '2026-02-22',
      services: [
        {
          serviceType: 'electric',
          tariffId: 'ELEC-RES',
          usage: { quantity: '600.2', unit: 'kWh' },
          subtotal: '74.07',
          lines: [
            { description: 'Customer charge', quantity: '1', unit: 'bill', amount: '12.50', rate: '12.5', periodStart: '2026-01-01', periodEnd: '2026-01-31' },
            { description: 'Energy, Off-peak', quantity: '600.2', unit: 'kWh', rate: '0.0925', amount: '55.52' },
            { description: 'Energy cost adjustment', quantity: '600.2', rate: '0.0042', amount: '2.52' },
            { unit: 'USD', quantity: '70.54', rate: '0.05', amount: '3.53' },
          ],
        },
      ],
    });
    expect(ddb.commandCalls(QueryCommand)[0]!.args[0].input).toMatchObject({ ScanIndexForward: false, Limit: 24, ExpressionAttributeValues: { ':pk': 'ACCOUNT#A0001', ':prefix': 'BILL#' } });
  });

  it('hides bills held for review and cancelled bills: the customer sees only issued bills', async () => {
    const held = { ...ratedTestBill('run-2'), billId: 'B2', periodStart: '2026-02-01', status: 'HELD' as const, holds: [{ reason: 'high-bill', message: 'm' }] };
    const cancelled = { ...held, billId: 'B3', status: 'CANCELLED' as const };
    ddb.on(QueryCommand).resolves({ Items: [billToItem(held), billToItem(cancelled), billToItem(bill)] });
    const response = await createHandler(tableDeps())(list(customerClaims('C0001')), context);
    expect((bodyOf(response) as { items: Array<{ billId: string }> }).items.map((item) => item.billId)).toEqual([bill.billId]);
  });

  it.each([
    ["another customer's account", customerClaims('C0001'), 'A0002'],
    ['an account that does not exist (same answer: ids cannot be probed)', customerClaims('C0001'), 'A9999'],
    ['a staff token', staffClaims('[admin]'), 'A0001'],
  ])('answers 403 for %s and reads no bills', async (_name, claims, accountId) => {
    const response = await createHandler(tableDeps())(list(claims, accountId), context);
    expect(response.statusCode).toBe(403);
    expect(bodyOf(response)).toMatchObject({ code: 'Forbidden' });
    expect(ddb.commandCalls(QueryCommand)).toHaveLength(0);
  });

  it('answers 401 without a token and 400 for a bad limit', async () => {
    expect((await createHandler(tableDeps())(withoutClaims(list({})), context)).statusCode).toBe(401);
    const bad = await createHandler(tableDeps())(list(customerClaims('C0001'), 'A0001', { limit: '1000' }), context);
    expect(bad.statusCode).toBe(400);
    expect(bodyOf(bad)['message']).toContain('query.limit');
  });

  it("refuses a cursor that points into another account's partition", async () => {
    const cursor = Buffer.from(JSON.stringify({ PK: 'ACCOUNT#A0002', SK: 'BILL#2026-01-01#B1' })).toString('base64url');
    const response = await createHandler(tableDeps())(list(customerClaims('C0001'), 'A0001', { cursor }), context);
    expect(response.statusCode).toBe(400);
    expect(ddb.commandCalls(QueryCommand)).toHaveLength(0);
  });
});
