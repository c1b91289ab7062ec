/** The deposit, budget-billing and balance-transfer handlers over API Gateway events: roles, 400s naming the field, own accounts only. */
import type { Context } from 'aws-lambda';
import { createHandler as changeMyBudget } from '../../../functions/portal/change-budget';
import { createHandler as getMyBudget } from '../../../functions/portal/get-budget';
import { createHandler as getMyDeposits } from '../../../functions/portal/get-deposits';
import { createHandler as accrueInterest } from '../../../functions/staff/accrue-deposit-interest';
import { createHandler as changeBudget } from '../../../functions/staff/change-budget';
import { createHandler as getBudget } from '../../../functions/staff/get-budget';
import { createHandler as listDeposits } from '../../../functions/staff/list-deposits';
import { createHandler as refundDeposit } from '../../../functions/staff/refund-deposit';
import { createHandler as requireDeposit } from '../../../functions/staff/require-deposit';
import { createHandler as transferBalance } from '../../../functions/staff/transfer-balance';
import type { Account } from '../../../shared/domain/accounts';
import { DEFAULT_DEPOSIT_RULES } from '../../../shared/domain/deposits';
import { ledgerEntryForBill } from '../../../shared/domain/ledger';
import { clockAt, MemoryAccounts, silentLogger } from '../../unit/app/fakes';
import { MemoryLedger } from '../../unit/app/ledger-fakes';
import { bodyOf, customerClaims, httpEvent, NOW, staffClaims } from '../helpers';

const context = {} as Context;
const account = (accountId: string, customerId: string, status: Account['status'] = 'ACTIVE'): Account => ({ accountId, customerId, name: 'n', serviceAddress: 'a', cycle: 'C1', tariffId: 'T', status, meterIds: [], shard: 1, createdAt: 't' });

function deps() {
  let ids = 0;
  return {
    ledger: new MemoryLedger(),
    accounts: new MemoryAccounts([account('A0001', 'C0001'), account('A0002', 'C0001', 'INACTIVE'), account('A0003', 'C0002')]),
    clock: clockAt(NOW),
    newId: () => `id-${++ids}`,
    timeZone: 'America/Denver',
    depositRules: DEFAULT_DEPOSIT_RULES,
    log: silentLogger(),
  };
}

const staff = (routeKey: string, role: string, pathParameters: Record<string, string>, body?: unknown, headers: Record<string, string> = { 'Idempotency-Key': 'k-1' }) => {
  const event = httpEvent({ routeKey, claims: staffClaims(role), pathParameters, ...(body === undefined ? {} : { body }) });
  return { ...event, headers: { ...event.headers, ...headers } };
};

