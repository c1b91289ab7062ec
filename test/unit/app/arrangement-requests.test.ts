import { decideArrangementRequest, listMyArrangementRequests, listPendingArrangementRequests, requestMyArrangement } from '../../../shared/app/payments/arrangement-requests';
import { cancelArrangement, createArrangement } from '../../../shared/app/payments/arrangements';
import { ArrangementExists, ArrangementRequestDecided, ArrangementRequestNotFound, ArrangementRequestPending, IdempotencyKeyReused, LedgerWriteRefused } from '../../../shared/app/payments/errors';
import type { Account } from '../../../shared/domain/accounts';
import type { ArrangementRequest } from '../../../shared/domain/arrangement-requests';
import { Forbidden, RuleViolation } from '../../../shared/domain/errors';
import { ledgerEntryForBill } from '../../../shared/domain/ledger';
import { DecideArrangementRequest, RequestArrangementRequest } from '../../../shared/schemas/payments';
import { clockAt, MemoryAccounts } from './fakes';
import { MemoryLedger } from './ledger-fakes';

const account = (accountId: string, customerId: string): Account => ({ accountId, customerId, name: 'n', serviceAddress: 'a', cycle: 'C1', tariffId: 'T', status: 'ACTIVE', meterIds: [], shard: 1, createdAt: 't' });

function setup(now = '2026-03-01T17:00:00.000Z') {
  const ledger = new MemoryLedger();
  let ids = 0;
  const clock = { at: now };
  const deps = {
    ledger,
    accounts: new MemoryAccounts([account('A1', 'C1'), account('A2', 'C2'), account('A3', 'C1')]),
    clock: { now: () => clockAt(clock.at).now() },
    newId: () => `E${++ids}`,
    timeZone: 'America/Denver',
    arrangementGraceDays: 5,
    waitMs: 300,
    sleep: async () => undefined,
  };
  // A1: 120.00 due 2026-02-15 and 90.00 due 2026-02-20 (both past due on 2026-03-01). A3: 40.00 not due yet.
  ledger.entries.push(ledgerEntryForBill({ billId: 'B1', accountId: 'A1', total: '120.00', periodStart: '2026-01-01', periodEnd: '2026-01-31', dueDate: '2026-02-15', usage: { unit: 'gal' } }, '2026-01-25T00:00:00.000Z'));
  ledger.entries.push(ledgerEntryForBill({ billId: 'B2', accountId: 'A1', total: '90.00', periodStart: '2026-01-01', periodEnd: '2026-01-31', dueDate: '2026-02-20', usage: { unit: 'kWh' } }, '2026-01-30T00:00:00.000Z'));
  ledger.entries.push(ledgerEntryForBill({ billId: 'B3', accountId: 'A3', total: '40.00', periodStart: '2026-02-01', periodEnd: '2026-02-28', dueDate: '2026-03-20', usage: { unit: 'gal' } }, '2026-03-01T00:00:00.000Z'));
  return { deps, ledger, clock };
}

const dana = { customerId: 'C1' };
const ask = (deps: ReturnType<typeof setup>['deps'], key = 'k1', over: { accountId?: string; installments?: number; reason?: string } = {}) =>
  requestMyArrangement(deps, dana, { accountId: 'A1', idempotencyKey: key, installments: 6, reason: 'lost my job', ...over });
const requestOf = (outcome: { body: unknown }) => (outcome.body as { request: ArrangementRequest }).request;

