import {
  DEFAULT_DEPOSIT_RULES,
  depositEntry,
  depositInterest,
  depositRefundEntry,
  depositRequirement,
  depositRulesWith,
  monthlyPeriods,
  paidInFullOn,
  principalHeld,
  refundEligibility,
  type CreditFacts,
  type DepositRules,
} from '../../../shared/domain/deposits';
import { accountBalance, ledgerEntryForBill, openCharges, paymentEntry, type LedgerEntry } from '../../../shared/domain/ledger';
import { Money } from '../../../shared/domain/money';

const rules: DepositRules = depositRulesWith({ requireWithoutHistory: true, maxLatePayments: 2, classes: { RESIDENTIAL: { months: '2', cap: '400.00' }, COMMERCIAL: { months: '2', cap: '5000.00' } } });
const facts = (over: Partial<CreditFacts> = {}): CreditFacts => ({ hasHistory: true, returnedPayments: [], latePayments: [], disconnections: [], billTotals: [new Money('100.00'), new Money('140.00')], serviceTypes: ['water'], ...over });

describe('depositRequirement', () => {
  it.each([
    ['good history', facts(), 'RESIDENTIAL', false, '0.00', 'good-credit-history'],
    ['no prior account (rules require one)', facts({ hasHistory: false, billTotals: [] }), 'RESIDENTIAL', true, '120.00', 'no-credit-history'],
    ['one returned payment within 12 months', facts({ returnedPayments: ['2026-01-15'] }), 'RESIDENTIAL', true, '240.00', 'returned-payments'],
    ['a returned payment 13 months ago', facts({ returnedPayments: ['2025-02-01'] }), 'RESIDENTIAL', false, '0.00', 'good-credit-history'],
    ['two late payments (the limit)', facts({ latePayments: ['2025-10-01', '2025-12-01'] }), 'RESIDENTIAL', false, '0.00', 'good-credit-history'],
    ['three late payments', facts({ latePayments: ['2025-10-01', '2025-12-01', '2026-02-01'] }), 'RESIDENTIAL', true, '240.00', 'late-payments'],
    ['a disconnection on the lookback boundary day + 1', facts({ disconnections: ['2025-03-02'] }), 'RESIDENTIAL', true, '240.00', 'prior-disconnection'],
    ['a disconnection exactly 12 months ago (outside)', facts({ disconnections: ['2025-03-01'] }), 'RESIDENTIAL', false, '0.00', 'good-credit-history'],
    ['several reasons, capped for a residential customer', facts({ returnedPayments: ['2026-02-01'], disconnections: ['2026-01-01'], billTotals: [new Money('300.00')] }), 'RESIDENTIAL', true, '400.00', 'returned-payments,prior-disconnection'],
    ['a commercial customer, 2 months of its average', facts({ returnedPayments: ['2026-02-01'], billTotals: [new Money('1000.00'), new Money('1500.01')] }), 'COMMERCIAL', true, '2500.01', 'returned-payments'],
  ] as const)('%s', (_what, input, serviceClass, required, amount, reason) => {
    expect(depositRequirement(rules, input, serviceClass, '2026-03-01')).toMatchObject({ required, amount, reason });
  });

  it('estimates from the services when the customer has no bills', () => {
    const decision = depositRequirement(rules, facts({ hasHistory: false, billTotals: [], serviceTypes: ['water', 'electric'] }), 'RESIDENTIAL', '2026-03-01');
    expect(decision).toMatchObject({ required: true, amount: '360.00', basis: { monthly: '180.00', source: 'estimate' } });
  });

  it('requires nothing without history under the built-in rules', () => {
    expect(depositRequirement(DEFAULT_DEPOSIT_RULES, facts({ hasHistory: false, billTotals: [] }), 'RESIDENTIAL', '2026-03-01')).toMatchObject({ required: false, amount: '0.00' });
  });
});

