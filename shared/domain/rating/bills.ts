/**
 * Monthly bills over a range: one bill per calendar month (a partial first or final month is
 * prorated against its full month), with the measured peaks and the net-metering bank carried
 * from one bill to the next (for ratchets and true-ups).
 */
import { Decimal } from 'decimal.js';
import { InvalidInput } from '../errors';
import { Money } from '../money';
import { rateBill, type RatedBill, type RatingContext } from './engine';
import type { TariffDocument } from './schema';
import { civilFromDays, dateFromDay, dayFromDate, daysFromCivil, daysInMonth } from './time';
import type { UsageSeries } from './usage';

export interface MonthlyBills {
  bills: RatedBill[];
  total: string;
}

export interface MonthlyOptions {
  /** First and last local dates billed (both included); the usage's first and last days when absent. */
  from?: string;
  to?: string;
  context?: RatingContext;
}

/** A bill period may not exceed this many months in one call. */
export const MAX_MONTHS = 120;

export function rateMonths(doc: TariffDocument, usage: UsageSeries, options: MonthlyOptions = {}): MonthlyBills {
  if (usage.length === 0 && (options.from === undefined || options.to === undefined)) throw new InvalidInput('no usage: give --from and --to');
  const from = options.from !== undefined ? dayFromDate(options.from) : usage.localDay[0]!;
  const to = options.to !== undefined ? dayFromDate(options.to) : usage.localDay[usage.length - 1]!;
  if (to < from) throw new InvalidInput(`the range ${dateFromDay(from)}..${dateFromDay(to)} ends before it starts`);
  const bills: RatedBill[] = [];
  const history = [...(options.context?.demandHistory ?? [])];
  let netBankMicro = options.context?.netBankMicro;
  let total: Decimal = new Money(0);
  let start = from;
  let places = 2;
  while (start <= to) {
    const { year, month } = civilFromDays(start);
    const monthEnd = daysFromCivil(year, month, daysInMonth(year, month));
    const end = Math.min(monthEnd, to);
    if (bills.length >= MAX_MONTHS) throw new InvalidInput(`the range is longer than ${MAX_MONTHS} months`);
    const context: RatingContext = { ...options.context, demandHistory: history, fullPeriodDays: daysInMonth(year, month) };
    if (netBankMicro !== undefined) context.netBankMicro = netBankMicro;
    const bill = rateBill(doc, usage, dateFromDay(start), dateFromDay(end), context);
    bills.push(bill);
    history.push({ month: dateFromDay(start).slice(0, 7), peakKw: bill.peakKw });
    if (bill.netBankMicro !== undefined) netBankMicro = bill.netBankMicro;
    total = total.plus(bill.total);
    places = Math.max(places, bill.total.split('.')[1]?.length ?? 2);
    start = end + 1;
  }
  return { bills, total: total.toFixed(places) };
}
