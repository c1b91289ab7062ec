/**
 * End to end, collections under the Pennsylvania pack (the default): accounts built to trip each
 * protection get no disconnection order and their stored evaluation names the blocking rule; a
 * control account gets its written notice, contact attempt and 48-hour notice, then its
 * disconnection order; a rerun of a day creates nothing new; paying the past due reconnects with
 * the reconnection fee posted once. Runs go through the collections state machine on the local
 * platform, started over HTTP for past days of January 2026 (inside the PA winter moratorium).
 */
import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { Decimal } from 'decimal.js';
import { DynamoLedgerStore } from '../../shared/adapters/ledger-store';
import { openingBalanceEntry } from '../../shared/domain/ledger';
import { issueToken } from '../../shared/local/local-auth';
import type { RunningPlatform } from '../../shared/local/platform';
import { LOCAL_REGION } from '../../shared/local/template';
import { eventually, startTestPlatform, type TestPlatform } from './platform-harness';

const run = promisify(execFile);
const CIS = path.resolve(__dirname, '../../bin/cis.js');
let local: TestPlatform;
let platform: RunningPlatform;
const tokens: Record<'csr' | 'billing' | 'auditor' | 'customer1' | 'customer2', string> = {} as never;

async function api(method: string, route: string, token?: string, body?: unknown, headers: Record<string, string> = {}): Promise<{ status: number; json: any }> {
  const response = await fetch(`${platform.httpUrl}${route}`, {
    method,
    headers: { ...(token ? { authorization: `Bearer ${token}` } : {}), ...(body !== undefined ? { 'content-type': 'application/json' } : {}), ...headers },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await response.text();
  return { status: response.status, json: text ? JSON.parse(text) : undefined };
}

/** Starts the run of a day over HTTP and waits until the state machine finished it. */
async function runDay(runDate: string): Promise<any> {
  const started = await api('POST', '/staff/collections-runs', tokens.billing, { runDate });
  expect(started.status).toBe(202);
  return eventually(`collections run ${runDate}`, async () => {
    const { json } = await api('GET', `/staff/collections/worklist?runDate=${runDate}`, tokens.auditor);
    return json.run?.status === 'COMPLETED' && json.run.executionName === started.json.executionName ? json : undefined;
  }, 60_000);
}

const evaluation = async (accountId: string, runDate: string) => {
  const { status, json } = await api('GET', `/staff/accounts/${accountId}/collections`, tokens.auditor);
  expect(status).toBe(200);
  return { all: json, on: json.evaluations.find((e: any) => e.runDate === runDate) };
};
const ordersOf = async (accountId: string, customer: string) => (await api('GET', `/portal/accounts/${accountId}/service-orders`, customer)).json.items as any[];

const ACCOUNTS = {
  control: 'A0001',
  medical: 'A0002',
  moratorium: 'A0003',
  cold: 'A0004',
  missingWeather: 'A0005',
  dispute: 'A0006',
  arrangement: 'A0007',
  underMinimum: 'A0008',
  holiday: 'A0009',
  noticeNotDue: 'A0010',
  lifeSupport: 'A0011',
  /** Ordered disconnected with the control account; a medical certificate arrives before the order is performed. */
  lateCertificate: 'A0012',
} as const;

beforeAll(async () => {
  for (const level of ['log', 'warn', 'error'] as const) jest.spyOn(console, level).mockImplementation(() => undefined);
  local = await startTestPlatform('cis-collections-', { accounts: 12 });
  platform = local.platform;
  tokens.csr = await issueToken(local.authDir, { staff: 'casey', role: 'csr' });
  tokens.billing = await issueToken(local.authDir, { staff: 'bill', role: 'billing' });
  tokens.auditor = await issueToken(local.authDir, { staff: 'audra', role: 'auditor' });
  tokens.customer1 = await issueToken(local.authDir, { customerId: 'C0001' });
  tokens.customer2 = await issueToken(local.authDir, { customerId: 'C0002' });

  // What each account owes: an opening balance due on the day given (past due from the day after).
  const documentClient = DynamoDBDocumentClient.from(new DynamoDBClient({ endpoint: platform.endpoints.dynamodb, region: LOCAL_REGION, credentials: { accessKeyId: 'local', secretAccessKey: 'local' } }));
  const ledger = new DynamoLedgerStore(documentClient, platform.tableName);
  const owed: Record<string, [string, string]> = Object.fromEntries(Object.values(ACCOUNTS).map((id) => [id, ['120.00', '2025-10-01']]));
  owed[ACCOUNTS.underMinimum] = ['40.00', '2025-10-01'];
  owed[ACCOUNTS.holiday] = ['120.00', '2025-12-08'];
  owed[ACCOUNTS.noticeNotDue] = ['120.00', '2025-12-12'];
  for (const [accountId, [amount, asOf]] of Object.entries(owed)) {
    await ledger.commit({ entries: [openingBalanceEntry({ accountId, amount: new Decimal(amount), asOf })], audit: [] });
  }
  documentClient.destroy();

  // Household facts: income above the PA winter threshold, except the moratorium account.
  for (const accountId of Object.values(ACCOUNTS)) {
    const income = accountId === ACCOUNTS.moratorium ? 150 : 300;
    const region = accountId === ACCOUNTS.cold ? 'cold' : accountId === ACCOUNTS.missingWeather ? 'nowhere' : undefined;
    const body = { incomePercentOfFpl: income, ...(region ? { weatherRegion: region } : {}), ...(accountId === ACCOUNTS.lifeSupport ? { lifeSupport: true } : {}) };
    expect((await api('PUT', `/staff/accounts/${accountId}/collections-profile`, tokens.csr, body)).status).toBe(200);
  }
  for (const day of ['2026-01-15', '2026-01-16', '2026-01-19']) {
    expect((await api('PUT', `/staff/weather/default/${day}`, tokens.billing, { forecastLowF: 38, forecastHighF: 50, horizonHours: 72 })).status).toBe(200);
    expect((await api('PUT', `/staff/weather/cold/${day}`, tokens.billing, { forecastLowF: 20, forecastHighF: 30, horizonHours: 72 })).status).toBe(200);
  }
  expect((await api('POST', `/staff/accounts/${ACCOUNTS.medical}/medical-certificates`, tokens.csr, { receivedOn: '2026-01-10', certifiedBy: 'Dr. Rivera, MD' })).status).toBe(201);
  expect((await api('POST', `/staff/accounts/${ACCOUNTS.dispute}/disputes`, tokens.csr, { entryIds: [`OB-${ACCOUNTS.dispute}`], reason: 'meter misread' })).status).toBe(201);
  const today = new Intl.DateTimeFormat('en-CA', { timeZone: 'America/Denver' }).format(new Date());
  const firstDue = new Date(Date.parse(`${today}T12:00:00Z`) + 20 * 86_400_000).toISOString().slice(0, 10);
  expect((await api('POST', `/staff/accounts/${ACCOUNTS.arrangement}/arrangements`, tokens.csr, { installments: 3, firstDueDate: firstDue, reason: 'hardship' })).status).toBe(201);
}, 240_000);

afterAll(async () => {
  await local?.stop();
});

describe('collections over HTTP and the collections state machine', () => {
  it('refuses bad inputs with 400 naming the field, and wrong roles with 403', async () => {
    const badWeather = await api('PUT', '/staff/weather/default/2026-02-30', tokens.billing, { forecastLowF: 30, forecastHighF: 40 });
    expect(badWeather.status).toBe(400);
    expect(badWeather.json.message).toContain('date');
    const fractional = await api('PUT', '/staff/weather/default/2026-02-03', tokens.billing, { forecastLowF: 30.5, forecastHighF: 40 });
    expect(fractional.status).toBe(400);
    expect(fractional.json.message).toContain('forecastLowF');
    expect((await api('PUT', '/staff/weather/default/2026-02-03', tokens.csr, { forecastLowF: 30, forecastHighF: 40 })).status).toBe(403);
    expect((await api('POST', `/staff/accounts/${ACCOUNTS.control}/medical-certificates`, tokens.auditor, { certifiedBy: 'x' })).status).toBe(403);
    const future = await api('POST', '/staff/collections-runs', tokens.billing, { runDate: '2099-01-01' });
    expect(future.status).toBe(422);
    expect((await api('POST', '/staff/collections-runs', tokens.csr, {})).status).toBe(403);
    const badIncome = await api('PUT', `/staff/accounts/${ACCOUNTS.control}/collections-profile`, tokens.csr, { incomePercentOfFpl: '300' });
    expect(badIncome.status).toBe(400);
    expect(badIncome.json.message).toContain('incomePercentOfFpl');
    expect((await api('GET', `/portal/accounts/${ACCOUNTS.control}/notices`, tokens.customer2)).status).toBe(403);
  });

  it('runs the notice sequence, blocks every protected account and orders the control account disconnected', async () => {
    for (const day of ['2026-01-05', '2026-01-09', '2026-01-10', '2026-01-12', '2026-01-14']) {
      const run = await runDay(day);
      expect(run.run.failures).toEqual([]);
    }
    const notices = (await api('GET', `/portal/accounts/${ACCOUNTS.control}/notices`, tokens.customer1)).json.items;
    expect(notices.map((n: any) => [n.kind, n.sentOn])).toEqual([
      ['FINAL', '2026-01-12'],
      ['CONTACT', '2026-01-10'],
      ['WRITTEN', '2026-01-05'],
    ]);
    expect(notices[2]).toMatchObject({ scheduledDisconnectOn: '2026-01-15', amount: '120.00' });
    expect(await ordersOf(ACCOUNTS.control, tokens.customer1)).toEqual([]);

    const day = await runDay('2026-01-15');
    expect(day.run.counts.disconnect).toBe(2);
    const control = await evaluation(ACCOUNTS.control, '2026-01-15');
    expect(control.on).toMatchObject({ decision: 'disconnect', blockedBy: [] });
    expect(control.on.results.every((r: any) => r.outcome !== 'block')).toBe(true);
    const orders = await ordersOf(ACCOUNTS.control, tokens.customer1);
    expect(orders).toEqual([expect.objectContaining({ type: 'DISCONNECT', scheduledFor: '2026-01-15' })]);

    const expected: Array<[string, string]> = [
      [ACCOUNTS.medical, 'pa-medical-certificate'],
      [ACCOUNTS.moratorium, 'pa-winter-termination'],
      [ACCOUNTS.cold, 'pa-cold-weather'],
      [ACCOUNTS.missingWeather, 'pa-cold-weather'],
      [ACCOUNTS.dispute, 'pa-pending-dispute'],
      [ACCOUNTS.arrangement, 'pa-payment-agreement'],
      [ACCOUNTS.underMinimum, 'pa-minimum-past-due'],
      [ACCOUNTS.noticeNotDue, 'pa-notice-sequence'],
      [ACCOUNTS.lifeSupport, 'pa-life-support'],
      [ACCOUNTS.holiday, 'pa-notice-sequence'],
    ];
    for (const [accountId, ruleId] of expected) {
      const { on } = await evaluation(accountId, '2026-01-15');
      expect({ accountId, decision: on.decision === 'disconnect' ? 'disconnect' : 'no order', blocked: on.blockedBy.includes(ruleId) }).toEqual({ accountId, decision: 'no order', blocked: true });
      const blocking = on.results.find((r: any) => r.ruleId === ruleId);
      expect(blocking).toMatchObject({ outcome: 'block', citation: expect.stringMatching(/Pa\.|§/) });
    }
    const customers = Object.values(ACCOUNTS).map((id) => [id, `C${id.slice(1)}`] as const);
    for (const [accountId, customerId] of customers) {
      if (accountId === ACCOUNTS.control || accountId === ACCOUNTS.lateCertificate) continue;
      const token = await issueToken(local.authDir, { customerId });
      expect({ accountId, orders: await ordersOf(accountId, token) }).toEqual({ accountId, orders: [] });
    }
    const worklist = (await api('GET', '/staff/collections/worklist?runDate=2026-01-15', tokens.csr)).json;
    expect(worklist.items.find((i: any) => i.accountId === ACCOUNTS.medical)).toMatchObject({ decision: 'blocked', blocking: expect.arrayContaining([expect.objectContaining({ ruleId: 'pa-medical-certificate' })]) });
  });

  it('creates nothing new when the same day runs again', async () => {
    const before = await evaluation(ACCOUNTS.control, '2026-01-15');
    const run = await runDay('2026-01-15');
    expect(run.run.counts['already-evaluated']).toBe(12);
    expect(run.run.counts.disconnect ?? 0).toBe(0);
    expect(await ordersOf(ACCOUNTS.control, tokens.customer1)).toHaveLength(1);
    expect((await evaluation(ACCOUNTS.control, '2026-01-15')).all.evaluations).toHaveLength(before.all.evaluations.length);
  });

  it('cancels an order not yet performed when a protection arrives (a medical certificate)', async () => {
    const token = await issueToken(local.authDir, { customerId: 'C0012' });
    expect(await ordersOf(ACCOUNTS.lateCertificate, token)).toEqual([expect.objectContaining({ type: 'DISCONNECT', state: 'SCHEDULED' })]);
    expect((await api('POST', `/staff/accounts/${ACCOUNTS.lateCertificate}/medical-certificates`, tokens.csr, { receivedOn: '2026-01-15', certifiedBy: 'Dr. Okafor, DO' })).status).toBe(201);
    // Runs in the next test's 2026-01-16 run; checked there.
  });

  it('reconnects once the past due is paid and posts the reconnection fee once', async () => {
    const [order] = await ordersOf(ACCOUNTS.control, tokens.customer1);
    const done = await api('POST', `/staff/service-orders/${order.orderId}/transitions`, tokens.csr, { action: 'complete', read: '12345' });
    expect(done.status).toBe(200);
    const paid = await api('POST', `/staff/accounts/${ACCOUNTS.control}/payments`, tokens.csr, { amount: '120.00', method: 'CASH' }, { 'idempotency-key': 'collections-e2e-pay' });
    expect(paid.status).toBe(201);
    await runDay('2026-01-16');
    await runDay('2026-01-16');
    const orders = await ordersOf(ACCOUNTS.control, tokens.customer1);
    expect(orders.map((o) => o.type).sort()).toEqual(['DISCONNECT', 'RECONNECT']);
    const ledger = (await api('GET', `/staff/accounts/${ACCOUNTS.control}/ledger`, tokens.auditor)).json;
    const fees = ledger.items.filter((e: any) => e.kind === 'FEE');
    expect(fees).toHaveLength(1);
    expect(fees[0]).toMatchObject({ idempotencyKey: `reconnection-fee:${order.orderId}`, postings: expect.arrayContaining([expect.objectContaining({ amount: '35.00' })]) });
    expect((await evaluation(ACCOUNTS.control, '2026-01-16')).on.decision).toBe('reconnect');
    const late = await evaluation(ACCOUNTS.lateCertificate, '2026-01-16');
    expect(late.on).toMatchObject({ decision: 'cancel-disconnect', blockedBy: expect.arrayContaining(['pa-medical-certificate']) });
    expect(await ordersOf(ACCOUNTS.lateCertificate, await issueToken(local.authDir, { customerId: 'C0012' }))).toEqual([expect.objectContaining({ type: 'DISCONNECT', state: 'CANCELLED' })]);
    expect(late.all.disconnection).toBeNull();
  });

  it('never disconnects on a holiday: the account due on Martin Luther King Jr. Day is blocked by the days-of-termination rule', async () => {
    const run = await runDay('2026-01-19');
    expect(run.run.counts.disconnect ?? 0).toBe(0);
    const { on } = await evaluation(ACCOUNTS.holiday, '2026-01-19');
    expect(on.decision).not.toBe('disconnect');
    expect(on.results.find((r: any) => r.ruleId === 'pa-days-of-termination')).toMatchObject({ outcome: 'block', reason: expect.stringContaining('Martin Luther King') });
    expect(on.results.find((r: any) => r.ruleId === 'pa-notice-sequence').outcome).toBe('pass');
  });

  it('records weather and runs a day from the command line; a bad weather file records nothing', async () => {
    const env = { ...process.env, AWS_ENDPOINT_URL_DYNAMODB: platform.endpoints.dynamodb, AWS_ENDPOINT_URL_SFN: platform.endpoints.sfn, TABLE_NAME: platform.tableName };
    const cis = (args: string[]) => run(process.execPath, [CIS, ...args], { cwd: path.resolve(__dirname, '../..'), env, timeout: 60_000 });
    const put = await cis(['weather', 'put', '--region', 'cli', '--date', '2026-01-22', '--low', '28', '--high', '40', '--hours', '48']);
    expect(JSON.parse(put.stdout).weather).toMatchObject({ region: 'cli', day: '2026-01-22', forecastLowF: 28, horizonHours: 48 });
    expect((await api('GET', '/staff/weather/cli/2026-01-22', tokens.csr)).json.weather).toMatchObject({ forecastLowF: 28, forecastHighF: 40 });
    const dir = await mkdtemp(path.join(os.tmpdir(), 'cis-weather-'));
    try {
      const file = path.join(dir, 'weather.json');
      await writeFile(file, JSON.stringify([{ region: 'cli', date: '2026-01-23', forecastLowF: 30, forecastHighF: 41 }, { region: 'cli', date: '2026-01-24', forecastLowF: 'cold', forecastHighF: 41 }]));
      await expect(cis(['weather', 'load', file])).rejects.toMatchObject({ stderr: expect.stringContaining('forecastLowF') });
      expect((await api('GET', '/staff/weather/cli/2026-01-23', tokens.csr)).json.weather).toBeNull();
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
    const started = await cis(['collections', 'run', '--date', '2026-01-22', '--state-machine', platform.collectionsStateMachineArn, '--time-zone', 'America/Denver']);
    const { executionName } = JSON.parse(started.stdout);
    const done = await eventually('the run started from the command line', async () => {
      const { json } = await api('GET', '/staff/collections/worklist?runDate=2026-01-22', tokens.auditor);
      return json.run?.status === 'COMPLETED' && json.run.executionName === executionName ? json : undefined;
    }, 60_000);
    expect(done.run.failures).toEqual([]);
  });
});
