import { creditHistoryDepositPolicy } from '../../../shared/app/payments/deposit-policy';
import { accrueDepositInterest, getMyDeposits, listDeposits, refundDeposit, requireDeposit } from '../../../shared/app/payments/deposits';
import { DepositNotHeld, DepositNotRefundable } from '../../../shared/app/payments/errors';
import { postCounterPayment } from '../../../shared/app/payments/post-payment';
import type { Account } from '../../../shared/domain/accounts';
import type { AccountRecord, CustomerRecord } from '../../../shared/domain/customers/model';
import type { ServiceOrder } from '../../../shared/domain/customers/service-orders';
import { depositRulesWith } from '../../../shared/domain/deposits';
import { RuleViolation } from '../../../shared/domain/errors';
import { Forbidden } from '../../../shared/domain/errors';
import { accountBalance, feeEntry, ledgerEntryForBill } from '../../../shared/domain/ledger';
import { Money } from '../../../shared/domain/money';
import { clockAt, MemoryAccounts } from './fakes';
import { MemoryLedger, RecordingProvider } from './ledger-fakes';

const account = (accountId: string, status: Account['status'] = 'ACTIVE'): Account => ({ accountId, customerId: 'C1', name: 'n', serviceAddress: 'a', cycle: 'C1', tariffId: 'T', status, meterIds: [], shard: 1, createdAt: 't' });
const rules = depositRulesWith({ annualInterestPercent: '2.0', refundAfterMonths: 12, dueDays: 21 });

function setup(now = '2026-01-10T17:00:00.000Z', accounts = [account('A1')]) {
  const ledger = new MemoryLedger();
  let ids = 0;
  const clock = { at: now };
  const deps = {
    ledger,
    accounts: new MemoryAccounts(accounts),
    provider: new RecordingProvider(),
    clock: { now: () => clockAt(clock.at).now() },
    newId: () => `E${++ids}`,
    timeZone: 'America/Denver',
    depositRules: rules,
    decisionOf: async (accountId: string) => (accountId === 'A1' ? { required: true, amount: '180.00', reason: 'returned-payments' } : undefined),
    disconnections: async () => [] as string[],
    waitMs: 300,
    sleep: async () => undefined,
  };
  return { deps, ledger, clock };
}

async function billed(deps: ReturnType<typeof setup>['deps'], amount?: string) {
  const outcome = await requireDeposit(deps, 'csr1', { accountId: 'A1', idempotencyKey: 'dep-1', action: 'require', reason: 'returned payments', ...(amount ? { amount } : {}) });
  return (outcome.body as { deposit: { depositId: string; entryId: string } }).deposit;
}

describe('requireDeposit', () => {
  it('bills the activation decision as a DEPOSIT charge with its audit event; a retry with the key posts nothing more', async () => {
    const { deps, ledger } = setup();
    const first = await requireDeposit(deps, 'csr1', { accountId: 'A1', idempotencyKey: 'dep-1', action: 'require', reason: 'returned payments' });
    const again = await requireDeposit(deps, 'csr1', { accountId: 'A1', idempotencyKey: 'dep-1', action: 'require', reason: 'returned payments' });
    expect(again).toEqual(first);
    expect(first.body).toMatchObject({ deposit: { status: 'BILLED', amount: '180.00', dueDate: '2026-01-31' } });
    expect(ledger.entries.map((e) => [e.kind, e.postings[0]!.amount])).toEqual([['DEPOSIT', '180.00']]);
    expect(ledger.audit.map((a) => a.action)).toEqual(['deposit.billed']);
    expect(accountBalance(ledger.entries, '2026-01-10')).toMatchObject({ balance: '180.00', byService: { deposit: '180.00' } });
  });

  it('waives without any ledger effect; refuses to bill without an amount when the activation required none', async () => {
    const { deps, ledger } = setup('2026-01-10T17:00:00.000Z', [account('A1'), account('A2')]);
    const waived = await requireDeposit(deps, 'csr1', { accountId: 'A1', idempotencyKey: 'w', action: 'waive', reason: 'letter of credit' });
    expect(waived.body).toMatchObject({ deposit: { status: 'WAIVED', amount: '0.00' } });
    await expect(requireDeposit(deps, 'csr1', { accountId: 'A2', idempotencyKey: 'x', action: 'require', reason: 'r' })).rejects.toThrow(RuleViolation);
    expect(ledger.entries).toHaveLength(0);
  });
});

