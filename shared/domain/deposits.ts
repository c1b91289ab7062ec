/**
 * Customer deposits: whether a new account must pay one (credit history and service class), the
 * DEPOSIT charge, its statutory simple interest and its refund after good standing.
 *
 * Ledger design: a deposit is billed as a charge (DEPOSIT entry: debit the receivable, service
 * "deposit", credit DEPOSITS_HELD), so payments, the balance and aging treat it like any
 * charge (it never draws a late fee: only bills do). What the utility holds is the paid part of
 * that charge. Interest (DEPOSIT_INTEREST: debit DEPOSIT_INTEREST_EXPENSE, credit DEPOSITS_HELD)
 * accrues daily, simple (actual/365, never on earlier interest), on the principal held at the
 * end of each day, and is posted per calendar month, rounded half-up once per month. The refund
 * (DEPOSIT_REFUND) debits DEPOSITS_HELD by everything it holds for the deposit and credits the
 * receivable: the unpaid part of the charge is cancelled (a credit aimed at it), the paid part and
 * the interest pay the account's open charges oldest first; what is left is a credit, or is
 * refunded (REFUND entry) in the same transaction.
 */
import { createHash } from 'node:crypto';
import type { Decimal } from 'decimal.js';
import { addMonths } from './arrangements';
import { addDays } from './calendar';
import type { ServiceClass } from './customers/model';
import { InvalidInput } from './errors';
import { assertBalanced, entryIdFor, openCharges, postingDay, type LedgerEntry, type Posting } from './ledger';
import { formatMoney, Money, roundToCents } from './money';

/** The receivable "service" of deposit charges (the balance shows it on a line of its own). */
export const DEPOSIT_SERVICE = 'deposit';

export const DEPOSIT_STATUSES = ['BILLED', 'REFUNDED', 'WAIVED'] as const;
export type DepositStatus = (typeof DEPOSIT_STATUSES)[number];

export interface DepositClassRule {
  /** The deposit is this many months of the average (or estimated) monthly bill, e.g. 2 (1/6 of a year). */
  months: string;
  /** The largest deposit of the class (decimal string). */
  cap: string;
}

/** A utility's deposit rules (CDK context `depositPolicy` / DEPOSIT_POLICY, checked by one zod schema). */
export interface DepositRules {
  /** Months of history the credit checks look back on. */
  lookbackMonths: number;
  /** A customer without any earlier account with the utility pays a deposit. */
  requireWithoutHistory: boolean;
  /** A deposit when the customer had more returned payments than this within the lookback. */
  maxReturnedPayments: number;
  /** A deposit when the customer had more late payments (late fees) than this within the lookback. */
  maxLatePayments: number;
  /** A deposit after a disconnection for non-payment within the lookback. */
  requireAfterDisconnection: boolean;
  classes: Record<ServiceClass, DepositClassRule>;
  /** The estimated monthly bill per service type, used when the customer has no billing history. */
  estimatedMonthlyBill: Record<string, string>;
  /** The statutory simple interest rate per year, in percent (e.g. "2.5"). */
  annualInterestPercent: string;
  /** Months of good standing (no late or returned payment, no disconnection) before the refund. */
  refundAfterMonths: number;
  /** Days from billing a deposit to its due date. */
  dueDays: number;
}

export const DEFAULT_DEPOSIT_RULES: DepositRules = {
  lookbackMonths: 12,
  requireWithoutHistory: false,
  maxReturnedPayments: 0,
  maxLatePayments: 2,
  requireAfterDisconnection: true,
  classes: {
    RESIDENTIAL: { months: '2', cap: '400.00' },
    COMMERCIAL: { months: '2', cap: '5000.00' },
    INDUSTRIAL: { months: '2', cap: '20000.00' },
    IRRIGATION: { months: '2', cap: '2000.00' },
  },
  estimatedMonthlyBill: { water: '60.00', electric: '120.00', gas: '70.00', sewer: '40.00', stormwater: '10.00' },
  annualInterestPercent: '2.0',
  refundAfterMonths: 12,
  dueDays: 21,
};