const POSTED = '2026-01-10T12:00:00.000Z';
const deposit = depositEntry({ accountId: 'A1', depositId: 'D1', amount: new Money('200.00'), postedAt: POSTED, dueDays: 21, reason: 'returned-payments', actor: 'csr1' });
const pay = (id: string, amount: string, at: string, _entries: readonly LedgerEntry[]) =>
  paymentEntry({ accountId: 'A1', paymentId: id, amount: new Money(amount), allocations: [{ service: 'deposit', amount }], postedAt: at, description: 'p', actor: 'x' });

describe('the deposit charge', () => {
  it('is a receivable charge (service deposit) due after dueDays, against DEPOSITS_HELD', () => {
    expect(deposit).toMatchObject({ kind: 'DEPOSIT', idempotencyKey: 'deposit:D1', dueDate: '2026-01-31' });
    expect(deposit.postings).toEqual([
      { ledgerAccount: 'ACCOUNTS_RECEIVABLE', side: 'debit', amount: '200.00', service: 'deposit' },
      { ledgerAccount: 'DEPOSITS_HELD', side: 'credit', amount: '200.00' },
    ]);
    expect(accountBalance([deposit], '2026-02-01')).toMatchObject({ balance: '200.00', pastDue: '200.00', byService: { deposit: '200.00' } });
  });

  it('holds only what was paid, day by day', () => {
    const entries = [deposit, pay('P1', '50.00', '2026-01-20T10:00:00.000Z', []), pay('P2', '150.00', '2026-02-05T10:00:00.000Z', [])];
    expect(principalHeld(entries, deposit.entryId, '2026-01-19').toFixed(2)).toBe('0.00');
    expect(principalHeld(entries, deposit.entryId, '2026-01-20').toFixed(2)).toBe('50.00');
    expect(principalHeld(entries, deposit.entryId, '2026-02-05').toFixed(2)).toBe('200.00');
    expect(paidInFullOn(entries, deposit.entryId)).toBe('2026-02-05');
    expect(paidInFullOn(entries.slice(0, 2), deposit.entryId)).toBeUndefined();
  });
});

describe('depositInterest (simple, actual/365, on the principal held each day, rounded once)', () => {
  const paid = [deposit, pay('P1', '200.00', '2026-01-10T13:00:00.000Z', [])];
  it.each([
    // 200.00 x 2% / 365 = 0.010958.. a day
    ['one day', '2026-02-01', '2026-02-01', '2.0', '0.01'],
    ['February 2026 (28 days)', '2026-02-01', '2026-02-28', '2.0', '0.31'],
    ['a whole year', '2026-02-01', '2027-01-31', '2.0', '4.00'],
    ['a zero rate', '2026-02-01', '2026-02-28', '0', '0.00'],
    ['5% for 31 days', '2026-03-01', '2026-03-31', '5.0', '0.85'],
  ])('%s', (_what, from, to, rate, expected) => {
    expect(depositInterest(paid, deposit.entryId, from, to, new Money(rate)).toFixed(2)).toBe(expected);
  });

  it('accrues nothing on days the deposit was unpaid', () => {
    const late = [deposit, pay('P1', '200.00', '2026-02-15T13:00:00.000Z', [])];
    // 14 days of February held (15th..28th): 200 x 0.02 x 14 / 365 = 0.1534
    expect(depositInterest(late, deposit.entryId, '2026-02-01', '2026-02-28', new Money('2.0')).toFixed(2)).toBe('0.15');
  });

  it('splits a span into calendar months', () => {
    expect(monthlyPeriods('2026-01-10', '2026-03-05')).toEqual([
      { month: '2026-01', from: '2026-01-10', to: '2026-01-31' },
      { month: '2026-02', from: '2026-02-01', to: '2026-02-28' },
      { month: '2026-03', from: '2026-03-01', to: '2026-03-05' },
    ]);
    expect(monthlyPeriods('2026-03-06', '2026-03-05')).toEqual([]);
  });
});

