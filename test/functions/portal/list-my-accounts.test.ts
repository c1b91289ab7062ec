import { BatchGetCommand, DynamoDBDocumentClient, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { createHandler } from '../../../functions/portal/list-my-accounts';
import { accountToItem, customerAccountLinkToItem } from '../../../shared/adapters/account-store';
import { bodyOf, context, customerClaims, httpEvent, staffClaims, TABLE, tableDeps } from '../helpers';

const ddb = mockClient(DynamoDBDocumentClient);
const account = (accountId: string) => ({ accountId, customerId: 'C0001', name: `Home ${accountId}`, serviceAddress: '101 Main St', cycle: 'C1', tariffId: 'ELEC-RES', status: 'ACTIVE' as const, meterIds: [`M${accountId.slice(1)}`], shard: 1, createdAt: 't' });

describe('list-my-accounts', () => {
  beforeEach(() => ddb.reset());

  it("lists the signed-in customer's accounts", async () => {
    ddb.on(QueryCommand).resolves({ Items: [customerAccountLinkToItem(account('A0002')), customerAccountLinkToItem(account('A0001'))] });
    ddb.on(BatchGetCommand).resolves({ Responses: { [TABLE]: [accountToItem(account('A0002')), accountToItem(account('A0001'))] } });
    const response = await createHandler(tableDeps())(httpEvent({ routeKey: 'GET /portal/accounts', claims: customerClaims('C0001') }), context);
    expect(response.statusCode).toBe(200);
    expect(bodyOf(response)).toEqual({
      items: ['A0001', 'A0002'].map((id) => {
        const { accountId, name, serviceAddress, cycle, status, meterIds } = account(id);
        return { accountId, name, serviceAddress, cycle, status, meterIds };
      }),
    });
    expect(ddb.commandCalls(QueryCommand)[0]!.args[0].input.ExpressionAttributeValues).toEqual({ ':pk': 'CUSTOMER#C0001', ':prefix': 'ACCOUNT#' });
  });

  it('refuses staff tokens with 403', async () => {
    const response = await createHandler(tableDeps())(httpEvent({ routeKey: 'GET /portal/accounts', claims: staffClaims('[csr]') }), context);
    expect(response.statusCode).toBe(403);
  });
});
