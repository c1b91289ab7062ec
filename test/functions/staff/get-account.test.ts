import { BatchGetCommand, DynamoDBDocumentClient, GetCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { createHandler } from '../../../functions/staff/get-account';
import { accountToItem } from '../../../shared/adapters/account-store';
import { meterToItem } from '../../../shared/adapters/meter-store';
import { dayReadsToItem } from '../../../shared/adapters/read-store';
import { mergeDay } from '../../../shared/domain/reads';
import { bodyOf, context, customerClaims, httpEvent, staffClaims, TABLE, tableDeps, testAccount } from '../helpers';

const ddb = mockClient(DynamoDBDocumentClient);
const account = testAccount();
const meter = { meterId: 'M0001', accountId: 'A0001', unit: 'kWh' as const, status: 'ACTIVE' as const, multiplier: 1 };

const get = (accountId: string, claims: Record<string, unknown> = staffClaims('[csr]')) => httpEvent({ routeKey: 'GET /staff/accounts/{accountId}', claims, pathParameters: { accountId } });

describe('get-account', () => {
  beforeEach(() => ddb.reset());

  it('returns the account, its meters and the last three local days of reads, flattened', async () => {
    ddb.on(GetCommand).resolves({ Item: accountToItem(account) });
    ddb.on(BatchGetCommand).resolves({ Responses: { [TABLE]: [meterToItem(meter)] } });
    const day = mergeDay(undefined, meter, '2026-01-31', [
      { startEpochSec: Date.UTC(2026, 1, 1, 6) / 1000, durationSec: 3600, quantityMicro: 1_250_000, quality: 'A' },
      { startEpochSec: Date.UTC(2026, 1, 1, 5) / 1000, durationSec: 3600, quantityMicro: 500, quality: 'A' },
    ], { at: 't', by: 'mqtt' }).day;
    ddb.on(QueryCommand).resolves({ Items: [dayReadsToItem(day)] });
    const response = await createHandler(tableDeps())(get('A0001'), context);
    expect(response.statusCode).toBe(200);
    expect(bodyOf(response)).toEqual({
      account,
      meters: [
        {
          ...meter,
          recentReads: [
            { start: '2026-02-01T05:00:00Z', durationSec: 3600, value: '0.0005', unit: 'kWh', quality: 'A' },
            { start: '2026-02-01T06:00:00Z', durationSec: 3600, value: '1.25', unit: 'kWh', quality: 'A' },
          ],
        },
      ],
    });
    // NOW is 2026-02-01T08:00Z = 01:00 on Feb 1 in Denver: today and the two days before.
    expect(ddb.commandCalls(QueryCommand)[0]!.args[0].input.ExpressionAttributeValues).toEqual({ ':pk': 'METER#M0001', ':from': 'DAY#2026-01-30', ':to': 'DAY#2026-02-01' });
  });

  it('answers 404 for an unknown account', async () => {
    ddb.on(GetCommand).resolves({});
    const response = await createHandler(tableDeps())(get('A9999'), context);
    expect(response.statusCode).toBe(404);
    expect(bodyOf(response)).toEqual({ message: 'account A9999 does not exist', code: 'AccountNotFound' });
  });

  it('answers 400 for an id that cannot be a key, and 403 for customers', async () => {
    expect((await createHandler(tableDeps())(get('A#1'), context)).statusCode).toBe(400);
    expect((await createHandler(tableDeps())(get('A0001', customerClaims('C0001')), context)).statusCode).toBe(403);
    expect(ddb.commandCalls(GetCommand)).toHaveLength(0);
  });
});
