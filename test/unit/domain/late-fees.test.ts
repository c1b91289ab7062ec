import { Decimal } from 'decimal.js';
import { InvalidInput } from '../../../shared/domain/errors';
import { DEFAULT_LATE_FEE_POLICY, lateFees, validLateFeePolicy, type LateFeePolicy } from '../../../shared/domain/late-fees';
import type { EntryKind, OpenCharge } from '../../../shared/domain/ledger';

const D = (value: string) => new Decimal(value);
const charge = (entryId: string, open: string, dueDate = '2026-02-10'): OpenCharge => ({ entryId, service: 'water', dueDate, open: D(open) });
const percent: LateFeePolicy = { graceDays: 5, method: 'percent', flatAmount: D('5'), percent: D('1.5'), minimumPastDue: D('10'), cap: D('25') };
const flat: LateFeePolicy = { ...percent, method: 'flat', flatAmount: D('7.50') };

function run(policy: LateFeePolicy, charges: OpenCharge[], asOf: string, options: { kinds?: Record<string, EntryKind>; disputed?: Record<string, string>; covered?: string[] } = {}) {
  const decision = lateFees(policy, {
    charges,
    kindOf: (id) => options.kinds?.[id] ?? 'BILL',
    disputed: new Map(Object.entries(options.disputed ?? {}).map(([id, amount]) => [id, D(amount)])),
    protectedCharges: new Set(options.covered ?? []),
    asOf,
  });
  return { fees: Object.fromEntries(decision.fees.map((f) => [f.chargeEntryId, f.fee.toFixed(2)])), skipped: Object.fromEntries(decision.skipped.map((s) => [s.chargeEntryId, s.reason])) };
}

describe('lateFees', () => {
  it.each([
    // policy, open, asOf, fee or skip reason
    ['percent, last day of grace', percent, '100.00', '2026-02-15', 'in-grace'],
    ['percent, first day after grace', percent, '100.00', '2026-02-16', '1.50'],
    ['percent rounded once, half up (123.45 * 1.5% = 1.851750)', percent, '123.45', '2026-03-01', '1.85'],
    ['percent rounded half up at the half cent (33.00 * 1.5% = 0.495)', percent, '33.00', '2026-03-01', '0.50'],
    ['percent capped', percent, '5000.00', '2026-03-01', '25.00'],
    ['flat', flat, '100.00', '2026-03-01', '7.50'],
    ['flat capped', { ...flat, flatAmount: D('30') }, '100.00', '2026-03-01', '25.00'],
    ['no cap', { ...percent, cap: undefined }, '5000.00', '2026-03-01', '75.00'],
    ['below the minimum past due', percent, '9.99', '2026-03-01', 'below-minimum'],
    ['at the minimum past due', percent, '10.00', '2026-03-01', '0.15'],
    ['a zero grace: the day after the due date', { ...percent, graceDays: 0 }, '100.00', '2026-02-11', '1.50'],
    ['a zero percent', { ...percent, percent: D('0') }, '100.00', '2026-03-01', 'zero-fee'],
  ])('%s', (_what, policy, open, asOf, expected) => {
    const result = run(policy, [charge('C1', open)], asOf);
    expect(result.fees['C1'] ?? result.skipped['C1']).toBe(expected);
  });

  it('never charges on disputed amounts, covered charges or other kinds of charges', () => {
    const charges = [charge('B1', '100.00'), charge('B2', '80.00'), charge('B3', '60.00'), charge('F1', '25.00'), charge('B4', '40.00')];
    const result = run(percent, charges, '2026-03-01', { kinds: { F1: 'FEE' }, disputed: { B2: '80.00', B4: '30.00' }, covered: ['B3'] });
    expect(result).toEqual({ fees: { B1: '1.50', B4: '0.15' }, skipped: { B2: 'disputed', B3: 'arrangement', F1: 'not-fee-bearing' } });
  });

  it('compares the minimum with the fee-bearing past due of the whole account', () => {
    expect(run(percent, [charge('B1', '6.00'), charge('B2', '6.00')], '2026-03-01').fees).toEqual({ B1: '0.09', B2: '0.09' });
    expect(run(percent, [charge('B1', '6.00'), charge('B2', '6.00')], '2026-03-01', { disputed: { B2: '6.00' } }).skipped).toEqual({ B1: 'below-minimum', B2: 'disputed' });
  });

  it.each([
    ['negative grace days', { ...DEFAULT_LATE_FEE_POLICY, graceDays: -1 }],
    ['a fractional grace', { ...DEFAULT_LATE_FEE_POLICY, graceDays: 1.5 }],
    ['a percent over 100', { ...DEFAULT_LATE_FEE_POLICY, percent: D('101') }],
    ['a negative flat fee', { ...DEFAULT_LATE_FEE_POLICY, flatAmount: D('-1') }],
  ])('refuses a policy with %s', (_what, policy) => {
    expect(() => validLateFeePolicy(policy)).toThrow(InvalidInput);
  });
});
