import { Decimal } from 'decimal.js';
import {
  ACCOUNT_LEVEL,
  accountBalance,
  agingBucket,
  allocatePayment,
  assertBalanced,
  billDueDate,
  feeEntry,
  ledgerEntryForBill,
  openingBalanceEntry,
  paymentEntry,
  refundEntry,
  reversalOf,
  UnbalancedEntry,
  type LedgerEntry,
} from '../../../shared/domain/ledger';

describe('ledger', () => {
  const bill = { billId: 'B0123456789ABCDEF01234567', accountId: 'A0001', total: '80.02', periodStart: '2026-01-01', periodEnd: '2026-01-31' };

  it('posts a bill as one balanced entry: debit receivables, credit revenue, keyed by the bill id', () => {
    const entry = ledgerEntryForBill(bill, '2026-02-01T00:00:00.000Z');
    expect(entry).toMatchObject({ accountId: 'A0001', kind: 'BILL', idempotencyKey: bill.billId, postedAt: '2026-02-01T00:00:00.000Z' });
    expect(entry.postings).toEqual([
      { ledgerAccount: 'ACCOUNTS_RECEIVABLE', side: 'debit', amount: '80.02' },
      { ledgerAccount: 'REVENUE', side: 'credit', amount: '80.02' },
    ]);
    expect(ledgerEntryForBill(bill, '2026-02-02T00:00:00.000Z').entryId).toBe(entry.entryId);
  });

  it.each([
    ['unbalanced', [{ ledgerAccount: 'ACCOUNTS_RECEIVABLE', side: 'debit', amount: '1.00' }, { ledgerAccount: 'REVENUE', side: 'credit', amount: '0.99' }]],
    ['negative-posting', [{ ledgerAccount: 'ACCOUNTS_RECEIVABLE', side: 'debit', amount: '-1.00' }, { ledgerAccount: 'REVENUE', side: 'credit', amount: '-1.00' }]],
  ] as const)('refuses a %s entry', (reason, postings) => {
    expect(() => assertBalanced({ entryId: 'E1', postings: [...postings] })).toThrow(UnbalancedEntry);
    try {
      assertBalanced({ entryId: 'E1', postings: [...postings] });
    } catch (error) {
      expect((error as UnbalancedEntry).reason).toBe(reason);
    }
  });
});


const D = (value: string) => new Decimal(value);

function bill(billId: string, total: string, issuedAt: string, unit: 'kWh' | 'gal', dueDate?: string): LedgerEntry {
  return ledgerEntryForBill({ billId, accountId: 'A1', total, periodStart: '2026-01-01', periodEnd: '2026-01-31', issuedAt, usage: { unit }, ...(dueDate ? { dueDate } : {}) }, issuedAt);
}

function pay(paymentId: string, amount: string, entries: LedgerEntry[], at: string, service?: string): LedgerEntry {
  return paymentEntry({ accountId: 'A1', paymentId, amount: D(amount), allocations: allocatePayment(entries, D(amount), service), postedAt: at, description: 'payment', actor: 'test' });
}

