import { DynamoDBDocumentClient, BatchGetCommand, GetCommand, PutCommand, QueryCommand, TransactWriteCommand } from '@aws-sdk/lib-dynamodb';
import { TransactionCanceledException } from '@aws-sdk/client-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { createHandler as listHandler } from '../../../functions/staff/list-read-exceptions';
import { createHandler as resolveHandler } from '../../../functions/staff/resolve-read-exception';
import { createHandler as manualHandler } from '../../../functions/staff/enter-manual-reads';
import { createHandler as uploadHandler } from '../../../functions/staff/upload-reads';
import { meterToItem } from '../../../shared/adapters/meter-store';
import { DynamoReadExceptionStore } from '../../../shared/adapters/read-exception-store';
import { dayReadsFromItem } from '../../../shared/adapters/read-store';
import { bodyOf, context, customerClaims, httpEvent, staffClaims, tableDeps } from '../helpers';

const ddb = mockClient(DynamoDBDocumentClient);
type Item = Record<string, unknown>;
const id = (key: Item) => `${String(key['PK'])}|${String(key['SK'])}`;

/** An in-memory table behind the document client: conditions on PK existence, version and status. */
function fakeTable() {
  const table = new Map<string, Item>();
  table.set('METER#M0001|METER', meterToItem({ meterId: 'M0001', accountId: 'A0001', unit: 'kWh', status: 'ACTIVE', multiplier: 1 }));
  const conditionHolds = (current: Item | undefined, condition: string | undefined, values: Item = {}) => {
    if (!condition) return true;
    if (condition === 'attribute_not_exists(PK)') return !current;
    if (condition === '#version = :expected') return current?.['version'] === values[':expected'];
    if (condition === '#status = :open') return current?.['status'] === values[':open'];
    throw new Error(`unexpected condition ${condition}`);
  };
  ddb.on(GetCommand).callsFake(async (input: { Key: Item }) => ({ Item: structuredClone(table.get(id(input.Key))) }));
  ddb.on(BatchGetCommand).callsFake(async (input: { RequestItems: Record<string, { Keys: Item[] }> }) => ({
    Responses: Object.fromEntries(Object.entries(input.RequestItems).map(([name, { Keys }]) => [name, Keys.flatMap((key) => table.get(id(key)) ?? [])])),
  }));
  ddb.on(PutCommand).callsFake(async (input: { Item: Item; ConditionExpression?: string; ExpressionAttributeValues?: Item }) => {
    if (!conditionHolds(table.get(id(input.Item)), input.ConditionExpression, input.ExpressionAttributeValues)) throw Object.assign(new Error('failed'), { name: 'ConditionalCheckFailedException' });
    table.set(id(input.Item), structuredClone(input.Item));
    return {};
  });
  ddb.on(QueryCommand).callsFake(async (input: { IndexName?: string; ExpressionAttributeValues: Item }) => {
    const v = input.ExpressionAttributeValues;
    const items = [...table.values()].filter((item) => (input.IndexName ? item['GSI2PK'] === v[':p'] : item['PK'] === v[':pk'] && String(item['SK']) >= String(v[':from']) && String(item['SK']) <= String(v[':to'])));
    return { Items: items.map((item) => structuredClone(item)) };
  });
  ddb.on(TransactWriteCommand).callsFake(async (input: { TransactItems: Array<{ Put?: { Item: Item; ConditionExpression?: string; ExpressionAttributeValues?: Item }; Update?: { Key: Item; ConditionExpression?: string; ExpressionAttributeValues: Item } }> }) => {
    const reasons = input.TransactItems.map((entry) => {
      if (entry.Put) return conditionHolds(table.get(id(entry.Put.Item)), entry.Put.ConditionExpression, entry.Put.ExpressionAttributeValues) ? 'None' : 'ConditionalCheckFailed';
      return conditionHolds(table.get(id(entry.Update!.Key)), entry.Update!.ConditionExpression, entry.Update!.ExpressionAttributeValues) ? 'None' : 'ConditionalCheckFailed';
    });
    if (reasons.some((reason) => reason !== 'None')) throw new TransactionCanceledException({ message: 'cancelled', $metadata: {}, CancellationReasons: reasons.map((Code) => ({ Code })) });
    for (const entry of input.TransactItems) {
      if (entry.Put) table.set(id(entry.Put.Item), structuredClone(entry.Put.Item));
      else {
        const current = table.get(id(entry.Update!.Key))!;
        const v = entry.Update!.ExpressionAttributeValues;
        table.set(id(entry.Update!.Key), { ...current, status: v[':status'], resolvedAt: v[':at'], resolvedBy: v[':by'], note: v[':note'], GSI2PK: v[':gsi2pk'] });
      }
    }
    return {};
  });
  return table;
}

