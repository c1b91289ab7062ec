/**
 * Bill exceptions: checks a composed bill must pass before it is posted. A bill that fails one
 * is held for staff review instead of posted. Limits come in as arguments (the utility's
 * configuration); the account's history is the totals of its previous bills.
 */
import type { Bill } from './billing';
import { isMetered } from './customers/lifecycle';
import { InvalidInput } from './errors';
import { Money, parseDecimal } from './money';

export interface BillExceptionLimits {
  /** A bill above this multiple of the average of the previous bills is held (decimal string). */
  highFactor: string;
  /** A bill below this multiple of the average of the previous bills is held (decimal string). */
  lowFactor: string;
  /** Previous bills needed before the high and low checks apply. */
  minHistory: number;
  /** A bill total above this amount is always held (decimal string). */
  maxTotal: string;
  /** An estimated bill is held when more than this many bills in a row (it included) are estimated. @default 2 */
  maxEstimatedInARow?: number;
}

export const DEFAULT_MAX_ESTIMATED_IN_A_ROW = 2;
export const DEFAULT_BILL_EXCEPTION_LIMITS: BillExceptionLimits = { highFactor: '3', lowFactor: '0.2', minHistory: 3, maxTotal: '10000.00', maxEstimatedInARow: DEFAULT_MAX_ESTIMATED_IN_A_ROW };

export const BILL_EXCEPTION_REASONS = ['high-bill', 'low-bill', 'zero-usage', 'negative-usage', 'above-maximum', 'estimated-too-often', 'missing-reads', 'tariff-not-found', 'meter-not-found', 'unit-mismatch'] as const;
/** Holds that staff cannot release as they are: the record must be corrected and the bill cancelled (the next run bills it again). */
export const NOT_RELEASABLE_REASONS: ReadonlySet<BillExceptionReason> = new Set(['tariff-not-found', 'meter-not-found', 'unit-mismatch']);
export type BillExceptionReason = (typeof BILL_EXCEPTION_REASONS)[number];

/** What the checks need of the account's earlier bills. */
export interface BillExceptionHistory {
  /** Totals of the earlier bills (decimal strings). */
  previousTotals: readonly string[];
  /** How many of the most recent earlier bills, in a row, were estimated. */
  estimatedInARow?: number;
}

export interface BillException {
  reason: BillExceptionReason;
  message: string;
}

/** Refuses limits that cannot be applied, naming the limit. */
export function assertValidLimits(limits: BillExceptionLimits): void {
  const high = parseDecimal(limits.highFactor, 'highFactor');
  const low = parseDecimal(limits.lowFactor, 'lowFactor');
  const max = parseDecimal(limits.maxTotal, 'maxTotal');
  if (high.lte(1)) throw new InvalidInput(`highFactor must be greater than 1, got ${limits.highFactor}`);
  if (low.isNegative() || low.gte(1)) throw new InvalidInput(`lowFactor must be at least 0 and less than 1, got ${limits.lowFactor}`);
  if (!Number.isInteger(limits.minHistory) || limits.minHistory < 1) throw new InvalidInput(`minHistory must be a whole number of at least 1, got ${limits.minHistory}`);
  if (max.lte(0)) throw new InvalidInput(`maxTotal must be positive, got ${limits.maxTotal}`);
  const maxEstimated = limits.maxEstimatedInARow ?? DEFAULT_MAX_ESTIMATED_IN_A_ROW;
  if (!Number.isInteger(maxEstimated) || maxEstimated < 0) throw new InvalidInput(`maxEstimatedInARow must be a whole number of at least 0, got ${maxEstimated}`);
}

/**
 * The exceptions of `bill`, none when it may be posted. `previousTotals` (the totals of the
 * account's earlier bills, decimal strings, or the history with the estimated bills in a row):
 * high and low compare with their average once there are at least `minHistory` of them and the
 * average is positive. A service without reads and without history to estimate from
 * (estimateMethod `none`) is `missing-reads`, not `zero-usage`.
 */
