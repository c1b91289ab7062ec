/**
 * Adjustments with approval: billing staff post within the limit at once; a CSR's adjustment and
 * one above the limit wait as a PENDING request that another user decides (billing or admin
 * within the limit, admin above it, never the requester); an approval posts once, whatever
 * fails or is retried.
 */
import { adjustBalance, decideAdjustment, listAdjustmentRequests } from '../../../shared/app/payments/adjust-ledger';
import { AdjustmentDecisionForbidden, AdjustmentRequestDecided, AdjustmentRequestNotFound } from '../../../shared/app/payments/errors';
import { adjustmentRoute, approvedAdjustmentIdFor, whyNotDecide, type AdjustmentRequest } from '../../../shared/domain/adjustment-approval';
import type { Account } from '../../../shared/domain/accounts';
import { InvalidInput } from '../../../shared/domain/errors';
import { adjustmentEntry, type LedgerEntry } from '../../../shared/domain/ledger';
import { Money } from '../../../shared/domain/money';
import type { StaffRole } from '../../../shared/domain/identity';
import { parseEnv } from '../../../shared/adapters/env';
import { AdjustmentsEnv } from '../../../shared/schemas/env';
import { clockAt, MemoryAccounts } from './fakes';
import { MemoryLedger } from './ledger-fakes';

const NOW = '2026-03-01T17:00:00.000Z';
const account: Account = { accountId: 'A1', customerId: 'C1', name: 'n', serviceAddress: 'a', cycle: 'C1', tariffId: 'T', status: 'ACTIVE', meterIds: [], shard: 1, createdAt: 't' };
const staff = (username: string, ...roles: StaffRole[]) => ({ username, roles });
const csr = staff('cara', 'csr');
const billing = staff('bill', 'billing');
const billing2 = staff('bea', 'billing');
const admin = staff('ada', 'admin');
const auditor = staff('aud', 'auditor');

function setup(approvalLimit = '100.00') {
  const ledger = new MemoryLedger();
  let ids = 0;
  const deps = { ledger, accounts: new MemoryAccounts([account]), clock: clockAt(NOW), newId: () => `E${++ids}`, approvalLimit, waitMs: 300, sleep: async () => undefined };
  return { deps, ledger };
}

const credit = (amount: string, key = `k-${amount}`) => ({ accountId: 'A1', idempotencyKey: key, amount, direction: 'credit' as const, service: 'water', reason: 'leak allowance' });
const balanceOf = (entries: LedgerEntry[]) =>
  entries.reduce((sum, entry) => entry.postings.filter((p) => p.ledgerAccount === 'ACCOUNTS_RECEIVABLE').reduce((s, p) => (p.side === 'debit' ? s.plus(p.amount) : s.minus(p.amount)), sum), new Money(0)).toFixed(2);

async function requested(deps: ReturnType<typeof setup>['deps'], by: typeof csr, amount: string): Promise<AdjustmentRequest> {
  const answer = await adjustBalance(deps, by, credit(amount, `${by.username}-${amount}`));
  expect(answer.statusCode).toBe(202);
  return (answer.body as { request: AdjustmentRequest }).request;
}

describe('the approval rules', () => {
  it.each([
    [['billing'], '100.00', 'post'],
    [['billing'], '100.01', 'request'],
    [['admin'], '99.99', 'post'],
    [['admin'], '5000.00', 'request'],
    [['csr'], '0.01', 'post'],
    [['csr'], '25.00', 'post'],
    [['csr'], '25.01', 'request'],
    [['csr', 'billing'], '80.00', 'post'],
    [['auditor'], '0.01', 'request'],
  ] as Array<[StaffRole[], string, 'post' | 'request']>)('roles %j adjusting %s: %s', (roles, amount, route) => {
    expect(adjustmentRoute(roles, amount, '100.00', '25.00')).toBe(route);
  });

  it('lets every CSR adjustment wait for approval with a CSR limit of 0, and never lets a CSR post above the approval limit', () => {
    expect(adjustmentRoute(['csr'], '0.01', '100.00', '0')).toBe('request');
    expect(adjustmentRoute(['csr'], '60.00', '50.00', '75.00')).toBe('request');
  });

  it.each([
    ['the requester', staff('cara', 'admin'), '20.00', /requester cannot decide/],
    ['a CSR', staff('other', 'csr'), '20.00', /only billing or admin/],
    ['an auditor', auditor, '20.00', /only billing or admin/],
    ['billing above the limit', billing, '150.00', /only an admin/],
  ])('refuse %s', (_who, decider, amount, message) => {
    expect(whyNotDecide({ requestedBy: 'cara', amount, approvalLimit: '100.00' }, decider)).toMatch(message);
  });

  it.each([
    ['billing within the limit', billing, '100.00'],
    ['admin within the limit', admin, '20.00'],
    ['admin above the limit', admin, '150.00'],
  ])('let %s decide', (_who, decider, amount) => {
    expect(whyNotDecide({ requestedBy: 'cara', amount, approvalLimit: '100.00' }, decider)).toBeUndefined();
  });
});