describe('bill entries', () => {
  it('are due the configured number of days after issue unless the bill has a due date, and carry the service of the usage unit', () => {
    const entry = bill('B1', '10.00', '2026-02-01T07:00:00.000Z', 'gal');
    expect(entry.dueDate).toBe('2026-02-22');
    expect(entry.postings[0]).toEqual({ ledgerAccount: 'ACCOUNTS_RECEIVABLE', side: 'debit', amount: '10.00', service: 'water' });
    expect(billDueDate({ issuedAt: '2026-02-01T07:00:00.000Z' }, 'x', 10)).toBe('2026-02-11');
    expect(billDueDate({ dueDate: '2026-03-05', issuedAt: '2026-02-01T07:00:00.000Z' }, 'x', 10)).toBe('2026-03-05');
    expect(ledgerEntryForBill({ billId: 'B2', accountId: 'A1', total: '5.00', periodStart: '2026-01-01', periodEnd: '2026-01-31' }, '2026-02-03T00:00:00.000Z', { dueDays: 15 }).dueDate).toBe('2026-02-18');
  });

  it('post a bill with several services as one receivable per service, a credit service the other way round', () => {
    const base = { accountId: 'A1', periodStart: '2026-01-01', periodEnd: '2026-01-31', issuedAt: '2026-02-01T07:00:00.000Z', dueDate: '2026-02-22' };
    const entry = ledgerEntryForBill({ ...base, billId: 'BM', total: '55.25', services: [{ serviceType: 'water', subtotal: '40.25' }, { serviceType: 'electric', subtotal: '20.00' }, { serviceType: 'electric', subtotal: '-5.00' }] }, base.issuedAt);
    expect(entry.postings).toEqual([
      { ledgerAccount: 'ACCOUNTS_RECEIVABLE', side: 'debit', amount: '40.25', service: 'water' },
      { ledgerAccount: 'ACCOUNTS_RECEIVABLE', side: 'debit', amount: '15.00', service: 'electric' },
      { ledgerAccount: 'REVENUE', side: 'credit', amount: '55.25' },
    ]);
    const solar = ledgerEntryForBill({ ...base, billId: 'BS', total: '-2.00', services: [{ serviceType: 'water', subtotal: '30.00' }, { serviceType: 'electric', subtotal: '-32.00' }] }, base.issuedAt);
    expect(solar.postings).toEqual([
      { ledgerAccount: 'ACCOUNTS_RECEIVABLE', side: 'debit', amount: '30.00', service: 'water' },
      { ledgerAccount: 'ACCOUNTS_RECEIVABLE', side: 'credit', amount: '32.00', service: 'electric' },
      { ledgerAccount: 'REVENUE', side: 'debit', amount: '2.00' },
    ]);
    expect(accountBalance([entry, solar], '2026-02-10')).toMatchObject({ balance: '53.25', byService: { electric: '-17.00', water: '70.25' } });
    expect(ledgerEntryForBill({ ...base, billId: 'BZ', total: '0.00', services: [{ serviceType: 'water', subtotal: '0.00' }] }, base.issuedAt).postings).toEqual([
      { ledgerAccount: 'ACCOUNTS_RECEIVABLE', side: 'debit', amount: '0.00' },
      { ledgerAccount: 'REVENUE', side: 'credit', amount: '0.00' },
    ]);
    expect(() => ledgerEntryForBill({ ...base, billId: 'BX', total: '10.00', services: [{ serviceType: 'water', subtotal: '9.99' }] }, base.issuedAt)).toThrow(UnbalancedEntry);
  });

  it('post a negative bill (a net-metering credit) as a credit to receivables', () => {
    const entry = bill('B1', '-4.20', '2026-02-01T07:00:00.000Z', 'kWh');
    expect(entry.postings).toEqual([
      { ledgerAccount: 'ACCOUNTS_RECEIVABLE', side: 'credit', amount: '4.20', service: 'electric' },
      { ledgerAccount: 'REVENUE', side: 'debit', amount: '4.20' },
    ]);
  });
});

describe('aging buckets', () => {
  it.each([
    ['2026-03-01', '2026-02-20', 'current'],
    ['2026-03-01', '2026-03-01', 'current'],
    ['2026-03-01', '2026-03-02', '1-30'],
    ['2026-03-01', '2026-03-31', '1-30'],
    ['2026-03-01', '2026-04-01', '31-60'],
    ['2026-03-01', '2026-04-30', '31-60'],
    ['2026-03-01', '2026-05-01', '61-90'],
    ['2026-03-01', '2026-05-30', '61-90'],
    ['2026-03-01', '2026-05-31', '90+'],
  ] as const)('due %s, as of %s: %s', (due, asOf, bucket) => {
    expect(agingBucket(due, asOf)).toBe(bucket);
  });
});

