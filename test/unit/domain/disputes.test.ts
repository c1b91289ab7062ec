import { Decimal } from 'decimal.js';
import { disputedAmountFor, disputedByCharge, type Dispute } from '../../../shared/domain/disputes';
import { RuleViolation } from '../../../shared/domain/errors';
import { feeEntry, ledgerEntryForBill, openCharges, paymentEntry, reversalOf } from '../../../shared/domain/ledger';

const D = (value: string) => new Decimal(value);
const bill = (billId: string, total: string, dueDate: string) => ledgerEntryForBill({ billId, accountId: 'A1', total, periodStart: '2026-01-01', periodEnd: '2026-01-31', dueDate, usage: { unit: 'gal' } }, `${dueDate}T00:00:00.000Z`);
const b1 = bill('B1', '100.00', '2026-01-20');
const b2 = bill('B2', '60.00', '2026-02-20');
const fee = feeEntry({ accountId: 'A1', amount: D('25'), postedAt: '2026-02-01T00:00:00.000Z', idempotencyKey: 'fee:1', description: 'fee', actor: 't' });
const reversedFee = reversalOf(fee, { postedAt: '2026-02-02T00:00:00.000Z', description: 'r', actor: 't' });
const payment = paymentEntry({ accountId: 'A1', paymentId: 'P1', amount: D('30'), allocations: [{ service: 'water', amount: '30.00' }], postedAt: '2026-02-03T00:00:00.000Z', description: 'p', actor: 't' });

describe('disputedAmountFor', () => {
  const entries = [b1, b2, payment];
  it.each([
    ['the open amount of one charge by default', [b1.entryId], undefined, '70.00'],
    ['the open amounts of two charges', [b1.entryId, b2.entryId], undefined, '130.00'],
    ['a part of a charge', [b2.entryId], '12.34', '12.34'],
    ['up to what the charge put on the account, even if partly paid', [b1.entryId], '100.00', '100.00'],
  ])('disputes %s', (_what, ids, amount, expected) => {
    expect(disputedAmountFor(entries, openCharges(entries).charges, ids, amount ? D(amount) : undefined).toFixed(2)).toBe(expected);
  });

  it.each([
    ['an unknown entry', [b1, b2], ['LENOPE'], undefined, 'unknown-charge'],
    ['a payment', [b1, payment], [payment.entryId], undefined, 'not-a-charge'],
    ['a reversed fee', [b1, fee, reversedFee], [fee.entryId], undefined, 'charge-reversed'],
    ['more than the charges', [b1, b2], [b2.entryId], '60.01', 'amount-exceeds-charges'],
    ['a paid charge', [b2, paymentEntry({ accountId: 'A1', paymentId: 'P2', amount: D('60'), allocations: [{ service: 'water', amount: '60.00' }], postedAt: '2026-02-03T00:00:00.000Z', description: 'p', actor: 't' })], [b2.entryId], undefined, 'nothing-to-dispute'],
  ])('refuses %s', (_what, list, ids, amount, reason) => {
    const run = () => disputedAmountFor(list, openCharges(list).charges, ids, amount ? D(amount) : undefined);
    expect(run).toThrow(RuleViolation);
    try {
      run();
    } catch (error) {
      expect((error as RuleViolation).reason).toBe(reason);
    }
  });
});

describe('disputedByCharge', () => {
  const dispute = (amount: string, entryIds: string[], status: Dispute['status'] = 'OPEN'): Dispute => ({ disputeId: `D${amount}`, accountId: 'A1', status, entryIds, amount, reason: 'r', openedAt: 't', openedBy: 'dana' });
  const charges = openCharges([b1, b2]).charges;
  it.each([
    ['one open dispute on one charge', [dispute('40.00', [b1.entryId])], { [b1.entryId]: '40.00' }],
    ['an amount spread oldest first, at most each open amount', [dispute('130.00', [b2.entryId, b1.entryId])], { [b1.entryId]: '100.00', [b2.entryId]: '30.00' }],
    ['two disputes on one charge, never over its open amount', [dispute('80.00', [b1.entryId]), dispute('50.00', [b1.entryId])], { [b1.entryId]: '100.00' }],
    ['a closed dispute (nothing)', [dispute('40.00', [b1.entryId], 'CLOSED')], {}],
  ])('%s', (_what, disputes, expected) => {
    const result = Object.fromEntries([...disputedByCharge(disputes, charges)].filter(([, amount]) => amount.gt(0)).map(([id, amount]) => [id, amount.toFixed(2)]));
    expect(result).toEqual(expected);
  });
});
