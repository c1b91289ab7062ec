/**
 * The ledger: every financial effect is one immutable, balanced entry with an idempotency key.
 * A correction is a reversing entry, never an edit.
 */
import type { Bill } from './billing';
import { formatMoney, Money, sumAmounts } from './money';
import { RuleViolation } from './errors';

export type LedgerAccount = 'ACCOUNTS_RECEIVABLE' | 'REVENUE';

export interface Posting {
  ledgerAccount: LedgerAccount;
  side: 'debit' | 'credit';
  /** Decimal string, two decimals, never negative. */
  amount: string;
}

export interface LedgerEntry {
  entryId: string;
  accountId: string;
  postedAt: string;
  kind: 'BILL';
  /** The business key that may be posted at most once: the bill id for a bill. */
  idempotencyKey: string;
  description: string;
  postings: Posting[];
}

export class UnbalancedEntry extends RuleViolation {
  override name = 'UnbalancedEntry';
}

export function assertBalanced(entry: Pick<LedgerEntry, 'entryId' | 'postings'>): void {
  const side = (wanted: Posting['side']) => sumAmounts(entry.postings.filter((p) => p.side === wanted).map((p) => new Money(p.amount)));
  if (entry.postings.some((p) => new Money(p.amount).isNegative())) throw new UnbalancedEntry('negative-posting', `ledger entry ${entry.entryId} has a negative posting`);
  if (!side('debit').equals(side('credit'))) throw new UnbalancedEntry('unbalanced', `ledger entry ${entry.entryId} does not balance`);
}

/** The entry a bill posts: debit accounts receivable, credit revenue, keyed by the bill id. */
export function ledgerEntryForBill(bill: Pick<Bill, 'billId' | 'accountId' | 'total' | 'periodStart' | 'periodEnd'>, postedAt: string): LedgerEntry {
  const amount = formatMoney(new Money(bill.total));
  const entry: LedgerEntry = {
    entryId: `LE${bill.billId}`,
    accountId: bill.accountId,
    postedAt,
    kind: 'BILL',
    idempotencyKey: bill.billId,
    description: `Bill ${bill.billId} for ${bill.periodStart}..${bill.periodEnd}`,
    postings: [
      { ledgerAccount: 'ACCOUNTS_RECEIVABLE', side: 'debit', amount },
      { ledgerAccount: 'REVENUE', side: 'credit', amount },
    ],
  };
  assertBalanced(entry);
  return entry;
}
