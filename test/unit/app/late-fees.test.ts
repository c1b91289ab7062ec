import { createArrangement } from '../../../shared/app/payments/arrangements';
import { openDispute, closeDispute } from '../../../shared/app/payments/disputes';
import { reverseEntry } from '../../../shared/app/payments/adjust-ledger';
import { assessLateFees, assessLateFeesRequest } from '../../../shared/app/payments/late-fees';
import type { Account } from '../../../shared/domain/accounts';
import { RuleViolation } from '../../../shared/domain/errors';
import { DEFAULT_LATE_FEE_POLICY } from '../../../shared/domain/late-fees';
import { ledgerEntryForBill } from '../../../shared/domain/ledger';
import { clockAt, MemoryAccounts } from './fakes';
import { MemoryLedger } from './ledger-fakes';

const account: Account = { accountId: 'A1', customerId: 'C1', name: 'n', serviceAddress: 'a', cycle: 'C1', tariffId: 'T', status: 'ACTIVE', meterIds: [], shard: 1, createdAt: 't' };

function setup(now = '2026-03-01T17:00:00.000Z') {
  const ledger = new MemoryLedger();
  let ids = 0;
  const clock = { at: now };
  const deps = {
    ledger,
    accounts: new MemoryAccounts([account]),
    clock: { now: () => clockAt(clock.at).now() },
    newId: () => `E${++ids}`,
    timeZone: 'America/Denver',
    lateFeePolicy: DEFAULT_LATE_FEE_POLICY,
    arrangementGraceDays: 5,
    waitMs: 300,
    sleep: async () => undefined,
  };
  // 200.00 due 2026-02-01 and 100.00 due 2026-02-20: on 2026-03-01 the first is past the 5-day grace, the second too.
  ledger.entries.push(ledgerEntryForBill({ billId: 'B1', accountId: 'A1', total: '200.00', periodStart: '2025-12-01', periodEnd: '2025-12-31', dueDate: '2026-02-01', usage: { unit: 'gal' } }, '2026-01-10T00:00:00.000Z'));
  ledger.entries.push(ledgerEntryForBill({ billId: 'B2', accountId: 'A1', total: '100.00', periodStart: '2026-01-01', periodEnd: '2026-01-31', dueDate: '2026-02-20', usage: { unit: 'gal' } }, '2026-02-05T00:00:00.000Z'));
  return { deps, ledger, clock };
}

const fees = (ledger: MemoryLedger) => ledger.entries.filter((e) => e.kind === 'FEE').map((e) => [e.idempotencyKey, e.postings[0]!.amount]);

describe('assessLateFees', () => {
  it('posts one audited fee per past-due bill, and nothing more when run again', async () => {
    const { deps, ledger } = setup();
    const run = await assessLateFees(deps, 'A1', '2026-03-01');
    expect(run.posted.map((p) => [p.chargeEntryId, p.fee])).toEqual([['LEB1', '3.00'], ['LEB2', '1.50']]);
    expect(fees(ledger)).toEqual([['late-fee:LEB1', '3.00'], ['late-fee:LEB2', '1.50']]);
    expect(ledger.audit.map((a) => [a.action, a.actor, a.details['chargeEntryId']])).toEqual([['late-fee.assessed', 'collections', 'LEB1'], ['late-fee.assessed', 'collections', 'LEB2']]);
    const again = await assessLateFees(deps, 'A1', '2026-03-05');
    expect(again).toMatchObject({ posted: [], alreadyAssessed: ['LEB1', 'LEB2'] });
    expect(fees(ledger)).toHaveLength(2);
  });

  it('posts no second fee on a charge whose fee staff reversed', async () => {
    const { deps, ledger } = setup();
    const { posted } = await assessLateFees(deps, 'A1', '2026-03-01');
    await reverseEntry(deps, 'erin', { accountId: 'A1', entryId: posted[0]!.entryId, reason: 'waived' });
    const again = await assessLateFees(deps, 'A1', '2026-03-10');
    expect(again.posted).toEqual([]);
    expect(again.alreadyAssessed).toEqual(['LEB1', 'LEB2']);
    expect(ledger.entries.filter((e) => e.kind === 'FEE')).toHaveLength(2);
  });

  it('charges only the undisputed part of a bill, and nothing on a fully disputed one until the dispute closes', async () => {
    const { deps, ledger } = setup();
    const { dispute } = await openDispute(deps, 'dana', { accountId: 'A1', entryIds: ['LEB1'], reason: 'estimated read' });
    await openDispute(deps, 'dana', { accountId: 'A1', entryIds: ['LEB2'], amount: '60.00', reason: 'rate' });
    const run = await assessLateFees(deps, 'A1', '2026-03-01');
    expect(run.posted.map((p) => [p.chargeEntryId, p.pastDue, p.fee])).toEqual([['LEB2', '40.00', '0.60']]);
    expect(run.skipped).toContainEqual({ chargeEntryId: 'LEB1', reason: 'disputed' });
    await closeDispute(deps, 'dana', { accountId: 'A1', disputeId: dispute.disputeId, resolution: 'read confirmed' });
    expect((await assessLateFees(deps, 'A1', '2026-03-02')).posted.map((p) => p.chargeEntryId)).toEqual(['LEB1']);
    expect(fees(ledger)).toEqual([['late-fee:LEB2', '0.60'], ['late-fee:LEB1', '3.00']]);
  });

  it('charges nothing on charges an active arrangement covers, until it is broken', async () => {
    const { deps, ledger, clock } = setup();
    clock.at = '2026-02-24T17:00:00.000Z';
    await createArrangement(deps, 'dana', { accountId: 'A1', installments: 3, firstDueDate: '2026-03-01', reason: 'hardship' });
    clock.at = '2026-03-03T17:00:00.000Z';
    const protectedRun = await assessLateFees(deps, 'A1', '2026-03-03');
    expect(protectedRun.posted).toEqual([]);
    expect(protectedRun.skipped).toEqual([{ chargeEntryId: 'LEB1', reason: 'arrangement' }, { chargeEntryId: 'LEB2', reason: 'arrangement' }]);
    // The 03-01 installment is still unpaid on 03-07: broken, the protection is gone.
    clock.at = '2026-03-07T17:00:00.000Z';
    expect((await assessLateFees(deps, 'A1', '2026-03-07')).posted.map((p) => p.chargeEntryId)).toEqual(['LEB1', 'LEB2']);
    expect(fees(ledger)).toHaveLength(2);
  });

  it('answers a request once per Idempotency-Key and refuses a future day', async () => {
    const { deps } = setup();
    const first = await assessLateFeesRequest(deps, 'bill', { accountId: 'A1', idempotencyKey: 'k1' });
    expect(first.statusCode).toBe(200);
    expect((first.body as { asOf: string; posted: unknown[] })).toMatchObject({ asOf: '2026-03-01', posted: [{ chargeEntryId: 'LEB1' }, { chargeEntryId: 'LEB2' }] });
    expect(await assessLateFeesRequest(deps, 'bill', { accountId: 'A1', idempotencyKey: 'k1' })).toEqual(first);
    await expect(assessLateFeesRequest(deps, 'bill', { accountId: 'A1', idempotencyKey: 'k2', asOf: '2026-03-02' })).rejects.toThrow(RuleViolation);
  });
});