describe('payment arrangement requests from the portal', () => {
  it('store a PENDING request with what was past due, audited, once per Idempotency-Key', async () => {
    const { deps, ledger } = setup();
    const first = await ask(deps);
    expect(first.statusCode).toBe(201);
    expect(requestOf(first)).toMatchObject({ accountId: 'A1', customerId: 'C1', status: 'PENDING', installments: 6, reason: 'lost my job', pastDue: '210.00', requestedBy: 'customer:C1' });
    // The same form sent again (a retry) answers the same request and stores nothing new.
    expect(await ask(deps)).toEqual(first);
    expect(ledger.arrangementRequests.size).toBe(1);
    expect(ledger.audit.map((a) => [a.action, a.details['requestId'], a.details['pastDue']])).toEqual([['arrangement-request.created', requestOf(first).requestId, '210.00']]);
    await expect(ask(deps, 'k1', { installments: 3 })).rejects.toThrow(IdempotencyKeyReused);
    expect((await listMyArrangementRequests(deps, 'C1', 'A1')).items.map((r) => r.requestId)).toEqual([requestOf(first).requestId]);
  });

  it('refuse when nothing is past due, a request is pending, or an arrangement is running; change nothing', async () => {
    const { deps, ledger } = setup();
    await expect(ask(deps, 'k1', { accountId: 'A3' })).rejects.toMatchObject({ reason: 'nothing-past-due' });
    await expect(ask(deps, 'k1', { accountId: 'A3' })).rejects.toThrow(RuleViolation);
    await ask(deps, 'k2');
    await expect(ask(deps, 'k3')).rejects.toThrow(ArrangementRequestPending);
    const { deps: other, ledger: otherLedger } = setup();
    await createArrangement(other, 'dana', { accountId: 'A1', installments: 3, firstDueDate: '2026-03-15', reason: 'phone call' });
    await expect(ask(other, 'k4')).rejects.toThrow(ArrangementExists);
    expect(ledger.arrangementRequests.size).toBe(1);
    expect(otherLedger.arrangementRequests.size).toBe(0);
  });

  it("refuse another customer's account", async () => {
    const { deps, ledger } = setup();
    await expect(ask(deps, 'k1', { accountId: 'A2' })).rejects.toThrow(Forbidden);
    await expect(listMyArrangementRequests(deps, 'C1', 'A2')).rejects.toThrow(Forbidden);
    expect(ledger.arrangementRequests.size).toBe(0);
  });

  it('refuse a request when the arrangements changed between the checks and the write', async () => {
    const { deps, ledger } = setup();
    const racing = { ...deps, ledger: Object.assign(Object.create(ledger), { arrangementGuardVersion: async () => 0 }) as MemoryLedger };
    await ask(deps, 'k1');
    ledger.arrangementRequests.clear();
    await expect(ask(racing, 'k2')).rejects.toThrow(LedgerWriteRefused);
    expect(ledger.arrangementRequests.size).toBe(0);
  });

  it('validate installments and reason with clear fields', () => {
    const parse = (body: unknown) => RequestArrangementRequest.safeParse({ path: { accountId: 'A1' }, headers: { 'idempotency-key': 'k' }, body });
    expect(parse({ installments: 6 }).success).toBe(true);
    expect(JSON.stringify(parse({ installments: 1 }).error?.issues)).toContain('installments must be a whole number from 2 to 36');
    expect(JSON.stringify(parse({ installments: 37 }).error?.issues)).toContain('installments must be a whole number from 2 to 36');
    expect(JSON.stringify(parse({ installments: 2.5 }).error?.issues)).toContain('installments');
    expect(RequestArrangementRequest.safeParse({ path: { accountId: 'A1' }, headers: {}, body: { installments: 6 } }).success).toBe(false);
    expect(DecideArrangementRequest.safeParse({ path: { accountId: 'A1', requestId: 'R' }, body: { decision: 'maybe', reason: 'x' } }).success).toBe(false);
  });
});

