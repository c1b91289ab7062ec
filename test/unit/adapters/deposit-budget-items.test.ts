import { budgetFromItem, budgetToItem, depositFromItem, depositToItem, ledgerEntryFromItem, ledgerEntryToItem } from '../../../shared/adapters/ledger-store';
import type { BudgetPlan } from '../../../shared/domain/budget';
import type { Deposit } from '../../../shared/domain/deposits';
import { depositRefundEntry } from '../../../shared/domain/deposits';
import { Money } from '../../../shared/domain/money';

const held: Deposit = { depositId: 'D1', accountId: 'A1', status: 'BILLED', amount: '150.00', reason: 'late-payments', createdAt: '2026-01-10T17:00:00.000Z', createdBy: 'csr1', entryId: 'LE1', dueDate: '2026-01-31', interestThrough: '2026-02-28' };

describe('deposit and budget items', () => {
  it('keeps a held deposit on the held-deposits index and takes a refunded one off it', () => {
    expect(depositToItem(held)).toMatchObject({ PK: 'ACCOUNT#A1', SK: 'DEPOSIT#D1', GSI2PK: 'TYPE#DEPOSIT#BILLED', GSI2SK: 'A1#D1', type: 'DEPOSIT' });
    expect(depositFromItem(depositToItem(held))).toEqual(held);
    const refunded: Deposit = { ...held, status: 'REFUNDED', refundedAt: '2027-01-11T17:00:00.000Z', refundedBy: 'csr1', refundEntryId: 'LE2', refund: { principal: '150.00', interest: '3.01', appliedToBalance: '100.00', credited: '53.01', refunded: '0.00', cancelledUnpaid: '0.00' } };
    const item = depositToItem(refunded);
    expect(item).not.toHaveProperty('GSI2PK');
    expect(depositFromItem(item)).toEqual(refunded);
  });

  it('maps a budget plan both ways and refuses an unknown status', () => {
    const plan: BudgetPlan = { accountId: 'A1', status: 'ENDED', levelizedAmount: '113.00', basis: 'history', billsConsidered: 3, enrolledAt: '2026-01-02T17:00:00.000Z', enrolledBy: 'portal:C1', anniversary: '2027-01-02', billsSinceCalculation: 0, trueUps: 1, version: 4, endedAt: '2026-06-01T00:00:00.000Z', endedBy: 'csr1', endReason: 'unenrolled' };
    expect(budgetToItem(plan)).toMatchObject({ PK: 'ACCOUNT#A1', SK: 'BUDGET' });
    expect(budgetFromItem(budgetToItem(plan))).toEqual(plan);
    expect(() => budgetFromItem({ ...budgetToItem(plan), status: 'PAUSED' })).toThrow(/status/);
  });

  it('keeps the charge a credit is aimed at on the posting', () => {
    const entry = depositRefundEntry({ accountId: 'A1', depositId: 'D1', depositEntryId: 'LE1', billed: new Money('150.00'), paid: new Money('50.00'), interest: new Money('0.20'), postedAt: '2026-03-01T00:00:00.000Z', actor: 'x', reason: 'r' });
    expect(ledgerEntryFromItem(ledgerEntryToItem(entry))).toEqual(entry);
    expect(entry.postings.find((p) => p.appliesTo)).toEqual({ ledgerAccount: 'ACCOUNTS_RECEIVABLE', side: 'credit', amount: '100.00', service: 'deposit', appliesTo: 'LE1' });
  });
});
