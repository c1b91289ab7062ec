import { billSegment } from '../../../shared/app/bill-segment';
import { TransientStoreError } from '../../../shared/app/errors';
import { applyBudgetBilling, budgetBillingHook, changeMyBudget, enrollBudget, getBudget, unenrollBudget } from '../../../shared/app/payments/budget';
import { BudgetAlreadyActive, BudgetNotActive } from '../../../shared/app/payments/errors';
import { demoTariffs } from '../../../shared/app/seed-demo';
import type { Account } from '../../../shared/domain/accounts';
import type { Agreement } from '../../../shared/domain/customers/model';
import { Forbidden, RuleViolation } from '../../../shared/domain/errors';
import { accountBalance, ledgerEntryForBill } from '../../../shared/domain/ledger';
import { Money } from '../../../shared/domain/money';
import type { TariffDocument } from '../../../shared/domain/rating/schema';
import { mergeDay } from '../../../shared/domain/reads';
import { shardOf } from '../../../shared/domain/segments';
import { clockAt, MemoryAccounts, MemoryAgreements, MemoryBills, MemoryMeters, MemoryReads, MemoryTariffs, silentLogger } from './fakes';
import { MemoryLedger } from './ledger-fakes';

const account = (accountId: string): Account => ({ accountId, customerId: 'C1', name: 'n', serviceAddress: 'a', cycle: 'C1', tariffId: 'ELEC-RES', status: 'ACTIVE', meterIds: [], shard: shardOf(accountId), createdAt: 't' });

function setup(now = '2026-01-02T17:00:00.000Z') {
  const ledger = new MemoryLedger();
  let ids = 0;
  const clock = { at: now };
  const deps = { ledger, accounts: new MemoryAccounts([account('A1')]), clock: { now: () => clockAt(clock.at).now() }, newId: () => `E${++ids}`, timeZone: 'America/Denver', dueDays: 21, recalculateEveryBills: 3 };
  return { deps, ledger, clock };
}

let month = 0;
/** Issues a bill of `total` on `day` (as billing would: the BILL entry), then applies budget billing to it. */
async function billAndApply(ctx: ReturnType<typeof setup>, day: string, total: string, finalBill = false) {
  const billId = `B${++month}`;
  ctx.clock.at = `${day}T15:00:00.000Z`;
  ctx.ledger.entries.push(ledgerEntryForBill({ billId, accountId: 'A1', total, periodStart: day, periodEnd: day, dueDate: `${day.slice(0, 8)}28`, usage: { unit: 'kWh' } }, `${day}T14:00:00.000Z`));
  return { billId, result: await applyBudgetBilling(ctx.deps, { accountId: 'A1', billId, finalBill, actor: 'budget-billing' }) };
}