describe('staff decisions on arrangement requests', () => {
  it('approve: the arrangement of the requested installments, named after the request, in the same write', async () => {
    const { deps, ledger } = setup();
    const request = requestOf(await ask(deps));
    expect((await listPendingArrangementRequests(deps, { limit: 50 })).items.map((r) => r.requestId)).toEqual([request.requestId]);
    const decided = await decideArrangementRequest(deps, 'erin', { accountId: 'A1', requestId: request.requestId, decision: 'approve', reason: 'hardship checked' });
    expect(decided.request).toMatchObject({ status: 'APPROVED', decidedBy: 'erin', decisionReason: 'hardship checked', arrangementId: `AR${request.requestId}` });
    expect(decided.arrangement).toMatchObject({ arrangementId: `AR${request.requestId}`, status: 'ACTIVE', amount: '210.00', createdBy: 'erin' });
    // Six monthly installments, the first 14 days after the approval.
    expect(decided.arrangement!.installments.map((i) => [i.dueDate, i.amount])).toEqual([
      ['2026-03-15', '35.00'],
      ['2026-04-15', '35.00'],
      ['2026-05-15', '35.00'],
      ['2026-06-15', '35.00'],
      ['2026-07-15', '35.00'],
      ['2026-08-15', '35.00'],
    ]);
    expect(ledger.arrangementRequests.get(request.requestId)?.status).toBe('APPROVED');
    expect(ledger.audit.at(-1)).toMatchObject({ action: 'arrangement.created', actor: 'erin', details: { requestId: request.requestId } });
    expect((await listPendingArrangementRequests(deps, { limit: 50 })).items).toEqual([]);
  });

  it('a crash in the approval write leaves the request pending and no arrangement; the retry makes exactly one', async () => {
    const { deps, ledger } = setup();
    const request = requestOf(await ask(deps));
    const approve = () => decideArrangementRequest(deps, 'erin', { accountId: 'A1', requestId: request.requestId, decision: 'approve', reason: 'ok' });
    ledger.failNextCommit = new Error('connection reset');
    await expect(approve()).rejects.toThrow('connection reset');
    expect(ledger.arrangements.size).toBe(0);
    expect(ledger.arrangementRequests.get(request.requestId)?.status).toBe('PENDING');
    const first = await approve();
    const again = await approve();
    expect(again.request).toEqual(first.request);
    expect(again.arrangement?.arrangementId).toBe(first.arrangement?.arrangementId);
    expect(ledger.arrangements.size).toBe(1);
    await expect(decideArrangementRequest(deps, 'erin', { accountId: 'A1', requestId: request.requestId, decision: 'decline', reason: 'no' })).rejects.toThrow(ArrangementRequestDecided);
  });

  it('an approval racing another decision of the same request makes no arrangement', async () => {
    const { deps, ledger } = setup();
    const request = requestOf(await ask(deps));
    const stale = { ...deps, ledger: Object.assign(Object.create(ledger), { listArrangementRequests: async () => [request] }) as MemoryLedger };
    await decideArrangementRequest(deps, 'erin', { accountId: 'A1', requestId: request.requestId, decision: 'decline', reason: 'income not shown' });
    await expect(decideArrangementRequest(stale, 'frank', { accountId: 'A1', requestId: request.requestId, decision: 'approve', reason: 'ok' })).rejects.toThrow(LedgerWriteRefused);
    expect(ledger.arrangements.size).toBe(0);
    expect(ledger.arrangementRequests.get(request.requestId)?.status).toBe('DECLINED');
  });

  it('decline: recorded with the reason and audited; the customer may ask again', async () => {
    const { deps, ledger } = setup();
    const request = requestOf(await ask(deps));
    const decided = await decideArrangementRequest(deps, 'erin', { accountId: 'A1', requestId: request.requestId, decision: 'decline', reason: 'pay 50.00 first' });
    expect(decided).toMatchObject({ request: { status: 'DECLINED', decisionReason: 'pay 50.00 first' }, arrangement: null });
    expect(ledger.audit.at(-1)).toMatchObject({ action: 'arrangement-request.declined', actor: 'erin', details: { requestId: request.requestId, reason: 'pay 50.00 first' } });
    expect(ledger.arrangements.size).toBe(0);
    expect(requestOf(await ask(deps, 'k2')).status).toBe('PENDING');
  });

  it('approve refuses when an arrangement was made meanwhile, and leaves the request pending', async () => {
    const { deps, ledger } = setup();
    const request = requestOf(await ask(deps));
    const { arrangement } = await createArrangement(deps, 'dana', { accountId: 'A1', installments: 3, firstDueDate: '2026-03-15', reason: 'phone call' });
    await expect(decideArrangementRequest(deps, 'erin', { accountId: 'A1', requestId: request.requestId, decision: 'approve', reason: 'ok' })).rejects.toThrow(ArrangementExists);
    expect(ledger.arrangementRequests.get(request.requestId)?.status).toBe('PENDING');
    await cancelArrangement(deps, 'dana', { accountId: 'A1', arrangementId: arrangement.arrangementId, reason: 'mistake' });
    expect((await decideArrangementRequest(deps, 'erin', { accountId: 'A1', requestId: request.requestId, decision: 'approve', reason: 'ok' })).arrangement?.status).toBe('ACTIVE');
  });

  it('an unknown request is 404', async () => {
    const { deps } = setup();
    await expect(decideArrangementRequest(deps, 'erin', { accountId: 'A1', requestId: 'RQX', decision: 'approve', reason: 'ok' })).rejects.toThrow(ArrangementRequestNotFound);
  });
});
