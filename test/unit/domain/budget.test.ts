import { budgetEntryForBill, budgetTrueUpEntry, deferredBalance, levelizedAmount, roundUpToDollar } from '../../../shared/domain/budget';
import { RuleViolation } from '../../../shared/domain/errors';
import { accountBalance, ledgerEntryForBill, openCharges, paymentEntry, transferEntries, type LedgerEntry } from '../../../shared/domain/ledger';
import { Money } from '../../../shared/domain/money';

const m = (value: string) => new Money(value);
const bill = (billId: string, total: string, issued: string, dueDate: string, services?: Array<{ serviceType: string; subtotal: string }>) =>
  ledgerEntryForBill({ billId, accountId: 'A1', total, periodStart: '2026-01-01', periodEnd: '2026-01-31', dueDate, ...(services ? { services } : { usage: { unit: 'kWh' } }) }, issued);

describe('levelizedAmount', () => {
  it.each([
    ['12 bills averaging 100.50, no deferred balance', Array(12).fill('100.50'), '0', '101.00', 12],
    ['only the last 12 of 14 bills', ['900.00', '900.00', ...Array(12).fill('100.00')], '0', '100.00', 12],
    ['3 bills (fewer than 12): their average', ['80.00', '120.00', '160.00'], '0', '120.00', 3],
    ['a deferred balance owed spreads over 12 months', Array(12).fill('100.00'), '120.00', '110.00', 12],
    ['a deferred credit lowers it', Array(12).fill('100.00'), '-60.00', '95.00', 12],
    ['exact dollars stay', ['99.00'], '0', '99.00', 1],
    ['a credit history never gives a negative amount', ['-50.00'], '0', '0.00', 1],
  ])('%s', (_what, totals, deferred, expected, count) => {
    const result = levelizedAmount(totals.map(m), m(deferred));
    expect(result.amount.toFixed(2)).toBe(expected);
    expect(result).toMatchObject({ basis: 'history', billsConsidered: count });
  });

  it('uses the estimate without bills, and refuses without one', () => {
    expect(levelizedAmount([], m('0'), m('87.20')).amount.toFixed(2)).toBe('88.00');
    expect(() => levelizedAmount([], m('0'))).toThrow(RuleViolation);
  });

  it('rounds up to the next dollar', () => {
    expect(roundUpToDollar(m('12.01')).toFixed(2)).toBe('13.00');
    expect(roundUpToDollar(m('12.00')).toFixed(2)).toBe('12.00');
  });
});

describe('budgetEntryForBill', () => {
  const older = bill('B0', '90.00', '2026-01-05T00:00:00.000Z', '2026-01-26');
  const high = bill('B1', '150.00', '2026-02-05T00:00:00.000Z', '2026-02-26');
  const low = bill('B2', '60.00', '2026-03-05T00:00:00.000Z', '2026-03-26');

  it('a bill above the levelized amount: the difference is deferred and lowers that bill, not an older past-due one', () => {
    const entry = budgetEntryForBill({ billEntry: high, levelized: m('100.00'), postedAt: '2026-02-05T00:00:01.000Z', actor: 'budget-billing' });
    expect(entry).toMatchObject({ kind: 'BUDGET', idempotencyKey: 'budget:B1', billId: 'B1' });
    expect(entry.postings).toEqual([
      { ledgerAccount: 'DEFERRED_BALANCE', side: 'debit', amount: '50.00' },
      { ledgerAccount: 'ACCOUNTS_RECEIVABLE', side: 'credit', amount: '50.00', appliesTo: high.entryId },
    ]);
    const entries = [older, high, entry];
    const open = openCharges(entries).charges.map((c) => [c.entryId, c.open.toFixed(2)]);
    expect(open).toEqual([
      [older.entryId, '90.00'],
      [high.entryId, '100.00'],
    ]);
    expect(accountBalance(entries, '2026-02-10')).toMatchObject({ balance: '190.00', pastDue: '90.00' });
    expect(deferredBalance(entries).toFixed(2)).toBe('50.00');
  });

  it('a bill below it: the customer owes the difference with the bill (a charge due with it), credited to the deferred balance', () => {
    const entry = budgetEntryForBill({ billEntry: low, levelized: m('100.00'), postedAt: '2026-03-05T00:00:01.000Z', actor: 'budget-billing' });
    expect(entry.postings).toEqual([
      { ledgerAccount: 'ACCOUNTS_RECEIVABLE', side: 'debit', amount: '40.00' },
      { ledgerAccount: 'DEFERRED_BALANCE', side: 'credit', amount: '40.00' },
    ]);
    expect(entry.dueDate).toBe('2026-03-26');
    expect(accountBalance([low, entry], '2026-03-10').balance).toBe('100.00');
    expect(deferredBalance([low, entry]).toFixed(2)).toBe('-40.00');
  });

  it('a multi-service bill is lowered as a whole', () => {
    const both = bill('B3', '200.00', '2026-04-05T00:00:00.000Z', '2026-04-26', [{ serviceType: 'electric', subtotal: '120.00' }, { serviceType: 'water', subtotal: '80.00' }]);
    const entry = budgetEntryForBill({ billEntry: both, levelized: m('150.00'), postedAt: '2026-04-05T00:00:01.000Z', actor: 'x' });
    const open = openCharges([both, entry]).charges;
    expect(open.reduce((sum, c) => sum.plus(c.open), m('0')).toFixed(2)).toBe('150.00');
  });
});