/** The built-in rules with a utility's changes (each class and service estimate replaced as a whole). */
export function depositRulesWith(patch: Partial<Omit<DepositRules, 'classes' | 'estimatedMonthlyBill'>> & { classes?: Partial<Record<ServiceClass, DepositClassRule>>; estimatedMonthlyBill?: Partial<Record<string, string>> }): DepositRules {
  const { classes, estimatedMonthlyBill, ...rest } = patch;
  const defined = <T extends object>(value: T) => Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as Partial<T>;
  return {
    ...DEFAULT_DEPOSIT_RULES,
    ...defined(rest),
    classes: { ...DEFAULT_DEPOSIT_RULES.classes, ...(defined(classes ?? {}) as Partial<Record<ServiceClass, DepositClassRule>>) },
    estimatedMonthlyBill: { ...DEFAULT_DEPOSIT_RULES.estimatedMonthlyBill, ...(defined(estimatedMonthlyBill ?? {}) as Record<string, string>) },
  };
}

/** What the credit check knows about a customer (from the customer's other accounts). */
export interface CreditFacts {
  /** The customer had an account with the utility before. */
  hasHistory: boolean;
  /** Days (YYYY-MM-DD) of returned payments, late fees and completed disconnections. */
  returnedPayments: readonly string[];
  latePayments: readonly string[];
  disconnections: readonly string[];
  /** Totals of the customer's bills in the lookback (any account), newest last. */
  billTotals: readonly Decimal[];
  /** The service types of the new account (for the estimate). */
  serviceTypes: readonly string[];
}

export interface DepositRequirement {
  required: boolean;
  /** Decimal string ("0.00" when not required). */
  amount: string;
  /** Comma-separated reason codes: no-credit-history, returned-payments, late-payments, prior-disconnection; or good-credit-history. */
  reason: string;
  /** The monthly bill the amount was computed from, and whether it is the average of past bills or an estimate. */
  basis: { monthly: string; source: 'history' | 'estimate' };
}

/** Days within the `months` months up to and including `asOf`. */
export function withinMonths(days: readonly string[], asOf: string, months: number): string[] {
  const from = addMonths(asOf, -months);
  return days.filter((day) => day > from && day <= asOf);
}

/** The average monthly bill (bills in the lookback, exact) or, without bills, the sum of the services' estimates. */
export function monthlyBasis(rules: DepositRules, facts: Pick<CreditFacts, 'billTotals' | 'serviceTypes'>): { monthly: Decimal; source: 'history' | 'estimate' } {
  const positive = facts.billTotals.filter((total) => total.gt(0));
  if (positive.length > 0) return { monthly: positive.reduce((sum, total) => sum.plus(total), new Money(0)).div(positive.length), source: 'history' };
  return { monthly: facts.serviceTypes.reduce((sum, service) => sum.plus(rules.estimatedMonthlyBill[service] ?? '0'), new Money(0)), source: 'estimate' };
}

/** Whether a deposit is required, and how much: the class's months of the monthly basis, at most its cap. */
export function depositRequirement(rules: DepositRules, facts: CreditFacts, serviceClass: ServiceClass, asOf: string): DepositRequirement {
  const reasons: string[] = [];
  if (!facts.hasHistory && rules.requireWithoutHistory) reasons.push('no-credit-history');
  if (withinMonths(facts.returnedPayments, asOf, rules.lookbackMonths).length > rules.maxReturnedPayments) reasons.push('returned-payments');
  if (withinMonths(facts.latePayments, asOf, rules.lookbackMonths).length > rules.maxLatePayments) reasons.push('late-payments');
  if (rules.requireAfterDisconnection && withinMonths(facts.disconnections, asOf, rules.lookbackMonths).length > 0) reasons.push('prior-disconnection');
  const exact = monthlyBasis(rules, facts);
  const basis = { monthly: formatMoney(exact.monthly), source: exact.source };
  if (reasons.length === 0) return { required: false, amount: '0.00', reason: facts.hasHistory ? 'good-credit-history' : 'no-credit-history-not-required', basis };
  const rule = rules.classes[serviceClass];
  // Rounded once, after multiplying (2 x 1250.005 = 2500.01, not 2 x 1250.01).
  const amount = Money.min(roundToCents(exact.monthly.times(rule.months)), new Money(rule.cap));
  return { required: amount.gt(0), amount: formatMoney(amount), reason: reasons.join(','), basis };
}

