/**
 * Payment arrangements: what a customer owes today, spread over a down payment and monthly
 * installments (whole cents, the remainder cents on the last installment). Payments made while
 * an arrangement is ACTIVE pay its installments first; the arrangement is then on track, behind
 * (an installment unpaid after its due date, within the grace period), broken (an installment
 * still unpaid `graceDays` after its due date) or kept (everything paid).
 */
import { Decimal } from 'decimal.js';
import { addDays, isCalendarDate } from './calendar';
import { InvalidInput, RuleViolation } from './errors';
import { formatMoney, Money, sumAmounts } from './money';
import type { OpenCharge } from './ledger';

export const ARRANGEMENT_STATUSES = ['ACTIVE', 'KEPT', 'BROKEN', 'CANCELLED'] as const;
export type ArrangementStatus = (typeof ARRANGEMENT_STATUSES)[number];

/** The most installments one arrangement may have. */
export const MAX_INSTALLMENTS = 36;
/** Days after its due date an installment may stay unpaid before the arrangement is broken (default). */
export const DEFAULT_ARRANGEMENT_GRACE_DAYS = 5;

export interface Installment {
  /** 0 = the down payment, then 1..n. */
  number: number;
  dueDate: string;
  amount: string;
}

export interface Arrangement {
  arrangementId: string;
  accountId: string;
  status: ArrangementStatus;
  /** What the arrangement spreads: the open charges it covers when it was made. */
  amount: string;
  downPayment: string;
  installments: Installment[];
  /** The ledger entries of the charges it covers. */
  coveredCharges: string[];
  graceDays: number;
  createdAt: string;
  createdBy: string;
  closedAt?: string;
  closedBy?: string;
  closeReason?: string;
}

/** The part of one payment that paid an arrangement's installments. */
export interface ArrangementShare {
  arrangementId: string;
  amount: string;
}

export type ArrangementState = 'on-track' | 'behind' | 'broken' | 'kept';

export interface ArrangementTracking {
  state: ArrangementState;
  paid: string;
  remaining: string;
  /** Installments due on or before `asOf` and not yet paid in full. */
  overdue: Array<{ number: number; dueDate: string; unpaid: string }>;
  /** The next installment not paid in full (null once kept). */
  next: { number: number; dueDate: string; unpaid: string } | null;
  asOf: string;
}

/** `day` plus `months` calendar months; a day past the target month's end is its last day (Jan 31 + 1 = Feb 28). */
export function addMonths(day: string, months: number): string {
  const [y, m, d] = day.split('-').map(Number) as [number, number, number];
  const index = y * 12 + (m - 1) + months;
  const year = Math.floor(index / 12);
  const month = (index % 12) + 1;
  const last = new Date(Date.UTC(year, month, 0)).getUTCDate();
  return `${String(year).padStart(4, '0')}-${String(month).padStart(2, '0')}-${String(Math.min(d, last)).padStart(2, '0')}`;
}

/**
 * The installments of `total`: a down payment (if any) due `startDay`, then `count` monthly
 * installments from `firstDue`, each the same whole-cent amount rounded down, the remainder
 * cents on the last one.
 */
export function planInstallments(input: { total: Decimal; count: number; firstDue: string; downPayment?: Decimal; startDay: string }): Installment[] {
  const down = input.downPayment ?? new Money(0);
  if (!Number.isInteger(input.count) || input.count < 1 || input.count > MAX_INSTALLMENTS) throw new InvalidInput(`installments must be a whole number from 1 to ${MAX_INSTALLMENTS}`, [{ path: 'body.installments', message: `must be 1 to ${MAX_INSTALLMENTS}` }]);
  if (!isCalendarDate(input.firstDue)) throw new InvalidInput(`firstDueDate must be a calendar date, got ${input.firstDue}`);
  if (!input.total.gt(0)) throw new RuleViolation('nothing-to-arrange', 'there is nothing to spread: the account owes nothing');
  if (down.isNegative() || down.decimalPlaces() > 2) throw new InvalidInput('downPayment must be whole cents, not negative', [{ path: 'body.downPayment', message: 'whole cents, not negative' }]);
  if (down.gte(input.total)) throw new RuleViolation('down-payment-covers-all', `a down payment of ${formatMoney(down)} pays the whole ${formatMoney(input.total)}; take a payment instead`);
  if (input.firstDue < input.startDay) throw new RuleViolation('first-due-in-past', `the first installment cannot fall due before ${input.startDay}`);
  const rest = input.total.minus(down);
  const each = rest.div(input.count).toDecimalPlaces(2, Decimal.ROUND_DOWN);
  if (each.isZero()) throw new RuleViolation('installment-too-small', `${formatMoney(rest)} over ${input.count} installments is less than a cent each`);
  const installments: Installment[] = down.gt(0) ? [{ number: 0, dueDate: input.startDay, amount: formatMoney(down) }] : [];
  for (let n = 1; n <= input.count; n++) {
    const amount = n === input.count ? rest.minus(each.times(input.count - 1)) : each;
    installments.push({ number: n, dueDate: addMonths(input.firstDue, n - 1), amount: formatMoney(amount) });
  }
  return installments;
}

