import { DynamoDBDocumentClient, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { createHandler } from '../../../functions/staff/list-accounts';
import { accountToItem } from '../../../shared/adapters/account-store';
import { encodeCursor } from '../../../shared/adapters/dynamo';
import { bodyOf, context, customerClaims, httpEvent, staffClaims, tableDeps, testAccount } from '../helpers';

const ddb = mockClient(DynamoDBDocumentClient);
const account = testAccount();

describe('list-accounts', () => {
  beforeEach(() => ddb.reset());

  it('returns a page of summaries and an opaque cursor (any staff role)', async () => {
    const last = { PK: 'ACCOUNT#A0001', SK: 'ACCOUNT', GSI2PK: 'TYPE#ACCOUNT', GSI2SK: 'A0001' };
    ddb.on(QueryCommand).resolves({ Items: [accountToItem(account)], LastEvaluatedKey: last });
    const run = createHandler(tableDeps());
    const response = await run(httpEvent({ routeKey: 'GET /staff/accounts', claims: staffClaims('[auditor]'), queryStringParameters: { limit: '1' } }), context);
    expect(response.statusCode).toBe(200);
    expect(bodyOf(response)).toEqual({ items: [{ accountId: 'A0001', customerId: 'C0001', name: 'Avery', cycle: 'C1', status: 'ACTIVE', meterIds: ['M0001'] }], nextCursor: encodeCursor(last) });
    expect(ddb.commandCalls(QueryCommand)[0]!.args[0].input).toMatchObject({ IndexName: 'GSI2', Limit: 1, ExpressionAttributeValues: { ':type': 'TYPE#ACCOUNT' } });
  });

  it('defaults to 25 and passes the cursor back', async () => {
    ddb.on(QueryCommand).resolves({ Items: [] });
    const cursor = encodeCursor({ PK: 'ACCOUNT#A0025', SK: 'ACCOUNT', GSI2PK: 'TYPE#ACCOUNT', GSI2SK: 'A0025' })!;
    const response = await createHandler(tableDeps())(httpEvent({ routeKey: 'GET /staff/accounts', claims: staffClaims('[csr]'), queryStringParameters: { cursor } }), context);
    expect(bodyOf(response)).toEqual({ items: [], nextCursor: null });
    expect(ddb.commandCalls(QueryCommand)[0]!.args[0].input).toMatchObject({ Limit: 25, ExclusiveStartKey: { GSI2SK: 'A0025' } });
  });

  it.each([
    [{ limit: '0' }, 'query.limit'],
    [{ limit: '101' }, 'query.limit'],
    [{ limit: 'ten' }, 'query.limit'],
    [{ cursor: 'bm90LWEta2V5' }, 'query.cursor'],
  ])('answers 400 for %j', async (query, field) => {
    const response = await createHandler(tableDeps())(httpEvent({ routeKey: 'GET /staff/accounts', claims: staffClaims('[csr]'), queryStringParameters: query }), context);
    expect(response.statusCode).toBe(400);
    expect((bodyOf(response)['issues'] as Array<{ path: string }>).map((i) => i.path)).toContain(field);
  });

  it('refuses customers with 403', async () => {
    const response = await createHandler(tableDeps())(httpEvent({ routeKey: 'GET /staff/accounts', claims: customerClaims('C0001') }), context);
    expect(response.statusCode).toBe(403);
    expect(ddb.commandCalls(QueryCommand)).toHaveLength(0);
  });

  it('answers 500 without internals when DynamoDB breaks unexpectedly', async () => {
    ddb.on(QueryCommand).rejects(Object.assign(new Error('secret table detail'), { name: 'ValidationException' }));
    const deps = tableDeps();
    const response = await createHandler(deps)(httpEvent({ routeKey: 'GET /staff/accounts', claims: staffClaims('[csr]') }), context);
    expect(response.statusCode).toBe(500);
    expect(response.body).not.toContain('secret');
    expect(deps.log.lines.some((line) => line.level === 'error')).toBe(true);
  });
});
