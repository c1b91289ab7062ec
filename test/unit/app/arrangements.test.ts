import { cancelArrangement, createArrangement, getMyArrangement } from '../../../shared/app/payments/arrangements';
import { ArrangementExists, ArrangementNotActive, ArrangementNotFound, LedgerWriteRefused } from '../../../shared/app/payments/errors';
import { postCounterPayment } from '../../../shared/app/payments/post-payment';
import { returnPayment } from '../../../shared/app/payments/return-payment';
import type { Account } from '../../../shared/domain/accounts';
import { Forbidden, RuleViolation } from '../../../shared/domain/errors';
import { ledgerEntryForBill } from '../../../shared/domain/ledger';
import type { Payment } from '../../../shared/domain/payments';
import { clockAt, MemoryAccounts } from './fakes';
import { MemoryLedger, RecordingProvider } from './ledger-fakes';

const account = (accountId: string, customerId: string): Account => ({ accountId, customerId, name: 'n', serviceAddress: 'a', cycle: 'C1', tariffId: 'T', status: 'ACTIVE', meterIds: [], shard: 1, createdAt: 't' });

function setup(now = '2026-03-01T17:00:00.000Z') {
  const ledger = new MemoryLedger();
  let ids = 0;
  const clock = { at: now };
  const deps = {
    ledger,
    accounts: new MemoryAccounts([account('A1', 'C1'), account('A2', 'C2')]),
    provider: new RecordingProvider(),
    clock: { now: () => clockAt(clock.at).now() },
    newId: () => `E${++ids}`,
    timeZone: 'America/Denver',
    returnedPaymentFee: '25.00',
    arrangementGraceDays: 5,
    waitMs: 300,
    sleep: async () => undefined,
  };
  // Water 120.00 due 2026-02-15 and electric 90.00 due 2026-02-20: 210.00 open.
  ledger.entries.push(ledgerEntryForBill({ billId: 'B1', accountId: 'A1', total: '120.00', periodStart: '2026-01-01', periodEnd: '2026-01-31', dueDate: '2026-02-15', usage: { unit: 'gal' } }, '2026-01-25T00:00:00.000Z'));
  ledger.entries.push(ledgerEntryForBill({ billId: 'B2', accountId: 'A1', total: '90.00', periodStart: '2026-01-01', periodEnd: '2026-01-31', dueDate: '2026-02-20', usage: { unit: 'kWh' } }, '2026-01-30T00:00:00.000Z'));
  return { deps, ledger, clock };
}

const plan = { accountId: 'A1', installments: 3, firstDueDate: '2026-03-15', reason: 'hardship' };
const counter = (deps: ReturnType<typeof setup>['deps'], key: string, amount: string, service?: 'water' | 'electric') => postCounterPayment(deps, 'dana', { accountId: 'A1', idempotencyKey: key, amount, method: 'CASH', service });