describe('budget billing over a year', () => {
  beforeEach(() => {
    month = 0;
  });

  it('needs an amount without bills; the customer owes the levelized amount each month; the anniversary trues up what billed usage ran ahead', async () => {
    const ctx = setup();
    await expect(enrollBudget(ctx.deps, 'csr1', { accountId: 'A1' })).rejects.toThrow(RuleViolation);
    const enrolled = await enrollBudget(ctx.deps, 'csr1', { accountId: 'A1', levelizedAmount: '100.00' });
    expect(enrolled.plan).toMatchObject({ status: 'ACTIVE', levelizedAmount: '100.00', basis: 'staff', anniversary: '2027-01-02' });
    await expect(enrollBudget(ctx.deps, 'csr1', { accountId: 'A1' })).rejects.toThrow(BudgetAlreadyActive);

    const first = await billAndApply(ctx, '2026-02-01', '160.00');
    expect(first.result).toMatchObject({ applied: true, trueUp: null, levelizedAmount: '100.00' });
    expect(await applyBudgetBilling(ctx.deps, { accountId: 'A1', billId: first.billId, finalBill: false, actor: 'x' })).toEqual({ applied: false, reason: 'already-applied' });
    expect(await getBudget(ctx.deps, 'A1')).toMatchObject({ deferredBalance: '60.00', balance: '100.00', trueBalance: '160.00' });
    await billAndApply(ctx, '2026-03-01', '40.00');
    expect(await getBudget(ctx.deps, 'A1')).toMatchObject({ deferredBalance: '0.00', balance: '200.00' });
    // The third bill recalculates: average of 160, 40, 130 = 110 plus deferred 30 / 12 = 2.50 -> 112.50 -> 113.00.
    const third = await billAndApply(ctx, '2026-04-01', '130.00');
    expect(third.result).toMatchObject({ applied: true, levelizedAmount: '113.00' });
    expect((await getBudget(ctx.deps, 'A1')).plan).toMatchObject({ basis: 'history', billsConsidered: 3, billsSinceCalculation: 0 });
    // The first bill on or after the anniversary trues up: this bill's difference plus the year's.
    const anniversary = await billAndApply(ctx, '2027-01-05', '150.00');
    expect(anniversary.result).toMatchObject({ applied: true, trueUp: 'anniversary' });
    const trueUp = ctx.ledger.entries.find((e) => e.kind === 'BUDGET_TRUE_UP')!;
    // Deferred: +60 - 60 + 30 (130 vs 100: the new amount counts from the next bill) + 37 (150 vs 113) = 67 owed.
    expect(trueUp.postings[0]).toEqual({ ledgerAccount: 'ACCOUNTS_RECEIVABLE', side: 'debit', amount: '67.00' });
    const view = await getBudget(ctx.deps, 'A1');
    expect(view).toMatchObject({ deferredBalance: '0.00', plan: { trueUps: 1, anniversary: '2028-01-02', status: 'ACTIVE' } });
    // The true receivable never changed: the sum of the bills.
    expect(view.balance).toBe('480.00');
  });

  it('the final bill trues up a deferred credit and ends the plan; unenrolling trues up too', async () => {
    const ctx = setup();
    await enrollBudget(ctx.deps, 'csr1', { accountId: 'A1', levelizedAmount: '100.00' });
    await billAndApply(ctx, '2026-02-01', '70.00');
    const final = await billAndApply(ctx, '2026-03-01', '50.00', true);
    expect(final.result).toMatchObject({ applied: true, trueUp: 'final-bill' });
    const trueUp = ctx.ledger.entries.find((e) => e.kind === 'BUDGET_TRUE_UP')!;
    expect(trueUp.postings).toEqual([
      { ledgerAccount: 'DEFERRED_BALANCE', side: 'debit', amount: '80.00' },
      { ledgerAccount: 'ACCOUNTS_RECEIVABLE', side: 'credit', amount: '80.00' },
    ]);
    expect(await getBudget(ctx.deps, 'A1')).toMatchObject({ plan: { status: 'ENDED', endReason: 'final-bill' }, deferredBalance: '0.00', balance: '120.00' });
    expect(await billAndApply(ctx, '2026-04-01', '10.00')).toMatchObject({ result: { applied: false, reason: 'not-enrolled' } });
    await expect(unenrollBudget(ctx.deps, 'csr1', { accountId: 'A1' })).rejects.toThrow(BudgetNotActive);

    // Enrolled again from the portal (amount from the bills), then ended there: the true-up posts a charge.
    const again = await changeMyBudget(ctx.deps, 'C1', 'A1', 'enroll');
    expect(again.plan).toMatchObject({ status: 'ACTIVE', basis: 'history', levelizedAmount: '44.00', enrolledBy: 'portal:C1' });
    await billAndApply(ctx, '2026-05-01', '64.00');
    const ended = await changeMyBudget(ctx.deps, 'C1', 'A1', 'unenroll');
    expect(ended).toMatchObject({ plan: { status: 'ENDED', endReason: 'unenrolled' }, deferredBalance: '0.00' });
    expect(ctx.ledger.entries.filter((e) => e.kind === 'BUDGET_TRUE_UP').at(-1)!.postings[0]).toEqual({ ledgerAccount: 'ACCOUNTS_RECEIVABLE', side: 'debit', amount: '20.00' });
    await expect(changeMyBudget(ctx.deps, 'C9', 'A1', 'enroll')).rejects.toThrow(Forbidden);
  });

  it('a bill issued before the enrollment is left alone', async () => {
    const ctx = setup('2026-03-01T17:00:00.000Z');
    ctx.ledger.entries.push(ledgerEntryForBill({ billId: 'OLD', accountId: 'A1', total: '90.00', periodStart: '2026-01-01', periodEnd: '2026-01-31', dueDate: '2026-02-21', usage: { unit: 'kWh' } }, '2026-02-01T00:00:00.000Z'));
    await enrollBudget(ctx.deps, 'csr1', { accountId: 'A1' });
    expect(await applyBudgetBilling(ctx.deps, { accountId: 'A1', billId: 'OLD', finalBill: false, actor: 'x' })).toEqual({ applied: false, reason: 'billed-before-enrollment' });
  });
});