/** What payments paid toward the arrangement (returned payments no longer count). */
export function arrangementPaid(arrangementId: string, payments: ReadonlyArray<{ status: string; arrangement?: ArrangementShare | undefined }>): Decimal {
  return sumAmounts(payments.filter((p) => p.status === 'POSTED' && p.arrangement?.arrangementId === arrangementId).map((p) => new Money(p.arrangement!.amount)));
}

/** The part of a new payment of `amount` that pays the arrangement's installments: all of it up to what is left. */
export function arrangementShareOf(arrangement: Arrangement, paid: Decimal, amount: Decimal): Decimal {
  const left = new Money(arrangement.amount).minus(paid);
  return left.lte(0) ? new Money(0) : Money.min(left, amount);
}

/**
 * Where the arrangement stands on `asOf` after `paid`: payments fill the installments in order.
 * Broken as soon as an installment is unpaid more than `graceDays` after its due date, behind
 * while one is unpaid after its due date within the grace, kept once all is paid.
 */
export function evaluateArrangement(arrangement: Pick<Arrangement, 'amount' | 'installments' | 'graceDays'>, paid: Decimal, asOf: string): ArrangementTracking {
  let left = paid;
  const overdue: ArrangementTracking['overdue'] = [];
  let next: ArrangementTracking['next'] = null;
  let broken = false;
  for (const installment of arrangement.installments) {
    const amount = new Money(installment.amount);
    const covered = Money.min(Money.max(left, 0), amount);
    left = left.minus(covered);
    const unpaid = amount.minus(covered);
    if (unpaid.lte(0)) continue;
    const view = { number: installment.number, dueDate: installment.dueDate, unpaid: formatMoney(unpaid) };
    next ??= view;
    if (installment.dueDate < asOf) {
      overdue.push(view);
      if (addDays(installment.dueDate, arrangement.graceDays) < asOf) broken = true;
    }
  }
  const total = new Money(arrangement.amount);
  const remaining = Money.max(total.minus(paid), 0);
  const state: ArrangementState = remaining.isZero() ? 'kept' : broken ? 'broken' : overdue.length > 0 ? 'behind' : 'on-track';
  return { state, paid: formatMoney(Money.min(paid, total)), remaining: formatMoney(remaining), overdue, next, asOf };
}

/**
 * The charges an arrangement protects on `asOf` (from late fees and collections): those it
 * covers while it is ACTIVE and neither broken nor kept; none otherwise.
 */
export function protectedCharges(arrangement: Arrangement | undefined, tracking: ArrangementTracking | undefined): ReadonlySet<string> {
  if (!arrangement || arrangement.status !== 'ACTIVE' || !tracking || tracking.state === 'broken' || tracking.state === 'kept') return new Set();
  return new Set(arrangement.coveredCharges);
}

/** What a new arrangement covers: every open charge of the account, and their open total. */
export function arrangeableCharges(charges: readonly OpenCharge[]): { coveredCharges: string[]; amount: Decimal } {
  const real = charges.filter((charge) => charge.open.gt(0));
  return { coveredCharges: real.map((charge) => charge.entryId), amount: sumAmounts(real.map((charge) => charge.open)) };
}
