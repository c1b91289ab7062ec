import { Decimal } from 'decimal.js';
import { addMonths, arrangeableCharges, arrangementPaid, arrangementShareOf, evaluateArrangement, planInstallments, protectedCharges, type Arrangement } from '../../../shared/domain/arrangements';
import { InvalidInput, RuleViolation } from '../../../shared/domain/errors';
import { allocatePayment, ledgerEntryForBill } from '../../../shared/domain/ledger';

const D = (value: string) => new Decimal(value);

describe('addMonths', () => {
  it.each([
    ['2026-01-15', 1, '2026-02-15'],
    ['2026-01-31', 1, '2026-02-28'],
    ['2028-01-31', 1, '2028-02-29'],
    ['2026-11-30', 3, '2027-02-28'],
    ['2026-12-05', 0, '2026-12-05'],
    ['2026-03-31', 12, '2027-03-31'],
  ])('%s + %i months = %s', (day, months, expected) => {
    expect(addMonths(day, months)).toBe(expected);
  });
});

describe('planInstallments', () => {
  it.each([
    // total, count, down, expected amounts (down payment first when there is one), last due date
    ['100.00', 3, undefined, ['33.33', '33.33', '33.34'], '2026-05-10'],
    ['100.01', 3, undefined, ['33.33', '33.33', '33.35'], '2026-05-10'],
    ['0.05', 2, undefined, ['0.02', '0.03'], '2026-04-10'],
    ['250.00', 4, '50.00', ['50.00', '50.00', '50.00', '50.00', '50.00'], '2026-06-10'],
    ['99.99', 1, undefined, ['99.99'], '2026-03-10'],
    ['1000.00', 6, '0.01', ['0.01', '166.66', '166.66', '166.66', '166.66', '166.66', '166.69'], '2026-08-10'],
  ])('spreads %s over %i installments (down %s) with the remainder cents on the last', (total, count, down, amounts, lastDue) => {
    const plan = planInstallments({ total: D(total), count, firstDue: '2026-03-10', downPayment: down ? D(down) : undefined, startDay: '2026-03-01' });
    expect(plan.map((i) => i.amount)).toEqual(amounts);
    expect(plan.map((i) => D(i.amount)).reduce((a, b) => a.plus(b)).toFixed(2)).toBe(total);
    expect(plan.at(-1)!.dueDate).toBe(lastDue);
    if (down) expect(plan[0]).toEqual({ number: 0, dueDate: '2026-03-01', amount: down });
  });

  it.each([
    ['nothing owed', { total: D('0'), count: 3 }, RuleViolation],
    ['no installments', { total: D('10'), count: 0 }, InvalidInput],
    ['too many installments', { total: D('10'), count: 37 }, InvalidInput],
    ['a fraction of an installment', { total: D('10'), count: 1.5 }, InvalidInput],
    ['less than a cent each', { total: D('0.02'), count: 3 }, RuleViolation],
    ['a down payment of everything', { total: D('10'), count: 2, downPayment: D('10') }, RuleViolation],
    ['a first due date before today', { total: D('10'), count: 2, firstDue: '2026-02-28' }, RuleViolation],
  ])('refuses %s', (_what, input, error) => {
    expect(() => planInstallments({ firstDue: '2026-03-10', startDay: '2026-03-01', ...input })).toThrow(error);
  });
});