describe('deposit routes', () => {
  const route = 'POST /staff/accounts/{accountId}/deposits';

  it('let csr bill a deposit (201) and list it; auditors and billing may not bill one', async () => {
    const d = deps();
    const billed = await requireDeposit(d)(staff(route, 'csr', { accountId: 'A0001' }, { action: 'require', amount: '150.00', reason: 'returned payments' }), context);
    expect(billed.statusCode).toBe(201);
    const depositId = (bodyOf(billed)['deposit'] as { depositId: string }).depositId;
    expect((await requireDeposit(d)(staff(route, 'auditor', { accountId: 'A0001' }, { action: 'require', amount: '1.00', reason: 'x' }, { 'Idempotency-Key': 'k-2' }), context)).statusCode).toBe(403);
    expect((await requireDeposit(d)(staff(route, 'billing', { accountId: 'A0001' }, { action: 'require', amount: '1.00', reason: 'x' }, { 'Idempotency-Key': 'k-3' }), context)).statusCode).toBe(403);
    const listed = await listDeposits(d)(staff('GET /staff/accounts/{accountId}/deposits', 'auditor', { accountId: 'A0001' }), context);
    expect(bodyOf(listed)['deposits']).toEqual([expect.objectContaining({ depositId, status: 'BILLED', amount: '150.00', unpaid: '150.00' })]);
    expect(d.ledger.entries).toHaveLength(1);
  });

  it.each([
    ['no Idempotency-Key', { action: 'require', amount: '10.00', reason: 'r' }, {}, 'headers.idempotency-key'],
    ['an unknown action', { action: 'double', reason: 'r' }, undefined, 'body.action'],
    ['an amount with 3 decimals', { action: 'require', amount: '10.001', reason: 'r' }, undefined, 'body.amount'],
    ['an amount to waive', { action: 'waive', amount: '10.00', reason: 'r' }, undefined, 'body.amount'],
    ['no reason', { action: 'require', amount: '10.00' }, undefined, 'body.reason'],
  ])('answer 400 for %s, naming the field, and post nothing', async (_what, body, headers, field) => {
    const d = deps();
    const response = await requireDeposit(d)(staff(route, 'csr', { accountId: 'A0001' }, body, headers), context);
    expect(response.statusCode).toBe(400);
    expect(String(bodyOf(response)['message'])).toContain(field);
    expect(d.ledger.entries).toHaveLength(0);
  });

  it('refund: 422 before good standing, 400 for a bad remainder, 404 for an unknown deposit', async () => {
    const d = deps();
    const billed = await requireDeposit(d)(staff(route, 'csr', { accountId: 'A0001' }, { action: 'require', amount: '150.00', reason: 'r' }), context);
    const depositId = (bodyOf(billed)['deposit'] as { depositId: string }).depositId;
    const refundRoute = 'POST /staff/accounts/{accountId}/deposits/{depositId}/refund';
    const early = await refundDeposit(d)(staff(refundRoute, 'billing', { accountId: 'A0001', depositId }, { reason: 'asked' }), context);
    expect(early.statusCode).toBe(422);
    expect(bodyOf(early)).toMatchObject({ code: 'DepositNotRefundable', message: expect.stringContaining('not-paid') });
    expect((await refundDeposit(d)(staff(refundRoute, 'billing', { accountId: 'A0001', depositId }, { reason: 'asked', remainder: 'cash' }, { 'Idempotency-Key': 'k-2' }), context)).statusCode).toBe(400);
    expect((await refundDeposit(d)(staff(refundRoute, 'billing', { accountId: 'A0001', depositId: 'D404' }, { reason: 'asked' }, { 'Idempotency-Key': 'k-3' }), context)).statusCode).toBe(404);
    const forced = await refundDeposit(d)(staff(refundRoute, 'billing', { accountId: 'A0001', depositId }, { reason: 'billed in error', force: true }, { 'Idempotency-Key': 'k-4' }), context);
    expect(forced.statusCode).toBe(200);
    expect(bodyOf(forced)['deposit']).toMatchObject({ status: 'REFUNDED', refund: { cancelledUnpaid: '150.00', principal: '0.00' } });
  });

  it('interest run: billing or admin only, asOf required and never in the future', async () => {
    const d = deps();
    const interestRoute = 'POST /staff/deposits/interest';
    expect((await accrueInterest(d)(staff(interestRoute, 'csr', {}, { asOf: '2026-01-31' }), context)).statusCode).toBe(403);
    const missing = await accrueInterest(d)(staff(interestRoute, 'billing', {}, {}), context);
    expect(missing.statusCode).toBe(400);
    expect(String(bodyOf(missing)['message'])).toContain('body.asOf');
    expect((await accrueInterest(d)(staff(interestRoute, 'billing', {}, { asOf: '2027-01-31' }), context)).statusCode).toBe(422);
    expect(bodyOf(await accrueInterest(d)(staff(interestRoute, 'admin', {}, { asOf: '2026-01-31' }), context))).toMatchObject({ posted: [], nextCursor: null });
  });

  it('portal: a customer sees the deposits of their own account only', async () => {
    const d = deps();
    await requireDeposit(d)(staff(route, 'csr', { accountId: 'A0001' }, { action: 'require', amount: '80.00', reason: 'r' }), context);
    const own = await getMyDeposits(d)(httpEvent({ routeKey: 'GET /portal/accounts/{accountId}/deposits', claims: customerClaims('C0001'), pathParameters: { accountId: 'A0001' } }), context);
    expect(bodyOf(own)['deposits']).toEqual([expect.objectContaining({ status: 'BILLED', amount: '80.00' })]);
    const other = await getMyDeposits(d)(httpEvent({ routeKey: 'GET /portal/accounts/{accountId}/deposits', claims: customerClaims('C0002'), pathParameters: { accountId: 'A0001' } }), context);
    expect(other.statusCode).toBe(403);
  });
});

