/**
 * End to end, deposits, budget billing and balance transfers on the local platform: a deposit
 * billed, paid and refunded to the balance after its interest; a deposit held for a year accruing
 * monthly interest once per month; an account on budget billing over several billing runs (the
 * state machine's BillSegment applies the levelized amount) trued up when the customer ends it
 * in the portal; and a moved-out account's balance transferred to another account.
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { Decimal } from 'decimal.js';
import { DynamoLedgerStore } from '../../shared/adapters/ledger-store';
import { depositEntry, type Deposit } from '../../shared/domain/deposits';
import { paymentEntry } from '../../shared/domain/ledger';
import { issueToken } from '../../shared/local/local-auth';
import type { RunningPlatform } from '../../shared/local/platform';
import { LOCAL_REGION } from '../../shared/local/template';
import { eventually, startTestPlatform, type TestPlatform } from './platform-harness';

const TIME_ZONE = 'America/Denver';
let local: TestPlatform;
let platform: RunningPlatform;
const tokens: Record<'csr' | 'billing' | 'auditor' | 'customer1' | 'customer2' | 'customer3', string> = {} as never;

const localDate = (date: Date) => new Intl.DateTimeFormat('en-CA', { timeZone: TIME_ZONE, year: 'numeric', month: '2-digit', day: '2-digit' }).format(date);
const daysAgo = (days: number) => localDate(new Date(Date.now() - days * 86_400_000));

async function api(method: string, route: string, token?: string, body?: unknown, headers: Record<string, string> = {}): Promise<{ status: number; json: any }> {
  const response = await fetch(`${platform.httpUrl}${route}`, {
    method,
    headers: { ...(token ? { authorization: `Bearer ${token}` } : {}), ...(body !== undefined ? { 'content-type': 'application/json' } : {}), ...headers },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await response.text();
  return { status: response.status, json: text ? JSON.parse(text) : undefined };
}

async function bill(periodStart: string, periodEnd: string, billed = 3): Promise<void> {
  const started = await api('POST', '/staff/billing-runs', tokens.billing, { cycle: 'C1', periodStart, periodEnd });
  expect(started.status).toBe(202);
  const run = await eventually(`run ${started.json.runId}`, async () => {
    const { json } = await api('GET', `/staff/billing-runs/${started.json.runId}`, tokens.auditor);
    return json.status === 'RUNNING' ? undefined : json;
  }, 60_000);
  expect(run).toMatchObject({ status: 'SUCCEEDED', counts: { billed, failed: 0 } });
}

const ledgerOf = async (accountId: string) => (await api('GET', `/staff/accounts/${accountId}/ledger?limit=200`, tokens.auditor)).json;
const balanceOf = async (accountId: string) => new Decimal((await ledgerOf(accountId)).balance.balance);

/** A deposit of 100.00 billed and paid 13 months ago (written as the deposit route and a payment would). */
async function seedOldDeposit(): Promise<Deposit> {
  const client = DynamoDBDocumentClient.from(new DynamoDBClient({ endpoint: platform.endpoints.dynamodb, region: LOCAL_REGION, credentials: { accessKeyId: 'local', secretAccessKey: 'local' } }), { marshallOptions: { removeUndefinedValues: true } });
  const store = new DynamoLedgerStore(client, platform.tableName);
  const at = new Date(Date.now() - 400 * 86_400_000).toISOString();
  const entry = depositEntry({ accountId: 'A0002', depositId: 'DOLD', amount: new Decimal('100.00'), postedAt: at, dueDays: 21, reason: 'prior-disconnection', actor: 'casey' });
  const deposit: Deposit = { depositId: 'DOLD', accountId: 'A0002', status: 'BILLED', amount: '100.00', reason: 'prior-disconnection', createdAt: at, createdBy: 'casey', entryId: entry.entryId, dueDate: entry.dueDate! };
  const payment = paymentEntry({ accountId: 'A0002', paymentId: 'POLD', amount: new Decimal('100.00'), allocations: [{ service: 'deposit', amount: '100.00' }], postedAt: at, description: 'Deposit paid at the counter', actor: 'casey' });
  await store.commit({ entries: [entry, payment], deposits: [{ value: deposit }], audit: [] });
  return deposit;
}