describe('refundEligibility (good standing)', () => {
  const base = { paidOn: '2025-03-01', latePayments: [] as string[], returnedPayments: [] as string[], disconnections: [] as string[] };
  it.each([
    ['the day before 12 months', base, '2026-02-28', false, ['too-soon'], '2026-03-01'],
    ['exactly 12 months after payment', base, '2026-03-01', true, [], '2026-03-01'],
    ['a late payment 11 months ago', { ...base, latePayments: ['2025-04-01'] }, '2026-03-01', false, ['late-payments'], '2026-04-01'],
    ['a late payment 12 months ago (outside)', { ...base, latePayments: ['2025-03-01'] }, '2026-03-01', true, [], '2026-03-01'],
    ['a returned payment and a disconnection', { ...base, returnedPayments: ['2025-09-01'], disconnections: ['2025-10-01'] }, '2026-03-01', false, ['returned-payments', 'disconnection'], '2026-10-01'],
    ['not paid yet', { ...base, paidOn: undefined }, '2026-03-01', false, ['not-paid'], undefined],
  ] as const)('%s', (_what, input, asOf, eligible, blockers, eligibleOn) => {
    const result = refundEligibility({ refundAfterMonths: 12 }, input, asOf);
    expect(result).toMatchObject({ eligible, blockers: [...blockers] });
    expect(result.eligibleOn).toBe(eligibleOn);
  });
});

describe('depositRefundEntry', () => {
  const bill = ledgerEntryForBill({ billId: 'B1', accountId: 'A1', total: '150.00', periodStart: '2026-01-01', periodEnd: '2026-01-31', dueDate: '2026-02-21', usage: { unit: 'gal' } }, '2026-02-01T00:00:00.000Z');

  it('pays the open bill with the deposit and its interest, the rest is a credit; DEPOSITS_HELD nets to zero', () => {
    const entries = [deposit, pay('P1', '200.00', '2026-01-10T13:00:00.000Z', []), bill];
    const refund = depositRefundEntry({ accountId: 'A1', depositId: 'D1', depositEntryId: deposit.entryId, billed: new Money('200.00'), paid: new Money('200.00'), interest: new Money('4.00'), postedAt: '2027-02-01T00:00:00.000Z', actor: 'x', reason: 'good standing' });
    expect(refund.postings).toEqual([
      { ledgerAccount: 'DEPOSITS_HELD', side: 'debit', amount: '204.00' },
      { ledgerAccount: 'ACCOUNTS_RECEIVABLE', side: 'credit', amount: '204.00' },
    ]);
    const after = [...entries, refund];
    expect(accountBalance(after, '2027-02-01')).toMatchObject({ balance: '-54.00', credit: '54.00', pastDue: '0.00' });
    expect(principalHeld(after, deposit.entryId, '2027-01-31').toFixed(2)).toBe('200.00');
    expect(principalHeld(after, deposit.entryId, '2027-02-01').toFixed(2)).toBe('0.00');
  });

  it('cancels the unpaid part of the deposit charge (aimed at it), never another charge', () => {
    const entries = [deposit, pay('P1', '80.00', '2026-01-12T13:00:00.000Z', []), bill];
    const refund = depositRefundEntry({ accountId: 'A1', depositId: 'D1', depositEntryId: deposit.entryId, billed: new Money('200.00'), paid: new Money('80.00'), interest: new Money('0.00'), postedAt: '2026-02-02T00:00:00.000Z', actor: 'x', reason: 'move-out' });
    expect(refund.postings[1]).toEqual({ ledgerAccount: 'ACCOUNTS_RECEIVABLE', side: 'credit', amount: '120.00', service: 'deposit', appliesTo: deposit.entryId });
    const { charges } = openCharges([...entries, refund]);
    // The bill keeps 150 - 80 (the paid deposit returned) = 70 open; the deposit charge is gone.
    expect(charges.map((c) => [c.entryId, c.open.toFixed(2)])).toEqual([[bill.entryId, '70.00']]);
  });
});