export interface DepositRefundSummary {
  principal: string;
  interest: string;
  /** What paid open charges of the account. */
  appliedToBalance: string;
  /** What was left as a credit on the account (or refunded, with `refunded`). */
  credited: string;
  refunded: string;
  /** The unpaid part of the deposit charge that the refund cancelled. */
  cancelledUnpaid: string;
}

export interface Deposit {
  depositId: string;
  accountId: string;
  status: DepositStatus;
  /** What was required (decimal string). */
  amount: string;
  reason: string;
  createdAt: string;
  createdBy: string;
  /** BILLED (and later): the DEPOSIT entry and its due date. */
  entryId?: string;
  dueDate?: string;
  /** The last day whose interest was posted. */
  interestThrough?: string;
  refundedAt?: string;
  refundedBy?: string;
  refundEntryId?: string;
  refund?: DepositRefundSummary;
}

/** A deposit's id from the request's idempotency key. */
export function depositIdFor(accountId: string, idempotencyKey: string): string {
  return `D${createHash('sha256').update(JSON.stringify(['deposit', accountId, idempotencyKey])).digest('hex').slice(0, 20).toUpperCase()}`;
}

export const depositKey = (depositId: string) => `deposit:${depositId}`;
export const depositInterestKey = (depositId: string, month: string) => `deposit-interest:${depositId}:${month}`;
export const depositRefundKey = (depositId: string) => `deposit-refund:${depositId}`;

/** The DEPOSIT charge: debit the receivable (service "deposit"), credit DEPOSITS_HELD; due `dueDays` after posting. */
export function depositEntry(input: { accountId: string; depositId: string; amount: Decimal; postedAt: string; dueDays: number; reason: string; actor: string }): LedgerEntry {
  if (!input.amount.gt(0)) throw new InvalidInput('a deposit must be more than 0');
  const amount = formatMoney(input.amount);
  return keyed({
    accountId: input.accountId,
    postedAt: input.postedAt,
    kind: 'DEPOSIT',
    idempotencyKey: depositKey(input.depositId),
    description: `Deposit ${input.depositId} (${input.reason})`,
    postings: [
      { ledgerAccount: 'ACCOUNTS_RECEIVABLE', side: 'debit', amount, service: DEPOSIT_SERVICE },
      { ledgerAccount: 'DEPOSITS_HELD', side: 'credit', amount },
    ],
    dueDate: addDays(postingDay(input.postedAt), input.dueDays),
    actor: input.actor,
  });
}

function keyed(fields: Omit<LedgerEntry, 'entryId'>): LedgerEntry {
  const entry: LedgerEntry = { entryId: entryIdFor(fields.kind, fields.accountId, fields.idempotencyKey), ...fields };
  assertBalanced(entry);
  return entry;
}

/** The paid part of the deposit charge at the end of `day` (entries posted after it are ignored). */
export function principalHeld(entries: readonly LedgerEntry[], depositEntryId: string, day: string): Decimal {
  const upTo = entries.filter((entry) => postingDay(entry.postedAt) <= day);
  const deposit = upTo.find((entry) => entry.entryId === depositEntryId);
  if (!deposit || upTo.some((entry) => entry.reverses === depositEntryId)) return new Money(0);
  const depositId = deposit.idempotencyKey.slice('deposit:'.length);
  if (upTo.some((entry) => entry.kind === 'DEPOSIT_REFUND' && entry.idempotencyKey === depositRefundKey(depositId))) return new Money(0);
  const billed = deposit.postings.filter((p) => p.ledgerAccount === 'ACCOUNTS_RECEIVABLE' && p.side === 'debit').reduce((sum, p) => sum.plus(p.amount), new Money(0));
  const open = openCharges(upTo).charges.filter((charge) => charge.entryId === depositEntryId).reduce((sum, charge) => sum.plus(charge.open), new Money(0));
  return billed.minus(open);
}