describe('evaluateArrangement', () => {
  // 300.00 as 100.00 due 03-10, 04-10, 05-10; grace 5 days.
  const arrangement = { amount: '300.00', graceDays: 5, installments: planInstallments({ total: D('300'), count: 3, firstDue: '2026-03-10', startDay: '2026-03-01' }) };
  it.each([
    ['0.00', '2026-03-10', 'on-track', '0.00'],
    ['0.00', '2026-03-11', 'behind', '0.00'],
    ['0.00', '2026-03-15', 'behind', '0.00'],
    ['0.00', '2026-03-16', 'broken', '0.00'],
    ['99.99', '2026-03-16', 'broken', '99.99'],
    ['100.00', '2026-03-16', 'on-track', '100.00'],
    ['100.00', '2026-04-15', 'behind', '100.00'],
    ['150.00', '2026-04-16', 'broken', '150.00'],
    ['200.00', '2026-05-12', 'behind', '200.00'],
    ['300.00', '2026-09-01', 'kept', '300.00'],
    ['350.00', '2026-03-01', 'kept', '300.00'],
  ])('paid %s on %s: %s', (paid, asOf, state, shownPaid) => {
    const tracking = evaluateArrangement(arrangement, D(paid), asOf);
    expect(tracking.state).toBe(state);
    expect(tracking.paid).toBe(shownPaid);
  });

  it('names the overdue installments and the next one with what is unpaid of each', () => {
    const tracking = evaluateArrangement(arrangement, D('130.00'), '2026-04-12');
    expect(tracking).toMatchObject({ remaining: '170.00', overdue: [{ number: 2, dueDate: '2026-04-10', unpaid: '70.00' }], next: { number: 2, unpaid: '70.00' } });
  });
});

describe('what payments give an arrangement', () => {
  const active: Arrangement = { arrangementId: 'AR1', accountId: 'A1', status: 'ACTIVE', amount: '300.00', downPayment: '0.00', installments: [], coveredCharges: ['LEB1'], graceDays: 5, createdAt: 't', createdBy: 'dana' };
  it('counts only posted payments to that arrangement', () => {
    const payments = [
      { status: 'POSTED', arrangement: { arrangementId: 'AR1', amount: '40.00' } },
      { status: 'RETURNED', arrangement: { arrangementId: 'AR1', amount: '100.00' } },
      { status: 'POSTED', arrangement: { arrangementId: 'AR0', amount: '7.00' } },
      { status: 'POSTED' },
    ];
    expect(arrangementPaid('AR1', payments).toFixed(2)).toBe('40.00');
  });

  it.each([
    ['0', '50.00', '50.00'],
    ['280.00', '50.00', '20.00'],
    ['300.00', '50.00', '0'],
  ])('after %s paid, a payment of %s gives it %s', (paid, amount, share) => {
    expect(arrangementShareOf(active, D(paid), D(amount)).toString()).toBe(D(share).toString());
  });

  it.each([
    ['ACTIVE', 'on-track', ['LEB1']],
    ['ACTIVE', 'behind', ['LEB1']],
    ['ACTIVE', 'broken', []],
    ['ACTIVE', 'kept', []],
    ['CANCELLED', 'on-track', []],
  ] as const)('a %s arrangement %s protects %j', (status, state, expected) => {
    const tracking = { state, paid: '0.00', remaining: '0.00', overdue: [], next: null, asOf: '2026-03-01' };
    expect([...protectedCharges({ ...active, status }, tracking)]).toEqual(expected);
  });

  it('lets an arrangement covered charge be paid before an older charge of the named service', () => {
    const water = ledgerEntryForBill({ billId: 'B1', accountId: 'A1', total: '50.00', periodStart: '2026-01-01', periodEnd: '2026-01-31', issuedAt: '2026-02-01T00:00:00Z', usage: { unit: 'gal' } }, '2026-02-01T00:00:00Z');
    const electric = ledgerEntryForBill({ billId: 'B2', accountId: 'A1', total: '80.00', periodStart: '2026-02-01', periodEnd: '2026-02-28', issuedAt: '2026-03-01T00:00:00Z', usage: { unit: 'kWh' } }, '2026-03-01T00:00:00Z');
    expect(allocatePayment([water, electric], D('60'), 'water')).toEqual([{ service: 'water', amount: '50.00' }, { service: 'electric', amount: '10.00' }]);
    expect(allocatePayment([water, electric], D('60'), 'water', new Set([electric.entryId]))).toEqual([{ service: 'electric', amount: '60.00' }]);
    const covered = arrangeableCharges([{ entryId: 'X', service: 'water', dueDate: '2026-01-01', open: D('12.34') }, { entryId: 'Y', service: 'water', dueDate: '2026-01-01', open: D('0') }]);
    expect([covered.coveredCharges, covered.amount.toFixed(2)]).toEqual([['X'], '12.34']);
  });
});