describe('payments, allocation and balances', () => {
  const electricJan = bill('BE1', '100.00', '2026-01-05T00:00:00.000Z', 'kWh'); // due 2026-01-26
  const waterJan = bill('BW1', '40.00', '2026-01-10T00:00:00.000Z', 'gal'); // due 2026-01-31
  const electricFeb = bill('BE2', '80.00', '2026-02-05T00:00:00.000Z', 'kWh'); // due 2026-02-26

  it('ages open charges per bucket and sums per service', () => {
    const balance = accountBalance([electricJan, waterJan, electricFeb], '2026-03-10');
    expect(balance).toMatchObject({ balance: '220.00', byService: { electric: '180.00', water: '40.00' }, pastDue: '220.00', credit: '0.00' });
    expect(balance.aging).toEqual({ current: '0.00', '1-30': '80.00', '31-60': '140.00', '61-90': '0.00', '90+': '0.00' });
  });

  it('allocates a payment to the oldest charges first, across services', () => {
    const entries = [electricJan, waterJan, electricFeb];
    expect(allocatePayment(entries, D('120.00'))).toEqual([
      { service: 'electric', amount: '100.00' },
      { service: 'water', amount: '20.00' },
    ]);
    const paid = [...entries, pay('P1', '120.00', entries, '2026-03-01T00:00:00.000Z')];
    const balance = accountBalance(paid, '2026-03-10');
    expect(balance).toMatchObject({ balance: '100.00', byService: { electric: '80.00', water: '20.00' } });
    expect(balance.aging).toMatchObject({ '1-30': '80.00', '31-60': '20.00' });
  });

  it('pays a named service first, then the others oldest first, and keeps the rest as a credit', () => {
    const entries = [electricJan, waterJan];
    expect(allocatePayment(entries, D('50.00'), 'water')).toEqual([
      { service: 'water', amount: '40.00' },
      { service: 'electric', amount: '10.00' },
    ]);
    const overpaid = allocatePayment(entries, D('150.25'));
    expect(overpaid).toEqual([
      { service: 'electric', amount: '100.00' },
      { service: 'water', amount: '40.00' },
      { service: ACCOUNT_LEVEL, amount: '10.25' },
    ]);
    const balance = accountBalance([...entries, pay('P1', '150.25', entries, '2026-02-01T00:00:00.000Z')], '2026-03-10');
    expect(balance).toMatchObject({ balance: '-10.25', credit: '10.25', pastDue: '0.00' });
    expect(balance.aging).toEqual({ current: '0.00', '1-30': '0.00', '31-60': '0.00', '61-90': '0.00', '90+': '0.00' });
  });

  it('applies an earlier credit to a later bill', () => {
    const credit = pay('P0', '30.00', [], '2026-01-01T00:00:00.000Z');
    expect(credit.postings).toEqual([
      { ledgerAccount: 'CASH', side: 'debit', amount: '30.00' },
      { ledgerAccount: 'ACCOUNTS_RECEIVABLE', side: 'credit', amount: '30.00' },
    ]);
    const balance = accountBalance([credit, electricJan], '2026-03-01');
    expect(balance).toMatchObject({ balance: '70.00', byService: { account: '-30.00', electric: '100.00' } });
    expect(balance.aging['1-30']).toBe('0.00');
    expect(balance.aging['31-60']).toBe('70.00');
  });

  it('a returned payment reopens what it paid; a fee is due at once; reversals cancel their original', () => {
    const entries = [electricJan, waterJan];
    const payment = pay('P1', '140.00', entries, '2026-02-01T00:00:00.000Z');
    const returned = reversalOf(payment, { postedAt: '2026-02-05T00:00:00.000Z', kind: 'PAYMENT_RETURN', description: 'R01', actor: 'test' });
    expect(returned.postings.map((p) => p.side)).toEqual(['credit', 'debit', 'debit']);
    expect(returned.reverses).toBe(payment.entryId);
    const fee = feeEntry({ accountId: 'A1', amount: D('25'), postedAt: '2026-02-05T10:00:00.000Z', idempotencyKey: 'fee:P1', description: 'fee', actor: 'test' });
    const balance = accountBalance([...entries, payment, returned, fee], '2026-02-05');
    expect(balance).toMatchObject({ balance: '165.00', pastDue: '140.00' });
    expect(balance.aging).toMatchObject({ current: '25.00', '1-30': '140.00' });

    const billReversal = reversalOf(electricJan, { postedAt: '2026-02-06T00:00:00.000Z', description: 'billed in error', actor: 'test' });
    expect(accountBalance([electricJan, billReversal, waterJan], '2026-02-06')).toMatchObject({ balance: '40.00', pastDue: '40.00', byService: { electric: '0.00', water: '40.00' } });
    expect(() => reversalOf(billReversal, { postedAt: 'x', description: 'x', actor: 'x' })).toThrow('itself a reversal');
  });

  it('reversal entries are deterministic per reversed entry (a second reversal has the same idempotency key)', () => {
    const a = reversalOf(electricJan, { postedAt: '2026-02-06T00:00:00.000Z', description: 'x', actor: 'a' });
    const b = reversalOf(electricJan, { postedAt: '2026-02-07T00:00:00.000Z', description: 'y', actor: 'b' });
    expect([a.entryId, a.idempotencyKey]).toEqual([b.entryId, b.idempotencyKey]);
  });

  it('refunds and opening balances balance and count in the receivable', () => {
    const opening = openingBalanceEntry({ accountId: 'A1', amount: D('-12.50'), asOf: '2025-12-31' });
    expect(opening.postings).toEqual([
      { ledgerAccount: 'ACCOUNTS_RECEIVABLE', side: 'credit', amount: '12.50' },
      { ledgerAccount: 'CONVERSION_CLEARING', side: 'debit', amount: '12.50' },
    ]);
    const refund = refundEntry({ accountId: 'A1', refundId: 'R1', amount: D('12.50'), postedAt: '2026-01-02T00:00:00.000Z', description: 'refund', actor: 'x' });
    expect(accountBalance([opening], '2026-01-01').credit).toBe('12.50');
    expect(accountBalance([opening, refund], '2026-01-02')).toMatchObject({ balance: '0.00', credit: '0.00' });
    const owed = openingBalanceEntry({ accountId: 'A1', amount: D('300'), asOf: '2025-09-30' });
    expect(accountBalance([owed], '2026-01-05').aging['90+']).toBe('300.00');
  });

  it('refuses payments that are not positive', () => {
    expect(() => allocatePayment([], D('0'))).toThrow('positive');
    expect(() => allocatePayment([], D('-1'))).toThrow('positive');
  });
});

