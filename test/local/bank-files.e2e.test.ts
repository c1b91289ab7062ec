/**
 * End to end, autopay and bank files: starts the local platform, bills the demo accounts, enrolls
 * them in autopay (portal and staff), runs autopay for the bills' due day (NACHA file, debits
 * posted once on a rerun), returns one debit through a NACHA returns file (balance back with the
 * fee, once), and imports BAI2 and lockbox files twice and at once over HTTP and with
 * `cis import-payments` (each credit posted once, unknown accounts in suspense).
 */
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { Decimal } from 'decimal.js';
import { readNachaFile } from '../../shared/domain/nacha';
import { issueToken } from '../../shared/local/local-auth';
import type { RunningPlatform } from '../../shared/local/platform';
import { nachaReturnsFile } from '../fixtures/payments/returns-file';
import { eventually, ROOT, startTestPlatform, type TestPlatform } from './platform-harness';

const TIME_ZONE = 'America/Denver';
const FIXTURES = path.join(ROOT, 'test/fixtures/payments');
let local: TestPlatform;
let platform: RunningPlatform;
let workDir: string;
const tokens: Record<'csr' | 'billing' | 'auditor' | 'customer1' | 'customer2', string> = {} as never;

function localDate(date: Date): string {
  return new Intl.DateTimeFormat('en-CA', { timeZone: TIME_ZONE, year: 'numeric', month: '2-digit', day: '2-digit' }).format(date);
}