beforeAll(async () => {
  for (const level of ['log', 'warn', 'error'] as const) jest.spyOn(console, level).mockImplementation(() => undefined);
  local = await startTestPlatform('cis-deposits-', { accounts: 3 });
  platform = local.platform;
  tokens.csr = await issueToken(local.authDir, { staff: 'casey', role: 'csr' });
  tokens.billing = await issueToken(local.authDir, { staff: 'bill', role: 'billing' });
  tokens.auditor = await issueToken(local.authDir, { staff: 'audra', role: 'auditor' });
  tokens.customer1 = await issueToken(local.authDir, { customerId: 'C0001' });
  tokens.customer2 = await issueToken(local.authDir, { customerId: 'C0002' });
  tokens.customer3 = await issueToken(local.authDir, { customerId: 'C0003' });
  // A0001 goes on budget billing before its first bill; A0002 had a deposit for over a year.
  const enrolled = await api('POST', '/staff/accounts/A0001/budget', tokens.csr, { action: 'enroll', levelizedAmount: '5.00' });
  expect(enrolled).toMatchObject({ status: 200, json: { plan: { status: 'ACTIVE', levelizedAmount: '5.00' } } });
  await seedOldDeposit();
  await bill(daysAgo(2), daysAgo(2));
}, 240_000);

afterAll(async () => {
  await local?.stop();
});

describe('deposits over HTTP', () => {
  it('bills a deposit (csr); accrues interest once per month; refunds the old deposit to the balance first; the customer pays the rest and the new deposit is held', async () => {
    expect((await api('POST', '/staff/accounts/A0002/deposits', tokens.auditor, { action: 'require', amount: '75.00', reason: 'late payments' }, { 'idempotency-key': 'dep-1' })).status).toBe(403);
    const bad = await api('POST', '/staff/accounts/A0002/deposits', tokens.csr, { action: 'require', amount: '75.001', reason: 'late payments' }, { 'idempotency-key': 'dep-1' });
    expect(bad.status).toBe(400);
    expect(bad.json.message).toContain('body.amount');
    const billed = await api('POST', '/staff/accounts/A0002/deposits', tokens.csr, { action: 'require', amount: '75.00', reason: 'late payments' }, { 'idempotency-key': 'dep-1' });
    expect(billed).toMatchObject({ status: 201, json: { deposit: { status: 'BILLED', amount: '75.00' } } });
    const retried = await api('POST', '/staff/accounts/A0002/deposits', tokens.csr, { action: 'require', amount: '75.00', reason: 'late payments' }, { 'idempotency-key': 'dep-1' });
    expect(retried.json).toEqual(billed.json);

    // Interest: the old deposit's complete months, once; a second run posts nothing.
    const today = localDate(new Date());
    const interest = await api('POST', '/staff/deposits/interest', tokens.billing, { asOf: today });
    expect(interest.status).toBe(200);
    const months = interest.json.posted.filter((line: { depositId: string }) => line.depositId === 'DOLD');
    expect(months.length).toBeGreaterThanOrEqual(12);
    for (const line of months) expect(line.amount).toMatch(/^0\.(1[0-9]|[0-9]{2})$/);
    expect(interest.json.dueForRefund).toEqual(['DOLD']);
    const again = await api('POST', '/staff/deposits/interest', tokens.billing, { asOf: today });
    expect(again.json.posted).toEqual([]);

    // The customer sees both deposits; only their own account.
    const portal = await api('GET', '/portal/accounts/A0002/deposits', tokens.customer2);
    expect(portal.json.deposits).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ depositId: 'DOLD', status: 'BILLED', held: '100.00', refundEligibility: expect.objectContaining({ eligible: true }) }),
        expect.objectContaining({ depositId: billed.json.deposit.depositId, held: '0.00', unpaid: '75.00' }),
      ]),
    );
    expect((await api('GET', '/portal/accounts/A0002/deposits', tokens.customer1)).status).toBe(403);

    // The refund pays the open bill and the new deposit first; the rest is a credit.
    const owedBefore = await balanceOf('A0002');
    const interestTotal = months.reduce((sum: Decimal, line: { amount: string }) => sum.plus(line.amount), new Decimal(0));
    const refund = await api('POST', '/staff/accounts/A0002/deposits/DOLD/refund', tokens.billing, { reason: 'twelve months of good standing' }, { 'idempotency-key': 'ref-1' });
    expect(refund.status).toBe(200);
    const returned = new Decimal(refund.json.deposit.refund.principal).plus(refund.json.deposit.refund.interest);
    expect(refund.json.deposit.refund.principal).toBe('100.00');
    expect(new Decimal(refund.json.deposit.refund.interest).gte(interestTotal)).toBe(true);
    expect(refund.json.deposit.refund.appliedToBalance).toBe(Decimal.min(owedBefore, returned).toFixed(2));
    expect((await balanceOf('A0002')).toFixed(2)).toBe(owedBefore.minus(returned).toFixed(2));
    const twice = await api('POST', '/staff/accounts/A0002/deposits/DOLD/refund', tokens.billing, { reason: 'again' }, { 'idempotency-key': 'ref-2' });
    expect(twice.status).toBe(409);
    // The customer pays what is left (the rest of the new deposit among it): the new deposit is held.
    const left = await balanceOf('A0002');
    if (left.gt(0)) {
      const paid = await api('POST', '/portal/accounts/A0002/payments', tokens.customer2, { amount: left.toFixed(2), method: 'CARD', token: 'tok_sandbox_visa' }, { 'idempotency-key': 'pay-rest' });
      expect(paid.status).toBe(201);
    }
    const held = await api('GET', '/staff/accounts/A0002/deposits', tokens.auditor);
    expect(held.json.deposits).toEqual(expect.arrayContaining([expect.objectContaining({ depositId: billed.json.deposit.depositId, status: 'BILLED', held: '75.00', unpaid: '0.00' }), expect.objectContaining({ depositId: 'DOLD', status: 'REFUNDED' })]));
    const kinds = (await ledgerOf('A0002')).items.map((entry: { kind: string }) => entry.kind);
    expect(kinds).toEqual(expect.arrayContaining(['DEPOSIT', 'DEPOSIT_INTEREST', 'DEPOSIT_REFUND', 'BILL']));
  });
});

