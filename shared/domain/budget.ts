/**
 * Budget (levelized) billing. While an account is enrolled, every issued bill is posted as usual
 * (BILL) and followed by a BUDGET entry that moves the difference between the bill and the
 * levelized amount into the DEFERRED_BALANCE sub-ledger, so the customer owes the levelized
 * amount while the true receivable stays visible (receivable + deferred balance):
 * - a bill above the levelized amount: credit the receivable by the difference, aimed at that
 *   bill (it lowers that bill, never an older past-due one), debit DEFERRED_BALANCE;
 * - a bill below it: debit the receivable by the difference (a charge due with the bill),
 *   credit DEFERRED_BALANCE.
 * The true-up (BUDGET_TRUE_UP, at the anniversary, at unenrollment and on the final bill) posts
 * the deferred balance back to the receivable: a charge when billed usage ran ahead of the
 * levelized amounts, a credit (paying open charges oldest first) when it ran behind.
 *
 * The levelized amount: the average of the account's last 12 bills (fewer when it has fewer:
 * the average of those) plus one twelfth of the deferred balance, rounded up to the whole
 * dollar; without any bill, an estimate (the sum of the services' estimated monthly bills, or an
 * amount staff enter). It is recalculated every `recalculateEveryBills` bills and at each true-up.
 */
import type { Decimal } from 'decimal.js';
import { addMonths } from './arrangements';
import { InvalidInput, RuleViolation } from './errors';
import { assertBalanced, entryIdFor, postingDay, type LedgerEntry, type Posting } from './ledger';
import { formatMoney, Money } from './money';

export const BUDGET_STATUSES = ['ACTIVE', 'ENDED'] as const;
export type BudgetStatus = (typeof BUDGET_STATUSES)[number];

/** Bills the levelized amount is computed from. */
export const BUDGET_HISTORY_BILLS = 12;
/** Bills between two recalculations of the levelized amount. */
export const DEFAULT_RECALCULATE_EVERY_BILLS = 3;

export type LevelizedBasis = 'history' | 'estimate' | 'staff';

export interface BudgetPlan {
  accountId: string;
  status: BudgetStatus;
  /** What the customer owes per bill (decimal string, whole dollars unless staff set cents). */
  levelizedAmount: string;
  basis: LevelizedBasis;
  /** Bills the amount was computed from (0 for an estimate or a staff amount). */
  billsConsidered: number;
  enrolledAt: string;
  enrolledBy: string;
  /** The next true-up: the first bill issued on or after this day trues up (YYYY-MM-DD). */
  anniversary: string;
  /** Bills applied since the amount was last computed. */
  billsSinceCalculation: number;
  /** True-ups posted so far (the next one's key). */
  trueUps: number;
  /** Bumped by every change: concurrent changes of one plan cannot both win. */
  version: number;
  endedAt?: string;
  endedBy?: string;
  endReason?: 'unenrolled' | 'final-bill';
}

/** Rounds up to the next whole dollar (12.01 -> 13.00, 12.00 -> 12.00); never below 0. */
export function roundUpToDollar(amount: Decimal): Decimal {
  if (amount.lte(0)) return new Money(0);
  return amount.ceil();
}

/**
 * The levelized amount from the last bills (up to 12, oldest first) and the deferred balance
 * (positive: billed usage ran ahead of the levelized amounts). Without bills, the estimate.
 */
export function levelizedAmount(billTotals: readonly Decimal[], deferred: Decimal, estimate?: Decimal): { amount: Decimal; basis: LevelizedBasis; billsConsidered: number } {
  const recent = billTotals.slice(-BUDGET_HISTORY_BILLS);
  if (recent.length > 0) {
    const average = recent.reduce((sum, total) => sum.plus(total), new Money(0)).div(recent.length);
    return { amount: roundUpToDollar(average.plus(deferred.div(BUDGET_HISTORY_BILLS))), basis: 'history', billsConsidered: recent.length };
  }
  if (!estimate) throw new RuleViolation('no-billing-history', 'the account has no bills yet: give a levelized amount or an estimate');
  return { amount: roundUpToDollar(estimate.plus(deferred.div(BUDGET_HISTORY_BILLS))), basis: 'estimate', billsConsidered: 0 };
}