describe('payment arrangements', () => {
  it('cover every open charge, split into whole-cent installments, audited in the same write', async () => {
    const { deps, ledger } = setup();
    const { arrangement } = await createArrangement(deps, 'dana', { ...plan, downPayment: '10.00' });
    expect(arrangement).toMatchObject({ status: 'ACTIVE', amount: '210.00', downPayment: '10.00', coveredCharges: ['LEB1', 'LEB2'], graceDays: 5, createdBy: 'dana' });
    expect(arrangement.installments).toEqual([
      { number: 0, dueDate: '2026-03-01', amount: '10.00' },
      { number: 1, dueDate: '2026-03-15', amount: '66.66' },
      { number: 2, dueDate: '2026-04-15', amount: '66.66' },
      { number: 3, dueDate: '2026-05-15', amount: '66.68' },
    ]);
    expect(arrangement.tracking).toMatchObject({ state: 'on-track', paid: '0.00', remaining: '210.00' });
    expect(ledger.audit.map((a) => [a.action, a.actor, a.details['arrangementId']])).toEqual([['arrangement.created', 'dana', arrangement.arrangementId]]);
    expect(ledger.entries).toHaveLength(2);
  });

  it('refuse a second arrangement while one is running, and one for an account that owes nothing', async () => {
    const { deps, ledger } = setup();
    await createArrangement(deps, 'dana', plan);
    await expect(createArrangement(deps, 'dana', plan)).rejects.toThrow(ArrangementExists);
    await expect(createArrangement(deps, 'dana', { ...plan, accountId: 'A2' })).rejects.toThrow(RuleViolation);
    expect(ledger.arrangements.size).toBe(1);
  });

  it('refuse a write when another change to the arrangements happened after the checks', async () => {
    const { deps, ledger } = setup();
    const version = ledger.arrangementGuards.get('A1') ?? 0;
    const racing = { ...deps, ledger: Object.assign(Object.create(ledger), { arrangementGuardVersion: async () => version }) as MemoryLedger };
    await createArrangement(deps, 'dana', plan);
    await cancelArrangement(deps, 'dana', { accountId: 'A1', arrangementId: [...ledger.arrangements.keys()][0]!, reason: 'r' });
    await expect(createArrangement(racing, 'erin', plan)).rejects.toThrow(LedgerWriteRefused);
    expect(ledger.arrangements.size).toBe(1);
  });

  it('take payments to the installments first, covered charges first, and track them', async () => {
    const { deps, ledger, clock } = setup();
    // A newer bill, not covered by the arrangement.
    const { arrangement } = await createArrangement(deps, 'dana', plan);
    ledger.entries.push(ledgerEntryForBill({ billId: 'B3', accountId: 'A1', total: '40.00', periodStart: '2026-02-01', periodEnd: '2026-02-28', dueDate: '2026-03-20', usage: { unit: 'gal' } }, '2026-03-01T18:00:00.000Z'));
    clock.at = '2026-03-02T17:00:00.000Z';
    const first = (await counter(deps, 'p1', '100.00', 'water')).body as { payment: Payment };
    expect(first.payment.arrangement).toEqual({ arrangementId: arrangement.arrangementId, amount: '100.00' });
    // Water's covered 120.00 first (oldest covered charge of the named service), nothing to the new water bill.
    expect(first.payment.allocations).toEqual([{ service: 'water', amount: '100.00' }]);
    clock.at = '2026-04-17T17:00:00.000Z';
    const second = (await counter(deps, 'p2', '150.00')).body as { payment: Payment };
    expect(second.payment.arrangement).toEqual({ arrangementId: arrangement.arrangementId, amount: '110.00' });
    const mine = await getMyArrangement(deps, 'C1', 'A1');
    expect(mine.arrangement?.tracking).toMatchObject({ state: 'kept', paid: '210.00', remaining: '0.00' });
    // A returned payment no longer counts: the arrangement is behind again, and broken after the grace.
    await returnPayment(deps, { paymentId: second.payment.paymentId, reason: 'NSF', actor: 'erin' });
    expect((await getMyArrangement(deps, 'C1', 'A1')).arrangement?.tracking).toMatchObject({ state: 'behind', paid: '100.00', overdue: [{ number: 2, dueDate: '2026-04-15', unpaid: '40.00' }] });
    clock.at = '2026-04-21T17:00:00.000Z';
    expect((await getMyArrangement(deps, 'C1', 'A1')).arrangement?.tracking.state).toBe('broken');
  });

  it('recompute the share when another payment to the arrangement committed first, so the shares never pass its amount', async () => {
    const { deps, ledger } = setup();
    const { arrangement } = await createArrangement(deps, 'dana', plan);
    const commit = ledger.commit.bind(ledger);
    let raced = false;
    ledger.commit = async (write) => {
      if (!raced && write.payment) {
        raced = true;
        await counter(deps, 'p2', '200.00');
      }
      return commit(write);
    };
    const p1 = ((await counter(deps, 'p1', '50.00')).body as { payment: Payment }).payment;
    expect(p1.arrangement).toEqual({ arrangementId: arrangement.arrangementId, amount: '10.00' });
    const shares = [...ledger.payments.values()].map((p) => p.arrangement?.amount);
    expect(shares.sort()).toEqual(['10.00', '200.00']);
    expect(ledger.entries.filter((e) => e.kind === 'PAYMENT')).toHaveLength(2);
  });

  it('close a kept or broken arrangement as such when a new one is made, in the same write', async () => {
    const { deps, ledger, clock } = setup();
    const { arrangement } = await createArrangement(deps, 'dana', plan);
    clock.at = '2026-03-25T17:00:00.000Z';
    const next = await createArrangement(deps, 'erin', { ...plan, firstDueDate: '2026-04-01' });
    expect(ledger.arrangements.get(arrangement.arrangementId)).toMatchObject({ status: 'BROKEN', closedBy: 'erin' });
    expect(next.arrangement.status).toBe('ACTIVE');
    expect(ledger.audit.map((a) => a.action)).toEqual(['arrangement.created', 'arrangement.broken', 'arrangement.created']);
  });

  it('cancel an ACTIVE arrangement once, audited; payments then go oldest first again', async () => {
    const { deps, ledger } = setup();
    const { arrangement } = await createArrangement(deps, 'dana', plan);
    const { arrangement: cancelled } = await cancelArrangement(deps, 'erin', { accountId: 'A1', arrangementId: arrangement.arrangementId, reason: 'customer asked' });
    expect(cancelled).toMatchObject({ status: 'CANCELLED', closedBy: 'erin', closeReason: 'customer asked' });
    await expect(cancelArrangement(deps, 'erin', { accountId: 'A1', arrangementId: arrangement.arrangementId, reason: 'again' })).rejects.toThrow(ArrangementNotActive);
    await expect(cancelArrangement(deps, 'erin', { accountId: 'A1', arrangementId: 'AR-nope', reason: 'x' })).rejects.toThrow(ArrangementNotFound);
    const payment = ((await counter(deps, 'p1', '10.00')).body as { payment: Payment }).payment;
    expect(payment.arrangement).toBeUndefined();
    expect(ledger.audit.map((a) => a.action)).toEqual(['arrangement.created', 'arrangement.cancelled', 'payment.posted']);
  });

  it('show customers only their own account\'s arrangement, null when there is none', async () => {
    const { deps } = setup();
    expect(await getMyArrangement(deps, 'C1', 'A1')).toEqual({ accountId: 'A1', arrangement: null });
    await createArrangement(deps, 'dana', plan);
    await expect(getMyArrangement(deps, 'C2', 'A1')).rejects.toThrow(Forbidden);
    await expect(getMyArrangement(deps, 'C1', 'A9')).rejects.toThrow(Forbidden);
  });
});
