import { BatchGetCommand, DynamoDBDocumentClient, GetCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { createHandler as usageHandler } from '../../../functions/portal/get-usage';
import { createHandler as greenButtonHandler } from '../../../functions/portal/get-green-button';
import { meterToItem } from '../../../shared/adapters/meter-store';
import { DynamoReadExceptionStore } from '../../../shared/adapters/read-exception-store';
import { dayReadsToItem } from '../../../shared/adapters/read-store';
import { parseUsageFeed } from '../../../shared/domain/greenbutton/espi';
import { bodyOf, context, customerClaims, getTwoCustomersAccounts, httpEvent, staffClaims, tableDeps, withoutClaims } from '../helpers';

const ddb = mockClient(DynamoDBDocumentClient);
const t = (iso: string) => String(Date.parse(iso) / 1000);
// 2026-01-05 (Denver): 00:00 and 00:15 actual, 01:00 estimated; 2026-02-01: one hour
const days = [
  { meterId: 'M0001', day: '2026-01-05', unit: 'kWh' as const, intervals: { [t('2026-01-05T00:00:00-07:00')]: [250_000, 900, 'A'] as [number, number, 'A'], [t('2026-01-05T00:15:00-07:00')]: [500_000, 900, 'A'] as [number, number, 'A'], [t('2026-01-05T01:00:00-07:00')]: [1_000_000, 3600, 'E'] as [number, number, 'E'] }, methods: { [t('2026-01-05T01:00:00-07:00')]: 'linear' as const }, version: 1, history: [], updatedAt: 'x' },
  { meterId: 'M0001', day: '2026-02-01', unit: 'kWh' as const, intervals: { [t('2026-02-01T10:00:00-07:00')]: [2_000_000, 3600, 'A'] as [number, number, 'A'] }, version: 1, history: [], updatedAt: 'x' },
];

/** The handler's deps: the table stores and the alert reader. */
const usageDeps = () => {
  const deps = tableDeps();
  return { ...deps, alerts: new DynamoReadExceptionStore(deps.documentClient, deps.tableName) };
};
const alertItem = { PK: 'ACCOUNT#A0001', SK: 'ALERT#2026-01-05#M0001', type: 'USAGE_ALERT', accountId: 'A0001', meterId: 'M0001', day: '2026-01-05', unit: 'kWh', totalMicro: 123_500_000, thresholdMicro: 100_000_000, raisedAt: '2026-01-06T07:00:00.000Z' };

const request = (route: 'usage' | 'greenbutton', claims: Record<string, unknown>, query: Record<string, string>, accountId = 'A0001') =>
  httpEvent({ routeKey: `GET /portal/accounts/{accountId}/usage${route === 'greenbutton' ? '/greenbutton' : ''}`, claims, pathParameters: { accountId }, queryStringParameters: query });

describe('portal usage', () => {
  beforeEach(() => {
    ddb.reset();
    ddb.on(GetCommand).callsFake(getTwoCustomersAccounts);
    ddb.on(BatchGetCommand).resolves({ Responses: { CisTable: [meterToItem({ meterId: 'M0001', accountId: 'A0001', unit: 'kWh', status: 'ACTIVE', multiplier: 2 })] } });
    ddb.on(QueryCommand).resolves({ Items: days.map(dayReadsToItem) });
    ddb.on(QueryCommand, { KeyConditionExpression: 'PK = :pk AND SK BETWEEN :from AND :to', ExpressionAttributeValues: { ':pk': 'ACCOUNT#A0001' } }).resolves({ Items: [alertItem] });
  });

  it.each([
    ['hour', [['2026-01-05T07:00:00Z', '1.5', false], ['2026-01-05T08:00:00Z', '2', true], ['2026-02-01T17:00:00Z', '4', false]]],
    ['day', [['2026-01-05', '3.5', true], ['2026-02-01', '4', false]]],
    ['month', [['2026-01', '3.5', true], ['2026-02', '4', false]]],
  ] as const)('sums per %s with the meter multiplier and marks estimates', async (interval, expected) => {
    const response = await usageHandler(usageDeps())(request('usage', customerClaims('C0001'), { from: '2026-01-01', to: '2026-02-28', interval }), context);
    expect(response.statusCode).toBe(200);
    const body = bodyOf(response) as { series: Array<{ unit: string; meterIds: string[]; points: Array<{ period: string; quantity: string; estimated: boolean }> }> };
    expect(body.series).toHaveLength(1);
    expect(body.series[0]).toMatchObject({ unit: 'kWh', meterIds: ['M0001'] });
    expect(bodyOf(response)).toMatchObject({ accountId: 'A0001', from: '2026-01-01', to: '2026-02-28', interval, timeZone: 'America/Denver' });
    expect(body.series[0]!.points.map((p) => [p.period, p.quantity, p.estimated])).toEqual(expected);
    const queries = ddb.commandCalls(QueryCommand).map((call) => call.args[0].input);
    expect(queries.find((input) => input.ExpressionAttributeValues?.[':pk'] === 'METER#M0001')).toMatchObject({ ExpressionAttributeValues: { ':from': 'DAY#2026-01-01', ':to': 'DAY#2026-02-28' } });
  });

  it('lists the high-usage alerts raised for the account in the range, decimals in the meter unit', async () => {
    const response = await usageHandler(usageDeps())(request('usage', customerClaims('C0001'), { from: '2026-01-01', to: '2026-02-28', interval: 'day' }), context);
    expect(response.statusCode).toBe(200);
    expect((bodyOf(response) as { alerts: unknown[] }).alerts).toEqual([{ day: '2026-01-05', meterId: 'M0001', unit: 'kWh', total: '123.5', threshold: '100', raisedAt: '2026-01-06T07:00:00.000Z' }]);
    const alertQuery = ddb.commandCalls(QueryCommand).map((call) => call.args[0].input).find((input) => input.ExpressionAttributeValues?.[':pk'] === 'ACCOUNT#A0001');
    expect(alertQuery).toMatchObject({ ExpressionAttributeValues: { ':from': 'ALERT#2026-01-01', ':to': 'ALERT#2026-02-28#\uffff' } });
  });

  it.each([
    ["another customer's account", customerClaims('C0001'), 'A0002', 403],
    ['an unknown account', customerClaims('C0001'), 'A9999', 403],
    ['a staff token', staffClaims('[admin]'), 'A0001', 403],
  ])('answers 403 for %s and reads no usage', async (_case, claims, accountId, status) => {
    for (const route of ['usage', 'greenbutton'] as const) {
      const handler = route === 'usage' ? usageHandler(usageDeps()) : greenButtonHandler(tableDeps());
      const response = await handler(request(route, claims, { from: '2026-01-01', to: '2026-01-31' }, accountId), context);
      expect(response.statusCode).toBe(status);
    }
    expect(ddb.commandCalls(QueryCommand)).toHaveLength(0);
  });

  it.each([
    [{ from: '2026-01-01', to: '2026-01-31', interval: 'week' }, 'query.interval'],
    [{ from: '2026-13-01', to: '2026-01-31' }, 'query.from'],
    [{ to: '2026-01-31' }, 'query.from'],
    [{ from: '2026-02-01', to: '2026-01-31' }, 'query.to'],
    [{ from: '2026-01-01', to: '2026-12-31', interval: 'hour' }, 'query.to'],
  ])('answers 400 naming the field for %j', async (query, field) => {
    const response = await usageHandler(usageDeps())(request('usage', customerClaims('C0001'), query as Record<string, string>), context);
    expect(response.statusCode).toBe(400);
    expect(JSON.stringify(bodyOf(response))).toContain(field);
  });

  it('answers 401 without a token', async () => {
    expect((await usageHandler(usageDeps())(withoutClaims(request('usage', {}, { from: '2026-01-01', to: '2026-01-31' })), context)).statusCode).toBe(401);
  });

  it('downloads a Green Button feed that reads back to the same usage', async () => {
    const response = await greenButtonHandler(tableDeps())(request('greenbutton', customerClaims('C0001'), { from: '2026-01-01', to: '2026-02-28' }), context);
    expect(response.statusCode).toBe(200);
    expect(response.headers['content-type']).toContain('application/atom+xml');
    const [reading] = parseUsageFeed(response.body);
    expect(reading?.readings.map((r) => [r.start, r.durationSec, r.value, r.unit])).toEqual([
      ['2026-01-05T07:00:00Z', 900, '500', 'Wh'],
      ['2026-01-05T07:15:00Z', 900, '1000', 'Wh'],
      ['2026-01-05T08:00:00Z', 3600, '2000', 'Wh'],
      ['2026-02-01T17:00:00Z', 3600, '4000', 'Wh'],
    ]);
    expect(response.body).toContain('<quality>9</quality>');
  });
});
