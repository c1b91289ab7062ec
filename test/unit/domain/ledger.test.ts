import { assertBalanced, ledgerEntryForBill, UnbalancedEntry } from '../../../shared/domain/ledger';

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
