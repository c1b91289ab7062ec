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
}

export const DEFAULT_BILL_EXCEPTION_LIMITS: BillExceptionLimits = { highFactor: '3', lowFactor: '0.2', minHistory: 3, maxTotal: '10000.00' };

export type BillExceptionReason = 'high-bill' | 'low-bill' | 'zero-usage' | 'above-maximum';

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
}

/**
 * The exceptions of `bill`, none when it may be posted. `previousTotals` are the totals of the
 * account's earlier bills (decimal strings); high and low compare with their average once there
 * are at least `minHistory` of them and the average is positive.
 */
export function billExceptions(bill: Bill, previousTotals: readonly string[], limits: BillExceptionLimits): BillException[] {
  const exceptions: BillException[] = [];
  const total = parseDecimal(bill.total, 'total');
  if (total.gt(parseDecimal(limits.maxTotal, 'maxTotal'))) exceptions.push({ reason: 'above-maximum', message: `total ${bill.total} is above the maximum ${limits.maxTotal}` });
  for (const service of bill.services) {
    if (isMetered(service.serviceType) && parseDecimal(service.usage.quantity, 'usage').isZero()) {
      exceptions.push({ reason: 'zero-usage', message: `${service.serviceType} agreement ${service.agreementId} used nothing from ${service.periodStart} to ${service.periodEnd}` });
    }
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