describe('deposit interest and refund', () => {
  it('accrues interest per complete month once, and a re-run posts nothing twice', async () => {
    const { deps, ledger, clock } = setup();
    const deposit = await billed(deps, '200.00');
    await postCounterPayment(deps, 'csr1', { accountId: 'A1', idempotencyKey: 'pay-1', amount: '200.00', method: 'CASH' });
    clock.at = '2026-03-15T17:00:00.000Z';
    const run = await accrueDepositInterest(deps, 'billing1', { asOf: '2026-03-15' });
    // January 10..31 (22 days) and February (28 days) at 2% on 200.00; March is not complete yet.
    expect(run.posted).toEqual([
      { accountId: 'A1', depositId: deposit.depositId, month: '2026-01', amount: '0.24' },
      { accountId: 'A1', depositId: deposit.depositId, month: '2026-02', amount: '0.31' },
    ]);
    const again = await accrueDepositInterest(deps, 'billing1', { asOf: '2026-03-15' });
    expect(again.posted).toEqual([]);
    expect(ledger.entries.filter((e) => e.kind === 'DEPOSIT_INTEREST')).toHaveLength(2);
    expect(ledger.deposits.get(deposit.depositId)?.interestThrough).toBe('2026-02-28');
    // The receivable is untouched by interest.
    expect(accountBalance(ledger.entries, '2026-03-15').balance).toBe('0.00');
    const view = await listDeposits(deps, 'A1');
    expect(view.deposits[0]).toMatchObject({ held: '200.00', unpaid: '0.00', interestPosted: '0.55', refundEligibility: { eligible: false, blockers: ['too-soon'], eligibleOn: '2027-01-10' } });
  });

  it('refuses a refund before good standing, then refunds it with its interest to the open bill first, the rest as a credit', async () => {
    const { deps, ledger, clock } = setup();
    const deposit = await billed(deps, '200.00');
    await postCounterPayment(deps, 'csr1', { accountId: 'A1', idempotencyKey: 'pay-1', amount: '200.00', method: 'CASH' });
    clock.at = '2026-06-01T17:00:00.000Z';
    await expect(refundDeposit(deps, 'csr1', { accountId: 'A1', depositId: deposit.depositId, idempotencyKey: 'r1', reason: 'asked' })).rejects.toThrow(DepositNotRefundable);
    ledger.entries.push(ledgerEntryForBill({ billId: 'B1', accountId: 'A1', total: '150.00', periodStart: '2026-12-01', periodEnd: '2026-12-31', dueDate: '2027-01-25', usage: { unit: 'gal' } }, '2027-01-04T00:00:00.000Z'));
    clock.at = '2027-01-11T17:00:00.000Z';
    const outcome = await refundDeposit(deps, 'csr1', { accountId: 'A1', depositId: deposit.depositId, idempotencyKey: 'r2', reason: 'good standing' });
    const body = outcome.body as { deposit: { status: string; refund: Record<string, string> } };
    // 2026-01-10 .. 2027-01-10 on 200.00 at 2%, rounded per month: 0.24 + 0.31 + 0.34 + 0.33 + 0.34 + 0.33 + 0.34 + 0.34 + 0.33 + 0.34 + 0.33 + 0.34 + 0.11 = 4.02.
    expect(body.deposit).toMatchObject({ status: 'REFUNDED', refund: { principal: '200.00', interest: '4.02', appliedToBalance: '150.00', credited: '54.02', refunded: '0.00', cancelledUnpaid: '0.00' } });
    expect(ledger.entries.filter((e) => e.kind === 'DEPOSIT_INTEREST').map((e) => e.postings[0]!.amount)).toEqual(['0.24', '0.31', '0.34', '0.33', '0.34', '0.33', '0.34', '0.34', '0.33', '0.34', '0.33', '0.34', '0.11']);
    expect(accountBalance(ledger.entries, '2027-01-11')).toMatchObject({ balance: '-54.02', pastDue: '0.00' });
    const held = ledger.entries.flatMap((e) => e.postings.filter((p) => p.ledgerAccount === 'DEPOSITS_HELD')).reduce((sum, p) => (p.side === 'credit' ? sum.plus(p.amount) : sum.minus(p.amount)), new Money(0));
    expect(held.toFixed(2)).toBe('0.00');
    await expect(refundDeposit(deps, 'csr1', { accountId: 'A1', depositId: deposit.depositId, idempotencyKey: 'r3', reason: 'again' })).rejects.toThrow(DepositNotHeld);
  });

  it('a late payment in the last 12 months blocks the refund; staff may force it and pay out the rest', async () => {
    const { deps, ledger, clock } = setup();
    const deposit = await billed(deps, '100.00');
    await postCounterPayment(deps, 'csr1', { accountId: 'A1', idempotencyKey: 'pay-1', amount: '100.00', method: 'CASH' });
    ledger.entries.push(feeEntry({ accountId: 'A1', amount: new Money('5.00'), postedAt: '2026-09-01T00:00:00.000Z', idempotencyKey: 'late-fee:LEB1', description: 'late', actor: 'collections' }));
    clock.at = '2027-02-01T17:00:00.000Z';
    await expect(refundDeposit(deps, 'csr1', { accountId: 'A1', depositId: deposit.depositId, idempotencyKey: 'r1', reason: 'asked' })).rejects.toThrow(/late-payments/);
    const outcome = await refundDeposit(deps, 'csr1', { accountId: 'A1', depositId: deposit.depositId, idempotencyKey: 'r2', reason: 'supervisor approved', force: true, remainder: 'refund' });
    const refund = (outcome.body as { deposit: { refund: Record<string, string> } }).deposit.refund;
    expect(refund).toMatchObject({ principal: '100.00', appliedToBalance: '5.00', refunded: new Money(refund['principal']!).plus(refund['interest']!).minus('5.00').toFixed(2), credited: '0.00' });
    expect(ledger.entries.filter((e) => e.kind === 'REFUND')).toHaveLength(1);
    expect(accountBalance(ledger.entries, '2027-02-01').balance).toBe('0.00');
    expect(ledger.audit.find((a) => a.action === 'deposit.refunded')?.details).toMatchObject({ forced: true });
  });

  it('an inactive (moved-out) account gets the deposit applied to its final bill at once; an unpaid part is cancelled', async () => {
    const { deps, ledger, clock } = setup('2026-01-10T17:00:00.000Z', [account('A1', 'INACTIVE')]);
    const deposit = await billed(deps, '200.00');
    await postCounterPayment(deps, 'csr1', { accountId: 'A1', idempotencyKey: 'pay-1', amount: '80.00', method: 'CASH' });
    ledger.entries.push(ledgerEntryForBill({ billId: 'BF', accountId: 'A1', total: '95.00', periodStart: '2026-01-10', periodEnd: '2026-01-31', dueDate: '2026-02-21', usage: { unit: 'gal' } }, '2026-02-01T00:00:00.000Z'));
    clock.at = '2026-02-02T17:00:00.000Z';
    const outcome = await refundDeposit(deps, 'csr1', { accountId: 'A1', depositId: deposit.depositId, idempotencyKey: 'r1', reason: 'final bill' });
    expect((outcome.body as { deposit: { refund: Record<string, string> } }).deposit.refund).toMatchObject({ principal: '80.00', cancelledUnpaid: '120.00', appliedToBalance: expect.any(String) });
    // 200 deposit + 95 bill - 80 paid - 120 cancelled - (80 + interest) returned = 15 - interest.
    const balance = new Money(accountBalance(ledger.entries, '2026-02-02').balance);
    const interest = ledger.entries.filter((e) => e.kind === 'DEPOSIT_INTEREST').reduce((sum, e) => sum.plus(e.postings[0]!.amount), new Money(0));
    expect(balance.plus(interest).toFixed(2)).toBe('15.00');
  });

  it('the portal shows a customer their own deposits only', async () => {
    const { deps } = setup();
    await billed(deps, '50.00');
    expect((await getMyDeposits(deps, 'C1', 'A1')).deposits[0]).toMatchObject({ status: 'BILLED', amount: '50.00', unpaid: '50.00', held: '0.00' });
    await expect(getMyDeposits(deps, 'C9', 'A1')).rejects.toThrow(Forbidden);
  });
});

