/**
 * `cis seed` as a user runs it against a running local platform: it writes a billable utility,
 * a re-run with the same arguments changes nothing, and a billing run bills every seeded account
 * from its 15-minute data.
 */
import { execFile } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';
import { DynamoDBClient, ScanCommand } from '@aws-sdk/client-dynamodb';
import { issueToken } from '../../shared/local/local-auth';
import { eventually, ROOT, startTestPlatform, type TestPlatform } from './platform-harness';

jest.setTimeout(180_000);
const run = promisify(execFile);
const CIS = path.join(ROOT, 'bin/cis.js');

let local: TestPlatform;
let dynamo: DynamoDBClient;
beforeAll(async () => {
  local = await startTestPlatform('cis-seed-', { accounts: 1 });
  dynamo = new DynamoDBClient({ endpoint: local.platform.endpoints.dynamodb, region: 'us-east-1', credentials: { accessKeyId: 'local', secretAccessKey: 'local' } });
});
afterAll(async () => {
  dynamo?.destroy();
  await local?.stop();
});

async function tableSnapshot(): Promise<string[]> {
  const rows: string[] = [];
  let startKey: Record<string, unknown> | undefined;
  do {
    const page = await dynamo.send(new ScanCommand({ TableName: local.platform.tableName, ExclusiveStartKey: startKey as never }));
    for (const item of page.Items ?? []) rows.push(JSON.stringify(Object.keys(item).sort().map((k) => [k, item[k]])));
    startKey = page.LastEvaluatedKey;
  } while (startKey);
  return rows.sort();
}

const seed = (...extra: string[]) =>
  run(process.execPath, [CIS, 'seed', '--accounts', '25', '--days', '3', '--start', '2026-03-07', '--cycle', 'S1', '--endpoint', local.platform.endpoints.dynamodb, '--table', local.platform.tableName, '--quiet', ...extra], { cwd: ROOT, timeout: 120_000 });

it('seeds a billable utility idempotently, and a billing run bills every seeded account', async () => {
  const before = (await tableSnapshot()).length;
  const first = JSON.parse((await seed()).stdout) as Record<string, unknown>;
  expect(first).toMatchObject({ cycle: 'S1', accounts: 25, electric: 21, water: 8, meters: 29, readDays: 87, firstDay: '2026-03-07', lastDay: '2026-03-09', sampleAccountId: 'A-S1-00001' });
  const afterFirst = await tableSnapshot();
  // the demo seed already stored the two tariffs: only accounts and reads are new
  expect(first['tariffsWritten']).toBe(0);
  expect(afterFirst.length - before).toBe(first['items']);

  await seed('--parallel', '2');
  expect(await tableSnapshot()).toEqual(afterFirst);

  const token = await issueToken(local.authDir, { staff: 'bill', role: 'billing' });
  const customer = await issueToken(local.authDir, { customerId: 'C-S1-00008' });
  const api = async (method: string, route: string, body?: unknown, bearer = token) => {
    const response = await fetch(`${local.platform.httpUrl}${route}`, { method, headers: { authorization: `Bearer ${bearer}`, 'content-type': 'application/json' }, ...(body ? { body: JSON.stringify(body) } : {}) });
    return { status: response.status, json: (await response.json()) as Record<string, any> };
  };
  const started = await api('POST', '/staff/billing-runs', { cycle: 'S1', periodStart: '2026-03-07', periodEnd: '2026-03-09' });
  expect(started.status).toBe(202);
  const finished = await eventually('the billing run', async () => {
    const { json } = await api('GET', `/staff/billing-runs/${started.json['runId']}`);
    return json['status'] === 'RUNNING' ? undefined : json;
  }, 120_000);
  expect(finished).toMatchObject({ status: 'SUCCEEDED', counts: { billed: 25, skipped: 0, failed: 0 } });
  const bills = await api('GET', '/portal/accounts/A-S1-00008/bills', undefined, customer);
  expect(bills.status).toBe(200);
  const [bill] = bills.json['items'] as Array<{ services: Array<{ serviceType: string; usage: { quantity: string; unit: string }; periodStart: string; periodEnd: string }> }>;
  expect(bill!.services.map((service) => [service.serviceType, service.usage.unit, service.periodStart, service.periodEnd])).toEqual([
    ['electric', 'kWh', '2026-03-07', '2026-03-09'],
    ['water', 'gal', '2026-03-07', '2026-03-09'],
  ]);
  expect(Number(bill!.services[0]!.usage.quantity)).toBeGreaterThan(15);
});

it('refuses a non-local endpoint and bad arguments with a message, writing nothing', async () => {
  const failure = async (args: string[]) => {
    try {
      await run(process.execPath, [CIS, 'seed', ...args], { cwd: ROOT, timeout: 60_000 });
    } catch (error) {
      return (error as { stderr: string }).stderr;
    }
    throw new Error('cis seed succeeded');
  };
  const before = (await tableSnapshot()).length;
  expect(await failure(['--accounts', '5', '--endpoint', 'https://dynamodb.us-east-1.amazonaws.com'])).toContain('local platform only');
  expect(await failure(['--accounts', '0', '--endpoint', local.platform.endpoints.dynamodb])).toContain('--accounts');
  expect(await failure(['--start', '2026-02-30', '--endpoint', local.platform.endpoints.dynamodb])).toContain('a calendar date YYYY-MM-DD');
  expect((await tableSnapshot()).length).toBe(before);
});