async function api(method: string, route: string, token?: string, body?: unknown, headers: Record<string, string> = {}): Promise<{ status: number; json: any }> {
  const response = await fetch(`${platform.httpUrl}${route}`, {
    method,
    headers: { ...(token ? { authorization: `Bearer ${token}` } : {}), ...(body !== undefined ? { 'content-type': 'application/json' } : {}), ...headers },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await response.text();
  return { status: response.status, json: text ? JSON.parse(text) : undefined };
}

const upload = (format: string, content: string, key: string) => api('POST', '/staff/payment-files', tokens.billing, { format, content }, { 'idempotency-key': key });

async function balanceOf(accountId: string): Promise<string> {
  const { json } = await api('GET', `/staff/accounts/${accountId}/ledger?limit=200`, tokens.auditor);
  return json.balance.balance;
}

async function paymentsOf(accountId: string, token: string): Promise<any[]> {
  const { status, json } = await api('GET', `/portal/accounts/${accountId}/payments?limit=100`, token);
  expect(status).toBe(200);
  return json.items;
}

beforeAll(async () => {
  for (const level of ['log', 'warn', 'error'] as const) jest.spyOn(console, level).mockImplementation(() => undefined);
  workDir = await mkdtemp(path.join(os.tmpdir(), 'cis-bank-'));
  local = await startTestPlatform('cis-bank-', { accounts: 2 });
  platform = local.platform;
  tokens.csr = await issueToken(local.authDir, { staff: 'casey', role: 'csr' });
  tokens.billing = await issueToken(local.authDir, { staff: 'bill', role: 'billing' });
  tokens.auditor = await issueToken(local.authDir, { staff: 'audra', role: 'auditor' });
  tokens.customer1 = await issueToken(local.authDir, { customerId: 'C0001' });
  tokens.customer2 = await issueToken(local.authDir, { customerId: 'C0002' });
  const periodEnd = localDate(new Date());
  const periodStart = localDate(new Date(Date.now() - 4 * 86_400_000));
  const started = await api('POST', '/staff/billing-runs', tokens.billing, { cycle: 'C1', periodStart, periodEnd });
  expect(started.status).toBe(202);
  const run = await eventually(`run ${started.json.runId}`, async () => {
    const { json } = await api('GET', `/staff/billing-runs/${started.json.runId}`, tokens.auditor);
    return json.status === 'RUNNING' ? undefined : json;
  }, 60_000);
  expect(run).toMatchObject({ status: 'SUCCEEDED', counts: { billed: 2, failed: 0 } });
}, 180_000);

afterAll(async () => {
  await local?.stop();
  await rm(workDir, { recursive: true, force: true });
});

describe('autopay and bank files over HTTP and the command line', () => {
  let dueDate: string;
  const billTotals: Record<string, string> = {};
  let debits: any[];

  it('enrolls the customer own account (last four digits only) and another by csr; refuses other customers and bad routing numbers', async () => {
    const bank = { routingNumber: '231380104', accountNumber: '000123456789', accountType: 'checking', accountHolder: 'Avery Customer' };
    expect((await api('PUT', '/portal/accounts/A0001/autopay', tokens.customer2, bank)).status).toBe(403);
    const bad = await api('PUT', '/portal/accounts/A0001/autopay', tokens.customer1, { ...bank, routingNumber: '231380105' });
    expect(bad.status).toBe(400);
    expect(bad.json.message).toContain('body.routingNumber');
    const enrolled = await api('PUT', '/portal/accounts/A0001/autopay', tokens.customer1, bank);
    expect(enrolled.status).toBe(200);
    expect(enrolled.json.autopay).toMatchObject({ status: 'ACTIVE', accountLast4: '6789', authorizedBy: 'customer:C0001' });
    expect(JSON.stringify(enrolled.json)).not.toContain('000123456789');
    expect((await api('GET', '/portal/accounts/A0001/autopay', tokens.customer1)).json.autopay.accountLast4).toBe('6789');
    expect((await api('PUT', '/staff/accounts/A0002/autopay', tokens.billing, { ...bank, accountType: 'savings' })).status).toBe(403);
    expect((await api('PUT', '/staff/accounts/A0002/autopay', tokens.csr, { ...bank, accountNumber: '55443322', accountType: 'savings' })).status).toBe(200);
  });

  it('runs autopay for the bills due day: one NACHA file, each debit posted once on a rerun', async () => {
    for (const [accountId, token] of [['A0001', tokens.customer1], ['A0002', tokens.customer2]] as const) {
      const bills = await api('GET', `/portal/accounts/${accountId}/bills`, token);
      billTotals[accountId] = bills.json.items[0].total;
      dueDate = bills.json.items[0].dueDate;
    }
    expect(dueDate).toMatch(/^\d{4}-\d{2}-\d{2}$/);
    expect((await api('POST', '/staff/autopay-runs', tokens.csr, { debitDate: dueDate })).status).toBe(403);
    const first = await api('POST', '/staff/autopay-runs', tokens.billing, { debitDate: dueDate });
    expect(first.status).toBe(201);
    debits = first.json.entries;
    expect(debits.map((e: any) => [e.accountId, e.amount, e.status])).toEqual([
      ['A0001', billTotals['A0001'], 'posted'],
      ['A0002', billTotals['A0002'], 'posted'],
    ]);
    const file = readNachaFile(first.json.text);
    expect(file.batches[0]!.entries.map((e) => [e.transactionCode, e.individualId, e.amount, e.traceNumber])).toEqual([
      ['27', 'A0001', billTotals['A0001'], debits[0].traceNumber],
      ['37', 'A0002', billTotals['A0002'], debits[1].traceNumber],
    ]);
    const rerun = await api('POST', '/staff/autopay-runs', tokens.billing, { debitDate: dueDate });
    expect(rerun.json.entries.map((e: any) => e.status)).toEqual(['already-posted', 'already-posted']);
    expect(readNachaFile(rerun.json.text).batches[0]!.entries.map((e) => e.traceNumber)).toEqual(debits.map((d: any) => d.traceNumber));
    // The command line reruns the day: nothing posted again, the same entries in the file it writes.
    const out = path.join(workDir, 'autopay.ach');
    const { stdout } = await promisify(execFile)(process.execPath, [path.join(ROOT, 'bin/cis.js'), 'autopay', '--date', dueDate, '--out', out, '--endpoint', platform.endpoints.dynamodb, '--table', platform.tableName], { cwd: ROOT, env: { ...process.env, AWS_REGION: 'us-east-1' } });
    expect(JSON.parse(stdout)).toMatchObject({ out, debitDate: dueDate, entries: [{ status: 'already-posted' }, { status: 'already-posted' }] });
    expect(readNachaFile(await readFile(out, 'utf8')).control).toMatchObject({ totalDebit: new Decimal(billTotals['A0001']!).plus(billTotals['A0002']!).toFixed(2), batchCount: 1 });
    expect((await paymentsOf('A0001', tokens.customer1)).filter((p) => p.channel === 'AUTOPAY')).toHaveLength(1);
    expect(await balanceOf('A0001')).toBe('0.00');
    expect(await balanceOf('A0002')).toBe('0.00');
  });

  it('returns a debit from a NACHA returns file with the fee, once', async () => {
    const returns = nachaReturnsFile([{ originalTrace: debits[0].traceNumber, amount: billTotals['A0001']!, accountId: 'A0001', returnCode: 'R01' }]);
    const first = await upload('nacha-returns', returns, 'returns-1');
    expect(first.status).toBe(201);
    expect(first.json.report).toMatchObject({ status: 'IMPORTED', returned: [{ accountId: 'A0001', returnCode: 'R01', reason: 'Insufficient funds', paymentId: debits[0].paymentId }] });
    expect(await balanceOf('A0001')).toBe(new Decimal(billTotals['A0001']!).plus('25.00').toFixed(2));
    const again = await upload('nacha-returns', returns, 'returns-2');
    expect(again.json.report.returned).toEqual([]);
    expect(again.json.report.returnsNotApplied[0].why).toContain('returned already');
    expect(await balanceOf('A0001')).toBe(new Decimal(billTotals['A0001']!).plus('25.00').toFixed(2));
    const history = await paymentsOf('A0001', tokens.customer1);
    expect(history.find((p) => p.paymentId === debits[0].paymentId)).toMatchObject({ status: 'RETURNED', returnReason: 'R01 Insufficient funds' });
    expect(await balanceOf('A0002')).toBe('0.00');
  });

  it('imports a BAI2 file twice at once and again: each credit posted once, the unknown account in suspense', async () => {
    const bai2 = await readFile(path.join(FIXTURES, 'bank-2026-03-04.bai2'), 'utf8');
    const before = await balanceOf('A0001');
    const [a, b] = await Promise.all([upload('bai2', bai2, 'bai2-a'), upload('bai2', bai2, 'bai2-b')]);
    expect([a.status, b.status]).toEqual([201, 201]);
    expect(a.json.report.posted.length + b.json.report.posted.length).toBe(3);
    expect(a.json.report.duplicates.length + b.json.report.duplicates.length).toBe(3);
    expect(a.json.report.suspense).toEqual([expect.objectContaining({ line: 6, accountId: 'ZZ9999', amount: '25.00' })]);
    const again = await upload('bai2', bai2, 'bai2-c');
    expect(again.json.report).toMatchObject({ posted: [], totals: { posted: '0.00', duplicates: '195.50' } });
    // 125.50 + 30.00 for A0001.
    expect(await balanceOf('A0001')).toBe(new Decimal(before).minus('155.50').toFixed(2));
    const stored = await api('GET', `/staff/payment-files/${a.json.report.fileId}`, tokens.auditor);
    expect(stored.status).toBe(200);
    expect(stored.json.report.fileId).toBe(a.json.report.fileId);
    const broken = await upload('bai2', bai2.replace('99,1092050,1,12/', '99,1092050,1,13/'), 'bai2-bad');
    expect(broken.status).toBe(400);
    expect(broken.json.issues).toContainEqual({ path: 'line 12 number of records', message: expect.stringContaining('says 13') });
    expect(await balanceOf('A0001')).toBe(new Decimal(before).minus('155.50').toFixed(2));
  });

  it('lists the suspense credit and applies it to an account once, by billing staff', async () => {
    const open = await api('GET', '/staff/payment-suspense?status=OPEN', tokens.auditor);
    expect(open.status).toBe(200);
    const credit = open.json.items.find((item: any) => item.accountId === 'ZZ9999');
    expect(credit).toMatchObject({ amount: '25.00', status: 'OPEN', source: 'bai2:399' });
    const before = await balanceOf('A0002');
    const route = `/staff/payment-suspense/${credit.fileId}/${credit.ref}/apply`;
    expect((await api('POST', route, tokens.csr, { accountId: 'A0002' })).status).toBe(403);
    expect((await api('POST', route, tokens.billing, { accountId: 'A9999' })).status).toBe(404);
    const applied = await api('POST', route, tokens.billing, { accountId: 'A0002' });
    expect(applied.status).toBe(200);
    expect(applied.json).toMatchObject({ suspense: { status: 'APPLIED', appliedTo: 'A0002' }, payment: { accountId: 'A0002', amount: '25.00' } });
    expect((await api('POST', route, tokens.billing, { accountId: 'A0001' })).json.code).toBe('SuspenseAlreadyApplied');
    expect(await balanceOf('A0002')).toBe(new Decimal(before).minus('25.00').toFixed(2));
    expect((await api('GET', '/staff/payment-suspense?status=OPEN', tokens.auditor)).json.items.some((item: any) => item.ref === credit.ref && item.fileId === credit.fileId)).toBe(false);
  });

  it('imports a lockbox file over HTTP and again with cis import-payments: posted once; a rejected file exits 2', async () => {
    const lockbox = await readFile(path.join(FIXTURES, 'lockbox-2026-03-04.csv'), 'utf8');
    const before = await balanceOf('A0002');
    const first = await upload('lockbox', lockbox, 'lockbox-1');
    expect(first.json.report.posted.map((p: any) => [p.accountId, p.amount])).toEqual([
      ['A0001', '45.10'],
      ['A0002', '20.00'],
    ]);
    const cli = (file: string) =>
      promisify(execFile)(process.execPath, [path.join(ROOT, 'bin/cis.js'), 'import-payments', file, '--format', 'lockbox', '--endpoint', platform.endpoints.dynamodb, '--table', platform.tableName, '--actor', 'ops'], { cwd: ROOT, env: { ...process.env, AWS_REGION: 'us-east-1' } });
    const { stdout } = await cli(path.join(FIXTURES, 'lockbox-2026-03-04.csv'));
    const report = JSON.parse(stdout);
    expect(report).toMatchObject({ status: 'IMPORTED', posted: [], fileId: first.json.report.fileId, controlTotals: { expected: { amount: '80.10', count: 3 }, found: { amount: '80.10', count: 3 } } });
    expect(report.duplicates.map((d: any) => d.line)).toEqual([2, 3]);
    expect(await balanceOf('A0002')).toBe(new Decimal(before).minus('20.00').toFixed(2));
    const bad = path.join(workDir, 'bad-lockbox.csv');
    await writeFile(bad, lockbox.replace('20.00', '20.001'));
    const failure = await cli(bad).then(
      () => undefined,
      (error: { code: number; stdout: string }) => error,
    );
    expect(failure?.code).toBe(2);
    expect(JSON.parse(failure!.stdout)).toMatchObject({ status: 'REJECTED', rejected: [{ line: 3, field: 'amount' }] });
    expect(await balanceOf('A0002')).toBe(new Decimal(before).minus('20.00').toFixed(2));
  });

  it('cancels autopay: the customer once, then 404', async () => {
    expect((await api('DELETE', '/portal/accounts/A0001/autopay', tokens.customer2)).status).toBe(403);
    expect((await api('DELETE', '/portal/accounts/A0001/autopay', tokens.customer1)).json.autopay.status).toBe('CANCELLED');
    expect((await api('DELETE', '/portal/accounts/A0001/autopay', tokens.customer1)).status).toBe(404);
  });
});
