/**
 * Disputes: a customer contests charges (a bill, a fee). Staff open a dispute naming the charge
 * entries and the amount disputed and close it with a resolution; while it is OPEN, the disputed
 * amount draws no late fee and (later) no collection action.
 */
import type { Decimal } from 'decimal.js';
import { RuleViolation } from './errors';
import { CHARGE_KINDS, type LedgerEntry, type OpenCharge } from './ledger';
import { formatMoney, Money, sumAmounts } from './money';

export type DisputeStatus = 'OPEN' | 'CLOSED';

export interface Dispute {
  disputeId: string;
  accountId: string;
  status: DisputeStatus;
  /** The charge entries disputed. */
  entryIds: string[];
  /** The amount disputed over those charges (decimal string). */
  amount: string;
  reason: string;
  openedAt: string;
  openedBy: string;
  closedAt?: string;
  closedBy?: string;
  resolution?: string;
}

/** The most charges one dispute may name. */
export const MAX_DISPUTED_CHARGES = 20;

/** The receivable amount a charge entry put on the account (its receivable debits). */
function chargedBy(entry: LedgerEntry): Decimal {
  return sumAmounts(entry.postings.filter((p) => p.ledgerAccount === 'ACCOUNTS_RECEIVABLE' && p.side === 'debit').map((p) => new Money(p.amount)));
}

/**
 * Checks what a new dispute names: each entry a charge of the account that was not reversed,
 * the amount at most what those charges put on the account. Without an amount, the charges'
 * open amounts are disputed. Returns the amount disputed.
 */
export function disputedAmountFor(entries: readonly LedgerEntry[], charges: readonly OpenCharge[], entryIds: readonly string[], amount: Decimal | undefined): Decimal {
  const reversed = new Set(entries.flatMap((e) => (e.reverses ? [e.reverses] : [])));
  let charged = new Money(0);
  for (const entryId of entryIds) {
    const entry = entries.find((e) => e.entryId === entryId);
    if (!entry) throw new RuleViolation('unknown-charge', `the account has no ledger entry ${entryId}`);
    if (!CHARGE_KINDS.has(entry.kind) || chargedBy(entry).lte(0)) throw new RuleViolation('not-a-charge', `entry ${entryId} (${entry.kind}) is not a charge`);
    if (reversed.has(entryId)) throw new RuleViolation('charge-reversed', `entry ${entryId} was reversed`);
    charged = charged.plus(chargedBy(entry));
  }
  const disputed = amount ?? sumAmounts(charges.filter((c) => entryIds.includes(c.entryId)).map((c) => c.open));
  if (!disputed.gt(0)) throw new RuleViolation('nothing-to-dispute', 'the charges named are paid; nothing is left to dispute');
  if (disputed.gt(charged)) throw new RuleViolation('amount-exceeds-charges', `the disputed ${formatMoney(disputed)} is more than the ${formatMoney(charged)} those charges put on the account`);
  return disputed;
}

/**
 * The disputed part of each open charge: every OPEN dispute's amount spread over its charges
 * oldest first, never more than a charge's open amount.
 */
export function disputedByCharge(disputes: readonly Dispute[], charges: readonly OpenCharge[]): Map<string, Decimal> {
  const result = new Map<string, Decimal>();
  for (const dispute of disputes) {
    if (dispute.status !== 'OPEN') continue;
    let left = new Money(dispute.amount);
    for (const charge of charges) {
      if (left.lte(0)) break;
      if (!dispute.entryIds.includes(charge.entryId)) continue;
      const already = result.get(charge.entryId) ?? new Money(0);
      const take = Money.min(left, Money.max(charge.open.minus(already), 0));
      result.set(charge.entryId, already.plus(take));
      left = left.minus(take);
    }
  }
  return result;
}