describe('the approval limit setting', () => {
  const base = { TABLE_NAME: 't', UTILITY_TIMEZONE: 'America/Denver' };
  it('defaults to 100.00, takes a decimal amount, and fails at cold start naming the variable', () => {
    expect(parseEnv(AdjustmentsEnv, base).ADJUSTMENT_APPROVAL_LIMIT).toBe('100.00');
    expect(parseEnv(AdjustmentsEnv, { ...base, ADJUSTMENT_APPROVAL_LIMIT: '2500' }).ADJUSTMENT_APPROVAL_LIMIT).toBe('2500');
    for (const bad of ['12.345', '-1', 'lots', '1e3']) expect(() => parseEnv(AdjustmentsEnv, { ...base, ADJUSTMENT_APPROVAL_LIMIT: bad })).toThrow(/environment variable ADJUSTMENT_APPROVAL_LIMIT must be a decimal amount/);
    expect(parseEnv(AdjustmentsEnv, base).ADJUSTMENT_CSR_LIMIT).toBe('25.00');
    expect(() => parseEnv(AdjustmentsEnv, { ...base, ADJUSTMENT_CSR_LIMIT: 'some' })).toThrow(/environment variable ADJUSTMENT_CSR_LIMIT must be a decimal amount/);
  });
});

describe('adjusting with approval', () => {
  it('posts a billing user\'s adjustment within the limit at once (201) and keeps a CSR\'s as a PENDING request without a ledger entry (202)', async () => {
    const { deps, ledger } = setup();
    const posted = await adjustBalance(deps, billing, credit('40.00'));
    expect(posted.statusCode).toBe(201);
    expect(ledger.entries).toHaveLength(1);
    const request = await requested(deps, csr, '40.00');
    expect(request).toMatchObject({ status: 'PENDING', amount: '40.00', direction: 'credit', service: 'water', requestedBy: 'cara', requestedAt: NOW, approvalLimit: '100.00' });
    expect(ledger.entries).toHaveLength(1);
    expect(await adjustBalance(deps, csr, credit('40.00', 'cara-40.00'))).toEqual({ statusCode: 202, body: { request } });
    expect(ledger.adjustmentRequests.size).toBe(1);
    expect(ledger.audit.map((event) => event.action)).toEqual(['ledger.adjusted', 'ledger.adjustment-requested']);
    expect((await listAdjustmentRequests(deps, { status: 'PENDING', limit: 10 })).items).toEqual([request]);
  });

  it('keeps a billing user\'s adjustment above the limit for an admin, and lets the limit be configured', async () => {
    const { deps, ledger } = setup('250.00');
    expect((await adjustBalance(deps, billing, credit('250.00'))).statusCode).toBe(201);
    const request = await requested(deps, billing, '250.01');
    expect(ledger.entries).toHaveLength(1);
    await expect(decideAdjustment(deps, billing2, { accountId: 'A1', requestId: request.requestId, decision: 'approve' })).rejects.toThrow(AdjustmentDecisionForbidden);
    const { entry } = await decideAdjustment(deps, admin, { accountId: 'A1', requestId: request.requestId, decision: 'approve' });
    expect(entry?.postings[0]).toMatchObject({ side: 'credit', amount: '250.01' });
  });

  it('never lets the requester approve, and posts the approved credit once with its audit event', async () => {
    const { deps, ledger } = setup();
    const request = await requested(deps, csr, '30.00');
    await expect(decideAdjustment(deps, csr, { accountId: 'A1', requestId: request.requestId, decision: 'approve' })).rejects.toThrow(AdjustmentDecisionForbidden);
    await expect(decideAdjustment(deps, staff('cara', 'admin'), { accountId: 'A1', requestId: request.requestId, decision: 'approve' })).rejects.toThrow('requester');
    const before = balanceOf(ledger.entries);
    const decision = await decideAdjustment(deps, billing, { accountId: 'A1', requestId: request.requestId, decision: 'approve' });
    expect(decision.request).toMatchObject({ status: 'APPROVED', decidedBy: 'bill', decidedAt: NOW, entryId: decision.entry!.entryId });
    expect(balanceOf(ledger.entries)).toBe(new Money(before).minus('30.00').toFixed(2));
    // The same approval again (a lost answer) replays; another user's decision is 409; nothing posts twice.
    expect(await decideAdjustment(deps, billing, { accountId: 'A1', requestId: request.requestId, decision: 'approve' })).toEqual(decision);
    await expect(decideAdjustment(deps, admin, { accountId: 'A1', requestId: request.requestId, decision: 'approve' })).rejects.toThrow(AdjustmentRequestDecided);
    await expect(decideAdjustment(deps, billing, { accountId: 'A1', requestId: request.requestId, decision: 'reject', reason: 'changed my mind' })).rejects.toThrow(AdjustmentRequestDecided);
    expect(ledger.entries.filter((e) => e.kind === 'ADJUSTMENT')).toHaveLength(1);
    expect(ledger.audit.map((event) => event.action)).toEqual(['ledger.adjustment-requested', 'ledger.adjustment-approved']);
    expect((await listAdjustmentRequests(deps, { status: 'PENDING', limit: 10 })).items).toEqual([]);
    expect((await listAdjustmentRequests(deps, { status: 'APPROVED', limit: 10 })).items).toEqual([decision.request]);
  });

  it('rejects with a reason and posts nothing', async () => {
    const { deps, ledger } = setup();
    const request = await requested(deps, csr, '30.00');
    await expect(decideAdjustment(deps, billing, { accountId: 'A1', requestId: request.requestId, decision: 'reject' })).rejects.toThrow(InvalidInput);
    const { request: rejected } = await decideAdjustment(deps, billing, { accountId: 'A1', requestId: request.requestId, decision: 'reject', reason: 'no leak on file' });
    expect(rejected).toMatchObject({ status: 'REJECTED', decisionReason: 'no leak on file', decidedBy: 'bill' });
    expect(ledger.entries).toHaveLength(0);
    await expect(decideAdjustment(deps, admin, { accountId: 'A1', requestId: request.requestId, decision: 'approve' })).rejects.toThrow(AdjustmentRequestDecided);
    await expect(decideAdjustment(deps, admin, { accountId: 'A1', requestId: 'nope', decision: 'approve' })).rejects.toThrow(AdjustmentRequestNotFound);
    expect(ledger.audit.at(-1)).toMatchObject({ action: 'ledger.adjustment-rejected', actor: 'bill', details: { reason: 'no leak on file' } });
  });

  it('is safe to retry: a failed write leaves the request pending and posts nothing; the retry posts once', async () => {
    const { deps, ledger } = setup();
    const request = await requested(deps, csr, '30.00');
    ledger.failNextCommit = new Error('the connection dropped');
    await expect(decideAdjustment(deps, billing, { accountId: 'A1', requestId: request.requestId, decision: 'approve' })).rejects.toThrow('connection dropped');
    expect(ledger.entries).toHaveLength(0);
    expect((await ledger.getAdjustmentRequest('A1', request.requestId))?.status).toBe('PENDING');
    await decideAdjustment(deps, billing, { accountId: 'A1', requestId: request.requestId, decision: 'approve' });
    expect(ledger.entries).toHaveLength(1);
  });

  it('does not post twice when the request\'s entry is in the ledger already but the request is still pending', async () => {
    const { deps, ledger } = setup();
    const request = await requested(deps, csr, '30.00');
    // The state a write that posted the entry but lost the request's status would leave.
    const earlier = adjustmentEntry({ accountId: 'A1', adjustmentId: approvedAdjustmentIdFor(request), amount: new Money('30.00'), direction: 'credit', service: 'water', postedAt: NOW, description: 'earlier attempt', actor: 'bill' });
    await ledger.commit({ entries: [earlier], audit: [] });
    const decision = await decideAdjustment(deps, billing, { accountId: 'A1', requestId: request.requestId, decision: 'approve' });
    expect(decision.request).toMatchObject({ status: 'APPROVED', entryId: earlier.entryId });
    expect(ledger.entries).toEqual([earlier]);
  });

  it('lets only one of two concurrent approvals post', async () => {
    const { deps, ledger } = setup();
    const request = await requested(deps, csr, '30.00');
    const results = await Promise.allSettled([
      decideAdjustment(deps, billing, { accountId: 'A1', requestId: request.requestId, decision: 'approve' }),
      decideAdjustment(deps, admin, { accountId: 'A1', requestId: request.requestId, decision: 'approve' }),
    ]);
    expect(results.map((r) => r.status).sort()).toEqual(['fulfilled', 'rejected']);
    expect(results.find((r) => r.status === 'rejected')).toMatchObject({ reason: expect.any(AdjustmentRequestDecided) });
    expect(ledger.entries).toHaveLength(1);
  });
});
