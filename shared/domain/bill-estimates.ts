/**
 * Usage estimates for a service whose meter has no reads in the billing period, from the
 * account's bill history (what earlier bills measured, never earlier estimates):
 * - `last-year`: the bill of the same agreement covering most of the same days a year earlier,
 *   its daily usage times the days to bill;
 * - `average-daily`: the average daily usage of the agreement's last bills (at most
 *   AVERAGE_BILLS of them) times the days to bill.
 * The estimate is spread evenly over the hours of the period, so the rating engine prices it like
 * measured usage (time-of-use periods by their share of the hours). No measured history: no
 * estimate (the caller holds the bill).
 */
import type { BillHistoryEntry, EstimateMethod } from './billing';
import { addDays, daysInclusive } from './calendar';
import { Money, type Amount } from './money';
import type { StoredInterval } from './rating/usage';
import { dayFromDate, epochOfWall } from './rating/time';

/** What billing does with a metered service that has no reads in the period. */
export const MISSING_READS_POLICIES = ['estimate', 'hold', 'fail'] as const;
export type MissingReadsPolicy = (typeof MISSING_READS_POLICIES)[number];

/** Previous bills averaged by `average-daily`. */
export const AVERAGE_BILLS = 3;

export interface UsageEstimate {
  method: Exclude<EstimateMethod, 'none'>;
  /** Integer micro-units of the unit. */
  quantityMicro: number;
  /** The bills it was estimated from. */
  basis: string[];
}

const MICRO = 1_000_000;

/** The estimate of `agreementId`'s usage in `unit` from `from` to `to`, or undefined without measured history. */
export function estimateUsage(history: readonly BillHistoryEntry[], agreementId: string, unit: string, from: string, to: string): UsageEstimate | undefined {
  const days = daysInclusive(from, to);
  const measured = history
    .flatMap((entry) => entry.services.filter((service) => service.agreementId === agreementId && service.unit === unit && !service.estimated).map((service) => ({ billId: entry.billId, ...service })))
    .sort((a, b) => (a.periodStart < b.periodStart ? 1 : a.periodStart > b.periodStart ? -1 : 0));
  if (measured.length === 0) return undefined;

  const lastYearFrom = addDays(from, -365);
  const lastYearTo = addDays(to, -365);
  let best: { service: (typeof measured)[number]; overlap: number } | undefined;
  for (const service of measured) {
    const start = service.periodStart > lastYearFrom ? service.periodStart : lastYearFrom;
    const end = service.periodEnd < lastYearTo ? service.periodEnd : lastYearTo;
    const overlap = end < start ? 0 : daysInclusive(start, end);
    if (overlap * 2 >= days && (!best || overlap > best.overlap)) best = { service, overlap };
  }
  if (best) {
    const daily = new Money(best.service.quantity).div(daysInclusive(best.service.periodStart, best.service.periodEnd));
    return { method: 'last-year', quantityMicro: toMicro(daily.times(days)), basis: [best.service.billId] };
  }
  const recent = measured.slice(0, AVERAGE_BILLS);
  const quantity = recent.reduce((sum, service) => sum.plus(service.quantity), new Money(0));
  const recentDays = recent.reduce((sum, service) => sum + daysInclusive(service.periodStart, service.periodEnd), 0);
  return { method: 'average-daily', quantityMicro: toMicro(quantity.div(recentDays).times(days)), basis: recent.map((service) => service.billId) };
}

function toMicro(quantity: Amount): number {
  const micro = quantity.times(MICRO).toDecimalPlaces(0, Money.ROUND_HALF_UP);
  return micro.isNegative() ? 0 : micro.toNumber();
}

/**
 * `quantityMicro` spread evenly over the hours from local midnight of `from` to local midnight
 * after `to` in `timeZone` (a DST day has 23 or 25 hours); the remainder of the division goes to
 * the first hours, so the intervals add up exactly.
 */
export function spreadOverHours(quantityMicro: number, from: string, to: string, timeZone: string): StoredInterval[] {
  const start = epochOfWall(dayFromDate(from) * 86_400, timeZone);
  const end = epochOfWall((dayFromDate(to) + 1) * 86_400, timeZone);
  const hours = Math.max(1, Math.round((end - start) / 3600));
  const base = Math.floor(quantityMicro / hours);
  let remainder = quantityMicro - base * hours;
  const intervals: StoredInterval[] = [];
  for (let hour = 0; hour < hours; hour++) {
    const startEpochSec = start + hour * 3600;
    const durationSec = hour === hours - 1 ? end - startEpochSec : 3600;
    const extra = remainder > 0 ? 1 : 0;
    remainder -= extra;
    intervals.push({ startEpochSec, durationSec, quantityMicro: base + extra });
  }
  return intervals;
}

/** How many of the most recent bills (newest first by period), in a row, were estimated. */
export function estimatedInARow(history: readonly BillHistoryEntry[]): number {
  const newestFirst = [...history].sort((a, b) => (a.periodStart < b.periodStart ? 1 : a.periodStart > b.periodStart ? -1 : 0));
  let count = 0;
  for (const entry of newestFirst) {
    if (!entry.estimated) break;
    count++;
  }
  return count;
}