describe('budgetTrueUpEntry', () => {
  const plan = { accountId: 'A1', enrolledAt: '2026-01-01T00:00:00.000Z', trueUps: 0 };
  it('posts an owed deferred balance as a charge due on the day given', () => {
    const entry = budgetTrueUpEntry({ plan, deferred: m('75.25'), postedAt: '2027-01-05T00:00:00.000Z', dueDate: '2027-01-26', reason: 'anniversary', actor: 'x' });
    expect(entry).toMatchObject({ kind: 'BUDGET_TRUE_UP', dueDate: '2027-01-26', idempotencyKey: 'budget-true-up:A1:2026-01-01T00:00:00.000Z:1' });
    expect(entry.postings).toEqual([
      { ledgerAccount: 'ACCOUNTS_RECEIVABLE', side: 'debit', amount: '75.25' },
      { ledgerAccount: 'DEFERRED_BALANCE', side: 'credit', amount: '75.25' },
    ]);
  });

  it('posts a deferred credit back as a credit (paying open charges)', () => {
    const open = bill('B9', '100.00', '2027-01-05T00:00:00.000Z', '2027-01-26');
    const entry = budgetTrueUpEntry({ plan, deferred: m('-30.00'), postedAt: '2027-01-05T00:00:01.000Z', dueDate: '2027-01-26', reason: 'final-bill', actor: 'x' });
    expect(entry.dueDate).toBeUndefined();
    expect(entry.postings).toEqual([
      { ledgerAccount: 'DEFERRED_BALANCE', side: 'debit', amount: '30.00' },
      { ledgerAccount: 'ACCOUNTS_RECEIVABLE', side: 'credit', amount: '30.00' },
    ]);
    expect(accountBalance([open, entry], '2027-01-10').balance).toBe('70.00');
  });
});

describe('transferEntries', () => {
  const owed = bill('B1', '80.00', '2026-02-05T00:00:00.000Z', '2026-02-26');
  it('moves what the closing account owes: a credit there, a charge on the other account; the clearing nets to zero', () => {
    const [out, into] = transferEntries({ fromAccountId: 'A1', toAccountId: 'A2', transferId: 'X1', amount: m('80.00'), postedAt: '2026-03-01T00:00:00.000Z', dueDate: '2026-03-22', description: 'Balance transfer X1', actor: 'csr1' });
    expect(out).toMatchObject({ accountId: 'A1', kind: 'TRANSFER', idempotencyKey: 'transfer-out:X1' });
    expect(into).toMatchObject({ accountId: 'A2', kind: 'TRANSFER', idempotencyKey: 'transfer-in:X1', dueDate: '2026-03-22' });
    expect(accountBalance([owed, out], '2026-03-01')).toMatchObject({ balance: '0.00', pastDue: '0.00' });
    expect(accountBalance([into], '2026-03-01')).toMatchObject({ balance: '80.00', pastDue: '0.00' });
    const clearing = [out, into].flatMap((e) => e.postings.filter((p) => p.ledgerAccount === 'TRANSFER_CLEARING')).reduce((sum, p) => (p.side === 'debit' ? sum.plus(p.amount) : sum.minus(p.amount)), m('0'));
    expect(clearing.toFixed(2)).toBe('0.00');
  });

  it('moves a credit the other way', () => {
    const credit: LedgerEntry = paymentEntry({ accountId: 'A1', paymentId: 'P1', amount: m('25.00'), allocations: [{ service: 'account', amount: '25.00' }], postedAt: '2026-02-01T00:00:00.000Z', description: 'p', actor: 'x' });
    const [out, into] = transferEntries({ fromAccountId: 'A1', toAccountId: 'A2', transferId: 'X2', amount: m('-25.00'), postedAt: '2026-03-01T00:00:00.000Z', dueDate: '2026-03-22', description: 'Balance transfer X2', actor: 'csr1' });
    expect(accountBalance([credit, out], '2026-03-01').balance).toBe('0.00');
    expect(accountBalance([into], '2026-03-01')).toMatchObject({ balance: '-25.00', credit: '25.00' });
  });

  it('refuses a zero balance and the same account', () => {
    expect(() => transferEntries({ fromAccountId: 'A1', toAccountId: 'A2', transferId: 'X', amount: m('0'), postedAt: 't', dueDate: 'd', description: 'x', actor: 'x' })).toThrow(RuleViolation);
    expect(() => transferEntries({ fromAccountId: 'A1', toAccountId: 'A1', transferId: 'X', amount: m('5'), postedAt: 't', dueDate: 'd', description: 'x', actor: 'x' })).toThrow(/two different accounts/);
  });
});