/** Interest posted for the deposit so far (DEPOSIT_INTEREST entries keyed by it, less reversals). */
export function interestPosted(entries: readonly LedgerEntry[], depositId: string): Decimal {
  const reversed = new Set(entries.flatMap((entry) => (entry.reverses ? [entry.reverses] : [])));
  return entries
    .filter((entry) => entry.kind === 'DEPOSIT_INTEREST' && entry.idempotencyKey.startsWith(`deposit-interest:${depositId}:`) && !reversed.has(entry.entryId))
    .flatMap((entry) => entry.postings.filter((p) => p.ledgerAccount === 'DEPOSITS_HELD' && p.side === 'credit'))
    .reduce((sum, p) => sum.plus(p.amount), new Money(0));
}

/** Simple interest on the principal held each day from `from` to `to` (both included), actual/365, rounded half-up once. */
export function depositInterest(entries: readonly LedgerEntry[], depositEntryId: string, from: string, to: string, annualPercent: Decimal): Decimal {
  if (to < from) return new Money(0);
  let total = new Money(0);
  const daily = annualPercent.div(100).div(365);
  for (let day = from; day <= to; day = addDays(day, 1)) total = total.plus(principalHeld(entries, depositEntryId, day).times(daily));
  return roundToCents(total);
}

/** The calendar months (YYYY-MM with their first and last day) from `from` to `to`, clipped to those days. */
export function monthlyPeriods(from: string, to: string): Array<{ month: string; from: string; to: string }> {
  const periods: Array<{ month: string; from: string; to: string }> = [];
  let start = from;
  while (start <= to) {
    const month = start.slice(0, 7);
    const lastOfMonth = addDays(addMonths(`${month}-01`, 1), -1);
    const end = lastOfMonth < to ? lastOfMonth : to;
    periods.push({ month, from: start, to: end });
    start = addDays(end, 1);
  }
  return periods;
}

/** DEPOSIT_INTEREST for one month: debit interest expense, credit DEPOSITS_HELD (no receivable effect). */
export function depositInterestEntry(input: { accountId: string; depositId: string; month: string; from: string; to: string; amount: Decimal; postedAt: string; actor: string }): LedgerEntry {
  const amount = formatMoney(input.amount);
  return keyed({
    accountId: input.accountId,
    postedAt: input.postedAt,
    kind: 'DEPOSIT_INTEREST',
    idempotencyKey: depositInterestKey(input.depositId, input.month),
    description: `Interest on deposit ${input.depositId} for ${input.from}..${input.to}`,
    postings: [
      { ledgerAccount: 'DEPOSIT_INTEREST_EXPENSE', side: 'debit', amount },
      { ledgerAccount: 'DEPOSITS_HELD', side: 'credit', amount },
    ],
    actor: input.actor,
  });
}

/**
 * DEPOSIT_REFUND: debit DEPOSITS_HELD by the billed amount plus interest; credit the unpaid part
 * to the deposit charge itself (cancelling it) and the rest (paid principal and interest) to the
 * receivable, where it pays open charges oldest first.
 */