export function billExceptions(bill: Bill, previous: readonly string[] | BillExceptionHistory, limits: BillExceptionLimits): BillException[] {
  const history: BillExceptionHistory = Array.isArray(previous) ? { previousTotals: previous as readonly string[] } : (previous as BillExceptionHistory);
  const previousTotals = history.previousTotals;
  const exceptions: BillException[] = [];
  const total = parseDecimal(bill.total, 'total');
  if (total.gt(parseDecimal(limits.maxTotal, 'maxTotal'))) exceptions.push({ reason: 'above-maximum', message: `total ${bill.total} is above the maximum ${limits.maxTotal}` });
  for (const service of bill.services) {
    if (service.unbillable) {
      const reason = (BILL_EXCEPTION_REASONS as readonly string[]).includes(service.unbillable.reason) ? (service.unbillable.reason as BillExceptionReason) : 'tariff-not-found';
      exceptions.push({ reason, message: service.unbillable.message });
      continue;
    }
    if (service.estimated && service.estimateMethod === 'none') {
      exceptions.push({ reason: 'missing-reads', message: `${service.serviceType} agreement ${service.agreementId} has no reads from ${service.periodStart} to ${service.periodEnd} and no history to estimate from` });
      continue;
    }
    if (!isMetered(service.serviceType)) continue;
    const usage = parseDecimal(service.usage.quantity, 'usage');
    if (usage.isZero()) exceptions.push({ reason: 'zero-usage', message: `${service.serviceType} agreement ${service.agreementId} used nothing from ${service.periodStart} to ${service.periodEnd}` });
    else if (usage.isNegative()) exceptions.push({ reason: 'negative-usage', message: `${service.serviceType} agreement ${service.agreementId} has negative usage ${service.usage.quantity} from ${service.periodStart} to ${service.periodEnd}` });
  }
  const maxEstimated = limits.maxEstimatedInARow ?? DEFAULT_MAX_ESTIMATED_IN_A_ROW;
  const inARow = (history.estimatedInARow ?? 0) + 1;
  if (bill.estimated && inARow > maxEstimated) {
    exceptions.push({ reason: 'estimated-too-often', message: `this is estimated bill ${inARow} in a row (at most ${maxEstimated})` });
  }
  if (previousTotals.length >= limits.minHistory) {
    const sum = previousTotals.reduce((acc, value) => acc.plus(parseDecimal(value, 'previous total')), new Money(0));
    const average = sum.div(previousTotals.length);
    if (average.gt(0)) {
      const shown = average.toDecimalPlaces(2, Money.ROUND_HALF_UP).toFixed(2);
      if (total.gt(average.times(parseDecimal(limits.highFactor, 'highFactor')))) exceptions.push({ reason: 'high-bill', message: `total ${bill.total} is more than ${limits.highFactor} times the average ${shown} of ${previousTotals.length} previous bills` });
      if (total.lt(average.times(parseDecimal(limits.lowFactor, 'lowFactor')))) exceptions.push({ reason: 'low-bill', message: `total ${bill.total} is less than ${limits.lowFactor} times the average ${shown} of ${previousTotals.length} previous bills` });
    }
  }
  return exceptions;
}

/** The review queue's record of a held bill: OPEN until staff release or cancel the bill. */
export interface HeldBill {
  billId: string;
  accountId: string;
  customerId: string;
  cycle: string;
  periodStart: string;
  periodEnd: string;
  runId: string;
  total: string;
  heldAt: string;
  holds: Array<{ reason: string; message: string }>;
  status: 'OPEN' | 'RELEASED' | 'CANCELLED';
  review?: { action: 'released' | 'cancelled'; at: string; by: string; note?: string };
}

export const HELD_BILL_STATUSES = ['OPEN', 'RELEASED', 'CANCELLED'] as const;

/** The review record of a bill the checks hold. */
export function heldBillOf(bill: Bill, holds: readonly BillException[], heldAt: string): HeldBill {
  return {
    billId: bill.billId,
    accountId: bill.accountId,
    customerId: bill.customerId,
    cycle: bill.cycle,
    periodStart: bill.periodStart,
    periodEnd: bill.periodEnd,
    runId: bill.runId,
    total: bill.total,
    heldAt,
    holds: holds.map((hold) => ({ reason: hold.reason, message: hold.message })),
    status: 'OPEN',
  };
}