describe('budget billing through the billing state machine', () => {
  it('owes the levelized amount on each bill, keeps the true balance visible, and trues up when the customer ends it', async () => {
    const afterFirst = await api('GET', '/staff/accounts/A0001/budget', tokens.auditor);
    expect(afterFirst.json).toMatchObject({ plan: { status: 'ACTIVE', billsSinceCalculation: 1 }, balance: '5.00' });
    const firstBill = new Decimal(afterFirst.json.trueBalance);
    expect(new Decimal(afterFirst.json.deferredBalance).toFixed(2)).toBe(firstBill.minus('5.00').toFixed(2));

    await bill(daysAgo(1), daysAgo(1));
    // A second run over the same period issues nothing and posts no second budget entry.
    await bill(daysAgo(1), daysAgo(1), 0);
    const afterSecond = await api('GET', '/portal/accounts/A0001/budget', tokens.customer1);
    expect(afterSecond.json).toMatchObject({ plan: { billsSinceCalculation: 2 }, balance: '10.00' });
    const ledger = await ledgerOf('A0001');
    expect(ledger.items.filter((entry: { kind: string }) => entry.kind === 'BUDGET')).toHaveLength(2);
    const bills = ledger.items.filter((entry: { kind: string }) => entry.kind === 'BILL');
    expect(bills).toHaveLength(2);

    const ended = await api('POST', '/portal/accounts/A0001/budget', tokens.customer1, { action: 'unenroll' });
    expect(ended).toMatchObject({ status: 200, json: { plan: { status: 'ENDED', endReason: 'unenrolled' }, deferredBalance: '0.00' } });
    expect(ended.json.balance).toBe(afterSecond.json.trueBalance);
    expect((await ledgerOf('A0001')).items.filter((entry: { kind: string }) => entry.kind === 'BUDGET_TRUE_UP')).toHaveLength(1);
    expect((await api('POST', '/portal/accounts/A0001/budget', tokens.customer2, { action: 'enroll' })).status).toBe(403);
  });
});

describe('balance transfer at move-out', () => {
  it('moves the closing account\'s balance to another account once, with consent for another customer', async () => {
    const moved = await api('POST', '/staff/accounts/A0003/move-out', tokens.csr, { endDate: localDate(new Date()) });
    expect(moved.status).toBe(200);
    const owed = await balanceOf('A0003');
    expect(owed.gt(0)).toBe(true);
    const before = await balanceOf('A0001');
    const refused = await api('POST', '/staff/accounts/A0003/transfer-balance', tokens.csr, { toAccountId: 'A0001' }, { 'idempotency-key': 'tr-1' });
    expect(refused).toMatchObject({ status: 422, json: { reason: 'other-customer' } });
    const done = await api('POST', '/staff/accounts/A0003/transfer-balance', tokens.csr, { toAccountId: 'A0001', consent: true, reason: 'the customer\'s guarantor agreed' }, { 'idempotency-key': 'tr-2' });
    expect(done).toMatchObject({ status: 201, json: { transfer: { amount: owed.toFixed(2), consent: true } } });
    const retried = await api('POST', '/staff/accounts/A0003/transfer-balance', tokens.csr, { toAccountId: 'A0001', consent: true, reason: 'the customer\'s guarantor agreed' }, { 'idempotency-key': 'tr-2' });
    expect(retried.json).toEqual(done.json);
    expect((await balanceOf('A0003')).toFixed(2)).toBe('0.00');
    expect((await balanceOf('A0001')).toFixed(2)).toBe(before.plus(owed).toFixed(2));
    const overview = await api('GET', '/staff/accounts/A0003/overview', tokens.auditor);
    expect(overview.status).toBe(200);
  });
});