export function depositRefundEntry(input: { accountId: string; depositId: string; depositEntryId: string; billed: Decimal; paid: Decimal; interest: Decimal; postedAt: string; actor: string; reason: string }): LedgerEntry {
  const unpaid = input.billed.minus(input.paid);
  if (unpaid.isNegative()) throw new InvalidInput(`deposit ${input.depositId}: paid ${formatMoney(input.paid)} is more than billed ${formatMoney(input.billed)}`);
  const returned = input.paid.plus(input.interest);
  const postings: Posting[] = [{ ledgerAccount: 'DEPOSITS_HELD', side: 'debit', amount: formatMoney(input.billed.plus(input.interest)) }];
  if (unpaid.gt(0)) postings.push({ ledgerAccount: 'ACCOUNTS_RECEIVABLE', side: 'credit', amount: formatMoney(unpaid), service: DEPOSIT_SERVICE, appliesTo: input.depositEntryId });
  if (returned.gt(0)) postings.push({ ledgerAccount: 'ACCOUNTS_RECEIVABLE', side: 'credit', amount: formatMoney(returned) });
  if (postings.length === 1) postings.push({ ledgerAccount: 'ACCOUNTS_RECEIVABLE', side: 'credit', amount: '0.00' });
  return keyed({
    accountId: input.accountId,
    postedAt: input.postedAt,
    kind: 'DEPOSIT_REFUND',
    idempotencyKey: depositRefundKey(input.depositId),
    description: `Refund of deposit ${input.depositId}: ${input.reason}`,
    postings,
    actor: input.actor,
  });
}

/** The day the deposit charge was paid in full (undefined while part is open). */
export function paidInFullOn(entries: readonly LedgerEntry[], depositEntryId: string): string | undefined {
  const deposit = entries.find((entry) => entry.entryId === depositEntryId);
  if (!deposit) return undefined;
  const days = [...new Set(entries.map((entry) => postingDay(entry.postedAt)))].filter((day) => day >= postingDay(deposit.postedAt)).sort();
  const billed = deposit.postings.filter((p) => p.ledgerAccount === 'ACCOUNTS_RECEIVABLE' && p.side === 'debit').reduce((sum, p) => sum.plus(p.amount), new Money(0));
  return days.find((day) => principalHeld(entries, depositEntryId, day).gte(billed));
}

export interface RefundEligibility {
  eligible: boolean;
  /** The first day the refund is due if the standing stays good (absent while the deposit is unpaid). */
  eligibleOn?: string;
  /** Why not yet: not-paid, too-soon, late-payments, returned-payments, disconnection. */
  blockers: string[];
}

/**
 * Good standing: the deposit paid in full at least `refundAfterMonths` months ago, and no late
 * payment, returned payment or disconnection within the last `refundAfterMonths` months.
 */
export function refundEligibility(rules: Pick<DepositRules, 'refundAfterMonths'>, facts: { paidOn: string | undefined; latePayments: readonly string[]; returnedPayments: readonly string[]; disconnections: readonly string[] }, asOf: string): RefundEligibility {
  if (!facts.paidOn) return { eligible: false, blockers: ['not-paid'] };
  const months = rules.refundAfterMonths;
  const blockers: string[] = [];
  const lastBad = [...facts.latePayments, ...facts.returnedPayments, ...facts.disconnections].filter((day) => day >= facts.paidOn!).sort().at(-1);
  const eligibleOn = addMonths(lastBad && lastBad > facts.paidOn ? lastBad : facts.paidOn, months);
  if (asOf < addMonths(facts.paidOn, months)) blockers.push('too-soon');
  if (withinMonths(facts.latePayments, asOf, months).length > 0) blockers.push('late-payments');
  if (withinMonths(facts.returnedPayments, asOf, months).length > 0) blockers.push('returned-payments');
  if (withinMonths(facts.disconnections, asOf, months).length > 0) blockers.push('disconnection');
  return { eligible: blockers.length === 0, eligibleOn, blockers };
}

/** Late fees and returned payments of a ledger, by day (the credit facts an account's own entries give). */
export function creditEventsOf(entries: readonly LedgerEntry[]): { latePayments: string[]; returnedPayments: string[] } {
  const reversed = new Set(entries.flatMap((entry) => (entry.reverses ? [entry.reverses] : [])));
  const live = entries.filter((entry) => !reversed.has(entry.entryId));
  return {
    latePayments: live.filter((entry) => entry.kind === 'FEE' && entry.idempotencyKey.startsWith('late-fee:')).map((entry) => postingDay(entry.postedAt)),
    returnedPayments: live.filter((entry) => entry.kind === 'PAYMENT_RETURN').map((entry) => postingDay(entry.postedAt)),
  };
}