describe('budget billing from the billing segment', () => {
  const ZONE = 'America/Denver';
  const [electric] = demoTariffs(ZONE) as [TariffDocument];
  const accountId = 'A0001';
  const agreement: Agreement = { agreementId: 'G1', accountId, customerId: 'C1', premiseId: 'P1', servicePointId: 'P1-ELECTRIC', serviceType: 'electric', serviceClass: 'RESIDENTIAL', tariffId: electric.tariffId, cycle: 'C1', status: 'ACTIVE', startDate: '2025-01-01', meterId: 'M1', finalBill: false, createdAt: 't', recordVersion: 1 };
  const input = { runId: 'run-1', cycle: 'C1', periodStart: '2026-01-01', periodEnd: '2026-01-31', segment: { segmentIndex: 0, shardFrom: 0, shardTo: 1023 } };

  async function segmentDeps() {
    const reads = new MemoryReads();
    const meter = { meterId: 'M1', accountId, unit: 'kWh' as const, status: 'ACTIVE' as const, multiplier: 1 };
    const merged = mergeDay(undefined, meter, '2026-01-15', [{ startEpochSec: Date.UTC(2026, 0, 15, 7) / 1000, durationSec: 3600, quantityMicro: 100_000_000, quality: 'A' }], { at: 'x', by: 'mqtt' });
    await reads.saveDay(merged.day, undefined);
    const bills = new MemoryBills();
    const ledger = new MemoryLedger();
    const accounts = new MemoryAccounts([{ ...account(accountId), meterIds: ['M1'] }]);
    const budget = { ledger, accounts, clock: clockAt('2026-02-01T08:00:00Z'), timeZone: ZONE, newId: () => `E${Math.random()}` };
    const log = silentLogger();
    const hook = budgetBillingHook({ ...budget, log }, 'budget-billing');
    // The bill store writes the bill's ledger entry; the ledger fake reads the same entries.
    const afterIssue = async (issued: Parameters<typeof hook>[0]) => {
      for (const entry of bills.ledger) if (!ledger.entries.includes(entry)) ledger.entries.push(entry);
      return hook(issued);
    };
    const deps = { accounts, agreements: new MemoryAgreements([agreement], bills), meters: new MemoryMeters([meter]), reads, tariffs: new MemoryTariffs([electric]), bills, clock: clockAt('2026-02-01T08:00:00Z'), log, timeZone: ZONE, afterIssue };
    return { deps, ledger, budget, bills };
  }

  it('a crash between the bill and its budget entry is repaired by the re-run, which applies it once', async () => {
    const { deps, ledger, budget, bills } = await segmentDeps();
    ledger.budgets.set(accountId, { accountId, status: 'ACTIVE', levelizedAmount: '10.00', basis: 'staff', billsConsidered: 0, enrolledAt: '2026-01-01T00:00:00.000Z', enrolledBy: 'csr1', anniversary: '2027-01-01', billsSinceCalculation: 0, trueUps: 0, version: 1 });
    // The budget write fails after the bill was written (a store failure: the state machine retries the segment).
    ledger.failNextCommit = new TransientStoreError('the budget write was cut off');
    await expect(billSegment(deps, input)).rejects.toThrow('the budget write was cut off');
    expect(bills.bills.size).toBe(1);
    expect(ledger.entries.filter((e) => e.kind === 'BUDGET')).toHaveLength(0);
    // The state machine retries the segment: the bill exists (not issued again), its budget entry is posted now.
    expect(await billSegment(deps, input)).toMatchObject({ billed: 1, failed: 0 });
    expect(await billSegment(deps, input)).toMatchObject({ billed: 1, failed: 0 });
    expect(bills.ledger).toHaveLength(1);
    expect(ledger.entries.filter((e) => e.kind === 'BUDGET')).toHaveLength(1);
    const view = await getBudget(budget, accountId);
    expect(view.balance).toBe('10.00');
    expect(new Money(view.trueBalance).minus(view.deferredBalance).toFixed(2)).toBe('10.00');
    expect(new Money(view.trueBalance).toFixed(2)).toBe(bills.ledger[0]!.postings[0]!.amount);
  });

  it('logs an account whose budget entry fails unexpectedly without failing the segment; a re-run applies it', async () => {
    const { deps, ledger } = await segmentDeps();
    ledger.budgets.set(accountId, { accountId, status: 'ACTIVE', levelizedAmount: '10.00', basis: 'staff', billsConsidered: 0, enrolledAt: '2026-01-01T00:00:00.000Z', enrolledBy: 'csr1', anniversary: '2027-01-01', billsSinceCalculation: 0, trueUps: 0, version: 1 });
    ledger.failNextCommit = new Error('unexpected');
    expect(await billSegment(deps, input)).toMatchObject({ billed: 1, failed: 0 });
    expect(deps.log.lines.some((line) => line.message === 'budget billing not applied')).toBe(true);
    expect(ledger.entries.filter((e) => e.kind === 'BUDGET')).toHaveLength(0);
    await billSegment(deps, input);
    expect(ledger.entries.filter((e) => e.kind === 'BUDGET')).toHaveLength(1);
  });

  it('does nothing for accounts that are not enrolled', async () => {
    const { deps, ledger } = await segmentDeps();
    expect(await billSegment(deps, input)).toMatchObject({ billed: 1 });
    expect(ledger.entries.filter((e) => e.kind === 'BUDGET')).toHaveLength(0);
    expect(accountBalance(ledger.entries, '2026-02-01').balance).not.toBe('0.00');
  });
});