describe('budget routes', () => {
  it('staff enroll with an amount (200), 409 when enrolled, 400 for a bad action; the portal reads its own plan only', async () => {
    const d = deps();
    const routeKey = 'POST /staff/accounts/{accountId}/budget';
    const enrolled = await changeBudget(d)(staff(routeKey, 'csr', { accountId: 'A0001' }, { action: 'enroll', levelizedAmount: '95.00' }), context);
    expect(enrolled.statusCode).toBe(200);
    expect(bodyOf(enrolled)['plan']).toMatchObject({ status: 'ACTIVE', levelizedAmount: '95.00', basis: 'staff' });
    expect((await changeBudget(d)(staff(routeKey, 'csr', { accountId: 'A0001' }, { action: 'enroll' }), context)).statusCode).toBe(409);
    const bad = await changeBudget(d)(staff(routeKey, 'csr', { accountId: 'A0001' }, { action: 'pause' }), context);
    expect(bad.statusCode).toBe(400);
    expect(String(bodyOf(bad)['message'])).toContain('body.action');
    expect((await changeBudget(d)(staff(routeKey, 'auditor', { accountId: 'A0001' }, { action: 'unenroll' }), context)).statusCode).toBe(403);
    expect(bodyOf(await getBudget(d)(staff('GET /staff/accounts/{accountId}/budget', 'auditor', { accountId: 'A0001' }), context))).toMatchObject({ plan: { status: 'ACTIVE' }, deferredBalance: '0.00' });
    const portal = (customerId: string) => httpEvent({ routeKey: 'GET /portal/accounts/{accountId}/budget', claims: customerClaims(customerId), pathParameters: { accountId: 'A0001' } });
    expect(bodyOf(await getMyBudget(d)(portal('C0001'), context))).toMatchObject({ plan: { levelizedAmount: '95.00' } });
    expect((await getMyBudget(d)(portal('C0002'), context)).statusCode).toBe(403);
  });

  it('portal enrollment needs bills to compute the amount (422), then works; staff may not use the portal route', async () => {
    const d = deps();
    const event = (claims: Record<string, unknown>, body: unknown) => httpEvent({ routeKey: 'POST /portal/accounts/{accountId}/budget', claims, pathParameters: { accountId: 'A0001' }, body });
    const noBills = await changeMyBudget(d)(event(customerClaims('C0001'), { action: 'enroll' }), context);
    expect(noBills.statusCode).toBe(422);
    expect(bodyOf(noBills)).toMatchObject({ reason: 'no-billing-history' });
    d.ledger.entries.push(ledgerEntryForBill({ billId: 'B1', accountId: 'A0001', total: '88.40', periodStart: '2026-01-01', periodEnd: '2026-01-31', dueDate: '2026-02-21', usage: { unit: 'kWh' } }, '2026-01-31T00:00:00.000Z'));
    const ok = await changeMyBudget(d)(event(customerClaims('C0001'), { action: 'enroll' }), context);
    expect(bodyOf(ok)['plan']).toMatchObject({ levelizedAmount: '89.00', basis: 'history' });
    expect((await changeMyBudget(d)(event(customerClaims('C0001'), { action: 'enroll', levelizedAmount: '1.00' }), context)).statusCode).toBe(400);
    expect((await changeMyBudget(d)(event(staffClaims('admin'), { action: 'unenroll' }), context)).statusCode).toBe(403);
  });
});

describe('POST /staff/accounts/{accountId}/transfer-balance', () => {
  const routeKey = 'POST /staff/accounts/{accountId}/transfer-balance';
  const withBill = () => {
    const d = deps();
    d.ledger.entries.push(ledgerEntryForBill({ billId: 'BF', accountId: 'A0002', total: '40.00', periodStart: '2026-01-01', periodEnd: '2026-01-15', dueDate: '2026-02-05', usage: { unit: 'kWh' } }, '2026-01-16T00:00:00.000Z'));
    return d;
  };

  it('201 for billing staff; a retry replays the answer; auditors 403', async () => {
    const d = withBill();
    const first = await transferBalance(d)(staff(routeKey, 'billing', { accountId: 'A0002' }, { toAccountId: 'A0001' }), context);
    expect(first.statusCode).toBe(201);
    expect(bodyOf(first)['transfer']).toMatchObject({ amount: '40.00', fromAccountId: 'A0002', toAccountId: 'A0001' });
    const retry = await transferBalance(d)(staff(routeKey, 'billing', { accountId: 'A0002' }, { toAccountId: 'A0001' }), context);
    expect(retry.body).toBe(first.body);
    expect(d.ledger.entries.filter((e) => e.kind === 'TRANSFER')).toHaveLength(2);
    expect((await transferBalance(d)(staff(routeKey, 'auditor', { accountId: 'A0002' }, { toAccountId: 'A0001' }, { 'Idempotency-Key': 'k-9' }), context)).statusCode).toBe(403);
  });

  it.each([
    ['no toAccountId', {}, 400, 'body.toAccountId'],
    ['a toAccountId with a "#"', { toAccountId: 'A#1' }, 400, 'body.toAccountId'],
    ['consent as text', { toAccountId: 'A0003', consent: 'yes' }, 400, 'body.consent'],
    ['another customer without consent', { toAccountId: 'A0003' }, 422, 'consent'],
    ['an unknown account', { toAccountId: 'A0404' }, 404, 'A0404'],
  ])('answers %s with its status and posts nothing', async (_what, body, status, text) => {
    const d = withBill();
    const response = await transferBalance(d)(staff(routeKey, 'csr', { accountId: 'A0002' }, body), context);
    expect(response.statusCode).toBe(status);
    expect(String(bodyOf(response)['message'])).toContain(text);
    expect(d.ledger.entries).toHaveLength(1);
  });
});