describe('credits moved between services', () => {
  it('keep the balance and the aging in step when a paid bill is reversed and its payment refunded', () => {
    const electric = ledgerEntryForBill({ billId: 'BE', accountId: 'A1', total: '100.00', periodStart: '2026-01-01', periodEnd: '2026-01-31', issuedAt: '2026-01-05T00:00:00.000Z', usage: { unit: 'kWh' } }, '2026-01-05T00:00:00.000Z');
    const water = ledgerEntryForBill({ billId: 'BW', accountId: 'A1', total: '30.00', periodStart: '2026-01-01', periodEnd: '2026-01-31', issuedAt: '2026-02-05T00:00:00.000Z', usage: { unit: 'gal' } }, '2026-02-05T00:00:00.000Z');
    const paid = paymentEntry({ accountId: 'A1', paymentId: 'P1', amount: new Decimal('100'), allocations: [{ service: 'electric', amount: '100.00' }], postedAt: '2026-01-20T00:00:00.000Z', description: 'p', actor: 't' });
    const reversal = reversalOf(electric, { postedAt: '2026-02-10T00:00:00.000Z', description: 'billed in error', actor: 't' });
    // The electric payment now pays the water bill, and 70.00 is a credit.
    expect(accountBalance([electric, paid, water, reversal], '2026-04-01')).toMatchObject({ balance: '-70.00', credit: '70.00', pastDue: '0.00' });
    const refund = refundEntry({ accountId: 'A1', refundId: 'R1', amount: new Decimal('100'), postedAt: '2026-03-01T00:00:00.000Z', description: 'r', actor: 't' });
    // Refunding 100.00 of a 70.00 credit leaves 30.00 owed since the refund day.
    const after = accountBalance([electric, paid, water, reversal, refund], '2026-04-01');
    expect(after).toMatchObject({ balance: '30.00', pastDue: '30.00' });
    expect(after.aging['31-60']).toBe('30.00');
  });
});