function setup() {
  ddb.reset();
  const table = fakeTable();
  const base = tableDeps('2026-01-10T12:00:00Z');
  const deps = { ...base, exceptions: new DynamoReadExceptionStore(base.documentClient, base.tableName) };
  return { table, deps };
}

const reading = (hour: number, value: string) => ({ start: `2026-01-05T${String(hour).padStart(2, '0')}:00:00-07:00`, durationSec: 3600, value, unit: 'kWh' });
const manual = (claims: Record<string, unknown>, body: unknown, meterId = 'M0001') => httpEvent({ routeKey: 'POST /staff/meters/{meterId}/reads', claims, pathParameters: { meterId }, body });

describe('staff meter-data API', () => {
  it('enters manual reads, queues a conflicting one, lists it and resolves it with an audit in one transaction', async () => {
    const { deps, table } = setup();
    const entered = await manualHandler(deps)(manual(staffClaims('[csr]'), { readings: [reading(1, '1'), reading(2, '2')] }), context);
    expect(entered.statusCode).toBe(200);
    expect(bodyOf(entered)).toMatchObject({ added: 2 });
    // The day and its audit event in one transaction, not a plain PutItem of the day.
    const entry = ddb.commandCalls(TransactWriteCommand);
    expect(entry).toHaveLength(1);
    expect(entry[0]!.args[0].input.TransactItems!.map((item) => String(item.Put?.Item?.['PK']))).toEqual(['METER#M0001', 'AUDIT#METER#M0001']);
    expect(ddb.commandCalls(PutCommand).filter((call) => String(call.args[0].input.Item?.['SK']).startsWith('DAY#'))).toHaveLength(0);
    const enteredAudit = [...table.values()].filter((item) => item['type'] === 'AUDIT');
    expect(enteredAudit.map((item) => [item['actor'], item['action'], item['eventId'], (item['details'] as Item)['added'], (item['details'] as Item)['quality']])).toEqual([['dana', 'reads.entered', 'reads-M0001-2026-01-05-v1', 2, 'M']]);
    // The same entry again changes nothing and audits nothing.
    expect(bodyOf(await manualHandler(deps)(manual(staffClaims('[csr]'), { readings: [reading(1, '1'), reading(2, '2')] }), context))).toMatchObject({ added: 0, replaced: 0 });
    expect(bodyOf(await manualHandler(deps)(manual(staffClaims('[csr]'), { readings: [reading(2, '7')] }), context))).toMatchObject({ held: 1 });
    expect(ddb.commandCalls(TransactWriteCommand)).toHaveLength(1);

    const listed = await listHandler(deps)(httpEvent({ routeKey: 'GET /staff/read-exceptions', claims: staffClaims('[auditor]') }), context);
    expect(listed.statusCode).toBe(200);
    const items = (bodyOf(listed)['items'] as Array<Record<string, unknown>>);
    expect(items).toHaveLength(1);
    expect(items[0]).toMatchObject({ reason: 'duplicate-conflict', quantity: '7', status: 'OPEN' });

    const resolve = (claims: Record<string, unknown>, body: unknown) => httpEvent({ routeKey: 'POST /staff/read-exceptions/{meterId}/{exceptionId}', claims, pathParameters: { meterId: 'M0001', exceptionId: String(items[0]!['exceptionId']) }, body });
    expect((await resolveHandler(deps)(resolve(staffClaims('[auditor]'), { action: 'accept' }), context)).statusCode).toBe(403);
    const bad = await resolveHandler(deps)(resolve(staffClaims('[csr]'), { action: 'approve' }), context);
    expect(bad.statusCode).toBe(400);
    expect(JSON.stringify(bodyOf(bad))).toContain('body.action');
    const done = await resolveHandler(deps)(resolve(staffClaims('[csr]', 'erin'), { action: 'edit', value: '2.25', note: 'customer read' }), context);
    expect(done.statusCode).toBe(200);
    expect(bodyOf(done)).toMatchObject({ exception: { status: 'EDITED', resolvedBy: 'erin' }, changedDay: '2026-01-05' });
    expect(ddb.commandCalls(TransactWriteCommand)).toHaveLength(2);
    const day = dayReadsFromItem(table.get('METER#M0001|DAY#2026-01-05')!);
    expect(Object.values(day.intervals)).toEqual([
      [1_000_000, 3600, 'M'],
      [2_250_000, 3600, 'M'],
    ]);
    expect(day.history.at(-1)).toMatchObject({ previous: [2_000_000, 3600, 'M'], by: 'staff:erin' });
    const audits = [...table.values()].filter((item) => item['type'] === 'AUDIT');
    expect(audits.map((item) => [item['actor'], item['action'], item['PK']]).sort()).toEqual([
      ['dana', 'reads.entered', 'AUDIT#METER#M0001'],
      ['erin', 'read-exception.edited', 'AUDIT#METER#M0001'],
    ]);
    expect((await resolveHandler(deps)(resolve(staffClaims('[csr]'), { action: 'reject' }), context)).statusCode).toBe(409);
  });

  it('uploads a CSV file (billing, admin) with an audit event per day written, and answers 400 naming the line of a bad one', async () => {
    const { deps, table } = setup();
    const upload = (claims: Record<string, unknown>, body: unknown) => httpEvent({ routeKey: 'POST /staff/meter-reads/uploads', claims, body });
    const content = 'meterId,start,durationSec,value,unit\nM0001,2026-01-05T00:00:00-07:00,3600,1.5,kWh\nM0001,2026-01-05T01:00:00-07:00,3600,2,kWh\n';
    expect((await uploadHandler(deps)(upload(staffClaims('[csr]'), { format: 'csv', content }), context)).statusCode).toBe(403);
    const ok = await uploadHandler(deps)(upload(staffClaims('[billing]'), { format: 'csv', content }), context);
    expect(ok.statusCode).toBe(200);
    expect(bodyOf(ok)).toMatchObject({ meters: 1, readings: 2, totals: { kWh: '3.5' }, added: 2 });
    const audits = [...table.values()].filter((item) => item['type'] === 'AUDIT');
    expect(audits.map((item) => [item['actor'], item['action'], item['entityId'], (item['details'] as Item)['day'], (item['details'] as Item)['format']])).toEqual([['dana', 'reads.uploaded', 'M0001', '2026-01-05', 'csv']]);
    expect(String((audits[0]!['details'] as Item)['file'])).toMatch(/^import-[0-9a-f]{16}$/);
    expect(ddb.commandCalls(TransactWriteCommand)).toHaveLength(1);
    const broken = await uploadHandler(deps)(upload(staffClaims('[admin]'), { format: 'csv', content: content.replace('3600,2,', 'x,2,') }), context);
    expect(broken.statusCode).toBe(400);
    expect(bodyOf(broken)['message']).toContain('line 3');
    const xml = await uploadHandler(deps)(upload(staffClaims('[admin]'), { format: 'greenbutton', content: '<feed><entry>' }), context);
    expect(xml.statusCode).toBe(400);
  });

  it.each([
    ['a customer token: 403', customerClaims('C0001'), { readings: [reading(1, '1')] }, 403],
    ['no readings: 400', staffClaims('[csr]'), { readings: [] }, 400],
    ['a malformed start: 400, nothing stored', staffClaims('[csr]'), { readings: [{ ...reading(1, '1'), start: 'yesterday' }] }, 400],
    ['an unknown field: 400', staffClaims('[csr]'), { readings: [reading(1, '1')], extra: 1 }, 400],
  ])('manual reads: %s', async (_case, claims, body, status) => {
    const { deps } = setup();
    expect((await manualHandler(deps)(manual(claims, body), context)).statusCode).toBe(status);
    expect(ddb.commandCalls(PutCommand)).toHaveLength(0);
  });
});
