import { readFileSync } from 'node:fs';
import path from 'node:path';
import { TransactionCanceledException } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, QueryCommand, TransactWriteCommand } from '@aws-sdk/lib-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { createHandler } from '../../../functions/staff/put-tariff';
import { tariffFromItems, tariffToItems } from '../../../shared/adapters/tariff-store';
import { demoTariffs } from '../../../shared/app/seed-demo';
import { bodyOf, context, httpEvent, staffClaims, tableDeps } from '../helpers';

const ddb = mockClient(DynamoDBDocumentClient);
const electric = JSON.parse(JSON.stringify(demoTariffs('America/Denver')[0])) as ReturnType<typeof demoTariffs>[number];
const urdb = JSON.parse(readFileSync(path.resolve(__dirname, '../../fixtures/tariffs/urdb-wallingford-without-reactive.json'), 'utf8')) as unknown;

const put = (body: unknown, role = 'admin', tariffId = 'ELEC-RES', query?: Record<string, string>) =>
  createHandler(tableDeps())(httpEvent({ routeKey: 'PUT /staff/tariffs/{tariffId}', claims: staffClaims(`[${role}]`, 'ada'), pathParameters: { tariffId }, body, ...(query ? { queryStringParameters: query } : {}) }), context);
const transactItems = () => ddb.commandCalls(TransactWriteCommand).flatMap((call) => call.args[0].input.TransactItems ?? []);

describe('PUT /staff/tariffs/{tariffId}', () => {
  beforeEach(() => {
    ddb.reset();
    ddb.on(QueryCommand).resolves({ Items: [] });
    ddb.on(TransactWriteCommand).resolves({});
  });

  it('stores a new tariff: header, one item per version and the audit event in one conditional transaction', async () => {
    const response = await put(electric);
    expect(response.statusCode).toBe(200);
    expect(bodyOf(response)).toEqual({ tariffId: 'ELEC-RES', created: true, changed: true, revision: 1, versions: ['2020-01-01'], added: ['2020-01-01'] });
    const puts = transactItems().map((item) => item.Put!);
    expect(puts.map((p) => `${String(p.Item!['PK'])}|${String(p.Item!['SK'])}|${p.ConditionExpression}`)).toEqual([
      'TARIFF#ELEC-RES|TARIFF|attribute_not_exists(PK)',
      'TARIFF#ELEC-RES|VERSION#2020-01-01|attribute_not_exists(PK)',
      expect.stringMatching(/^AUDIT#TARIFF#ELEC-RES\|AUDIT#.*\|attribute_not_exists\(PK\)$/),
    ]);
    expect(puts[2]!.Item).toMatchObject({ actor: 'ada', action: 'tariff.created', details: { revision: 1, added: '2020-01-01' } });
    // What was written reads back as the same document.
    expect(tariffFromItems(puts.slice(0, 2).map((p) => p.Item!))).toEqual({ doc: electric, revision: 1 });
  });

  it('writes nothing when the stored tariff is the same document', async () => {
    ddb.on(QueryCommand).resolves({ Items: tariffToItems(electric, 't') });
    const response = await put(electric);
    expect(bodyOf(response)).toMatchObject({ created: false, changed: false, revision: 1 });
    expect(ddb.commandCalls(TransactWriteCommand)).toHaveLength(0);
  });

  it('appends a new version, closing the open one only if it is still the stored text, under the header revision', async () => {
    ddb.on(QueryCommand).resolves({ Items: tariffToItems(electric, 't') });
    const [first] = electric.versions;
    const next = { ...electric, versions: [{ ...first!, effectiveTo: '2026-06-30' }, { ...first!, effectiveFrom: '2026-07-01', charges: [{ kind: 'fixed', description: 'Customer charge', amount: '14.00' }] }] };
    const response = await put(next);
    expect(bodyOf(response)).toMatchObject({ created: false, changed: true, revision: 2, added: ['2026-07-01'], closed: '2020-01-01' });
    const puts = transactItems().map((item) => item.Put!);
    expect(puts[0]).toMatchObject({ ConditionExpression: 'revision = :revision', ExpressionAttributeValues: { ':revision': 1 }, Item: { revision: 2 } });
    expect(puts.map((p) => String(p.Item!['SK']))).toEqual(['TARIFF', 'VERSION#2026-07-01', expect.stringMatching(/^AUDIT#/), 'VERSION#2020-01-01']);
    expect(puts[3]).toMatchObject({ ConditionExpression: 'body = :open AND attribute_not_exists(effectiveTo)', Item: { effectiveTo: '2026-06-30' } });
  });

  it('answers 409 when the document would edit history, and writes nothing', async () => {
    ddb.on(QueryCommand).resolves({ Items: tariffToItems(electric, 't') });
    const edited = JSON.parse(JSON.stringify(electric)) as typeof electric;
    (edited.versions[0]!.charges[0] as { amount: string }).amount = '99.00';
    const response = await put(edited);
    expect(response.statusCode).toBe(409);
    expect(bodyOf(response)).toMatchObject({ code: 'TariffHistoryConflict', reason: 'tariff-history-changed', message: expect.stringContaining('2020-01-01') });
    expect(ddb.commandCalls(TransactWriteCommand)).toHaveLength(0);
  });

  it('answers 409 when another load won the race', async () => {
    ddb.on(TransactWriteCommand).rejects(new TransactionCanceledException({ message: 'cancelled', $metadata: {}, CancellationReasons: [{ Code: 'ConditionalCheckFailed' }] }));
    const response = await put(electric);
    expect(response.statusCode).toBe(409);
    expect(bodyOf(response)).toMatchObject({ code: 'VersionConflict' });
  });

  it.each([
    ['a price that is not a decimal string', { ...electric, versions: [{ ...electric.versions[0]!, charges: [{ kind: 'fixed', description: 'x', amount: 12.5 }] }] }, 'body.versions.0.charges.0.amount'],
    ['a missing unit', { ...electric, unit: undefined }, 'body.unit'],
    ['another tariff id than the path', { ...electric, tariffId: 'OTHER' }, 'body.tariffId'],
    ['overlapping versions', { ...electric, versions: [electric.versions[0]!, { ...electric.versions[0]!, effectiveFrom: '2025-06-01' }] }, 'body.versions'],
    ['a body that is not a tariff', { unexpected: 1 }, 'body.format'],
  ])('answers 400 naming the field for %s', async (_name, body, field) => {
    const response = await put(body);
    expect(response.statusCode).toBe(400);
    expect(bodyOf(response)).toMatchObject({ issues: [{ path: field }] });
    expect(ddb.commandCalls(TransactWriteCommand)).toHaveLength(0);
  });

  it('stores an OpenEI URDB rate under the path id, with the zone of the query', async () => {
    expect((await put(urdb, 'admin', 'WALLINGFORD-PRIMARY')).statusCode).toBe(400);
    const response = await put(urdb, 'admin', 'WALLINGFORD-PRIMARY', { timeZone: 'America/New_York' });
    expect(response.statusCode).toBe(200);
    const header = transactItems()[0]!.Put!.Item!;
    expect(header).toMatchObject({ PK: 'TARIFF#WALLINGFORD-PRIMARY', tariffId: 'WALLINGFORD-PRIMARY', unit: 'kWh', timeZone: 'America/New_York' });
  });

  it.each(['csr', 'billing', 'auditor'])('answers 403 to %s and reads nothing', async (role) => {
    expect((await put(electric, role)).statusCode).toBe(403);
    expect(ddb.commandCalls(QueryCommand)).toHaveLength(0);
  });
});