describe('creditHistoryDepositPolicy (the activation hook)', () => {
  const records = (orders: ServiceOrder[]) => ({ listOrdersOfAccount: async (accountId: string) => orders.filter((o) => o.accountId === accountId) });
  const customer = { customerId: 'C1' } as CustomerRecord;
  const newAccount = { accountId: 'A2', serviceClass: 'RESIDENTIAL' } as AccountRecord;
  const old = { accountId: 'A1' } as AccountRecord;
  const water = [{ serviceType: 'water' }] as never;

  it('requires a deposit after a returned payment on the customer\'s other account, sized on its bills', async () => {
    const ledger = new MemoryLedger();
    ledger.entries.push(ledgerEntryForBill({ billId: 'B1', accountId: 'A1', total: '90.00', periodStart: '2025-11-01', periodEnd: '2025-11-30', dueDate: '2025-12-21', usage: { unit: 'gal' } }, '2025-12-01T00:00:00.000Z'));
    ledger.entries.push({ ...feeEntry({ accountId: 'A1', amount: new Money('25.00'), postedAt: '2025-12-10T00:00:00.000Z', idempotencyKey: 'x', description: 'd', actor: 'a' }), kind: 'PAYMENT_RETURN' });
    const policy = creditHistoryDepositPolicy({ ledger, records: records([]), clock: clockAt('2026-01-10T17:00:00.000Z'), timeZone: 'America/Denver', depositRules: rules });
    expect(await policy.evaluate({ customer, account: newAccount, agreements: water, otherAccounts: [old] })).toEqual({ required: true, amount: '180.00', reason: 'returned-payments' });
  });

  it('requires one after a completed disconnection, and none for a clean history', async () => {
    const ledger = new MemoryLedger();
    const disconnect = { orderId: 'O1', type: 'DISCONNECT', state: 'COMPLETED', accountId: 'A1', completion: { completedAt: '2025-08-01T10:00:00.000Z' }, updatedAt: '2025-08-01T10:00:00.000Z' } as ServiceOrder;
    const deps = { ledger, clock: clockAt('2026-01-10T17:00:00.000Z'), timeZone: 'America/Denver', depositRules: rules };
    expect(await creditHistoryDepositPolicy({ ...deps, records: records([disconnect]) }).evaluate({ customer, account: newAccount, agreements: water, otherAccounts: [old] })).toMatchObject({ required: true, amount: '120.00', reason: 'prior-disconnection' });
    expect(await creditHistoryDepositPolicy({ ...deps, records: records([]) }).evaluate({ customer, account: newAccount, agreements: water, otherAccounts: [] })).toMatchObject({ required: false, amount: '0.00' });
  });
});