/** What a bill entry charges the receivable (debits less credits). */
export function billReceivable(billEntry: LedgerEntry): Decimal {
  return billEntry.postings
    .filter((p) => p.ledgerAccount === 'ACCOUNTS_RECEIVABLE')
    .reduce((sum, p) => (p.side === 'debit' ? sum.plus(p.amount) : sum.minus(p.amount)), new Money(0));
}

/** The deferred balance: DEFERRED_BALANCE debits less credits (positive: the customer will owe it at the true-up). */
export function deferredBalance(entries: readonly LedgerEntry[]): Decimal {
  return entries
    .flatMap((entry) => entry.postings.filter((p) => p.ledgerAccount === 'DEFERRED_BALANCE'))
    .reduce((sum, p) => (p.side === 'debit' ? sum.plus(p.amount) : sum.minus(p.amount)), new Money(0));
}

export const budgetKey = (billId: string) => `budget:${billId}`;
export const budgetTrueUpKey = (accountId: string, enrolledAt: string, number: number) => `budget-true-up:${accountId}:${enrolledAt}:${number}`;

function keyed(fields: Omit<LedgerEntry, 'entryId'>): LedgerEntry {
  const entry: LedgerEntry = { entryId: entryIdFor(fields.kind, fields.accountId, fields.idempotencyKey), ...fields };
  assertBalanced(entry);
  return entry;
}

/** The BUDGET entry of one issued bill, keyed budget:<billId>: the customer owes the levelized amount for it. */
export function budgetEntryForBill(input: { billEntry: LedgerEntry; levelized: Decimal; postedAt: string; actor: string }): LedgerEntry {
  const { billEntry } = input;
  if (billEntry.kind !== 'BILL' || !billEntry.billId) throw new InvalidInput(`entry ${billEntry.entryId} is not a bill`);
  const difference = billReceivable(billEntry).minus(input.levelized);
  const amount = formatMoney(difference.abs());
  const postings: Posting[] = difference.gt(0)
    ? [
        { ledgerAccount: 'DEFERRED_BALANCE', side: 'debit', amount },
        { ledgerAccount: 'ACCOUNTS_RECEIVABLE', side: 'credit', amount, appliesTo: billEntry.entryId },
      ]
    : [
        { ledgerAccount: 'ACCOUNTS_RECEIVABLE', side: 'debit', amount },
        { ledgerAccount: 'DEFERRED_BALANCE', side: 'credit', amount },
      ];
  return keyed({
    accountId: billEntry.accountId,
    postedAt: input.postedAt,
    kind: 'BUDGET',
    idempotencyKey: budgetKey(billEntry.billId),
    description: `Budget billing on bill ${billEntry.billId}: levelized ${formatMoney(input.levelized)}, billed ${formatMoney(billReceivable(billEntry))}`,
    postings,
    ...(difference.gt(0) ? {} : { dueDate: billEntry.dueDate ?? postingDay(billEntry.postedAt) }),
    billId: billEntry.billId,
    actor: input.actor,
  });
}

/** The true-up: the deferred balance back to the receivable (a charge due `dueDate`, or a credit). */
export function budgetTrueUpEntry(input: { plan: Pick<BudgetPlan, 'accountId' | 'enrolledAt' | 'trueUps'>; deferred: Decimal; postedAt: string; dueDate: string; reason: string; actor: string }): LedgerEntry {
  const amount = formatMoney(input.deferred.abs());
  const owes = input.deferred.gte(0);
  return keyed({
    accountId: input.plan.accountId,
    postedAt: input.postedAt,
    kind: 'BUDGET_TRUE_UP',
    idempotencyKey: budgetTrueUpKey(input.plan.accountId, input.plan.enrolledAt, input.plan.trueUps + 1),
    description: `Budget billing true-up (${input.reason}): deferred balance ${formatMoney(input.deferred)}`,
    postings: owes
      ? [
          { ledgerAccount: 'ACCOUNTS_RECEIVABLE', side: 'debit', amount },
          { ledgerAccount: 'DEFERRED_BALANCE', side: 'credit', amount },
        ]
      : [
          { ledgerAccount: 'DEFERRED_BALANCE', side: 'debit', amount },
          { ledgerAccount: 'ACCOUNTS_RECEIVABLE', side: 'credit', amount },
        ],
    ...(owes ? { dueDate: input.dueDate } : {}),
    actor: input.actor,
  });
}

/** The first anniversary of an enrollment (or of the last true-up). */
export function nextAnniversary(fromDay: string): string {
  return addMonths(fromDay, 12);
}
