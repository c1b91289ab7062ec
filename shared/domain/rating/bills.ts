/**
 * Monthly bills over a range: one bill per calendar month (a partial first or final month is
 * prorated against its full month), with the measured peaks and the net-metering bank carried
 * from one bill to the next (for ratchets and true-ups), and the annual minimum assessed on the
 * bill of its month (NREL SAM: on the December bill, against the year's bills before their monthly
 * minimums, each at least zero).
 */
import { Decimal } from 'decimal.js';
import { InvalidInput } from '../errors';
import { Money } from '../money';
import { rateBill, type RatedBill, type RatingContext } from './engine';
import type { AnnualMinimum, TariffDocument } from './schema';
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
  // The annual minimum's running year: the bills' charges (before monthly minimums, at least zero) and days.
  let yearCharges: Decimal = new Money(0);
  let yearDays = 0;
  while (start <= to) {
    const { year, month } = civilFromDays(start);
    const monthEnd = daysFromCivil(year, month, daysInMonth(year, month));
    const end = Math.min(monthEnd, to);
    if (bills.length >= MAX_MONTHS) throw new InvalidInput(`the range is longer than ${MAX_MONTHS} months`);
    const context: RatingContext = { ...options.context, demandHistory: history, fullPeriodDays: daysInMonth(year, month) };
    if (netBankMicro !== undefined) context.netBankMicro = netBankMicro;
    const bill = rateBill(doc, usage, dateFromDay(start), dateFromDay(end), context);
    const charges = new Money(bill.total).minus(bill.minimumCharged);
    yearCharges = yearCharges.plus(charges.isNegative() ? 0 : charges);
    yearDays += end - start + 1;
    const annual = annualMinimumOn(doc, end);
    if (annual && month === annual.month) {
      applyAnnualMinimum(bill, annual, yearCharges, yearDays, daysFromCivil(year, month, daysInMonth(year, month)));
      yearCharges = new Money(0);
      yearDays = 0;
    }
    bills.push(bill);
    history.push({ month: dateFromDay(start).slice(0, 7), peakKw: bill.peakKw });
    if (bill.netBankMicro !== undefined) netBankMicro = bill.netBankMicro;
    total = total.plus(bill.total);
    places = Math.max(places, bill.total.split('.')[1]?.length ?? 2);
    start = end + 1;
  }
  return { bills, total: total.toFixed(places) };
}

/** The annual minimum of the version in effect on `day`. */
function annualMinimumOn(doc: TariffDocument, day: number): AnnualMinimum | undefined {
  const date = dateFromDay(day);
  const version = doc.versions.find((v) => v.effectiveFrom <= date && (v.effectiveTo === undefined || date <= v.effectiveTo));
  return version?.annualMinimum;
}

/**
 * Adds the annual minimum to `bill` when the year's charges fall short: the year is the 12 months
 * ending with the month of `monthEnd`; a year only partly billed compares with the minimum x days
 * billed / days of the year.
 */
function applyAnnualMinimum(bill: RatedBill, annual: AnnualMinimum, charges: Decimal, daysBilled: number, monthEnd: number): void {
  const { year, month } = civilFromDays(monthEnd);
  const yearStart = month === 12 ? daysFromCivil(year, 1, 1) : daysFromCivil(year - 1, month + 1, 1);
  const yearDays = monthEnd - yearStart + 1;
  const full = new Money(annual.amount);
  const required = daysBilled >= yearDays ? full : full.times(daysBilled).div(yearDays);
  if (charges.gte(required)) return;
  const amount = required.minus(charges).toDecimalPlaces(2, Decimal.ROUND_HALF_UP);
  if (amount.isZero()) return;
  const partial = daysBilled >= yearDays ? '' : ` (${daysBilled}/${yearDays} days of the year billed)`;
  bill.lines.push({
    description: `${annual.description}: minimum ${required.toFixed(2)}${partial} less the year's charges ${charges.toFixed(2)}`,
    quantity: '1',
    unit: 'year',
    rate: amount.toFixed(2),
    amount: amount.toFixed(2),
    periodStart: dateFromDay(yearStart),
    periodEnd: dateFromDay(monthEnd),
    category: 'base',
  });
  const places = Math.max(2, bill.total.split('.')[1]?.length ?? 2);
  bill.total = new Money(bill.total).plus(amount).toFixed(places);
  bill.minimumCharged = new Money(bill.minimumCharged).plus(amount).toFixed(places);
}
