/**
 * The usage screen's ranges and figures, without React: a month of daily usage or a day of hourly
 * usage, the same period a year earlier, this year's and last year's points side by side, and
 * exact totals (quantities stay decimal strings from the API and are summed with decimal.js).
 */
import { Decimal } from 'decimal.js';
import type { UsagePoint } from '../common/types';

export type UsageView = 'month' | 'day';

/** What the screen shows: a month (`YYYY-MM`) by day, or a day (`YYYY-MM-DD`) by hour. */
export interface UsageRange {
  view: UsageView;
  /** `YYYY-MM` for a month, `YYYY-MM-DD` for a day. */
  anchor: string;
}

export interface UsageQuery {
  from: string;
  to: string;
  interval: 'day' | 'hour';
}

const DATE = /^(\d{4})-(\d{2})-(\d{2})$/;
const MONTH = /^(\d{4})-(\d{2})$/;

function utc(date: string): Date {
  const match = DATE.exec(date);
  if (!match) throw new RangeError(`not a date YYYY-MM-DD: ${date}`);
  return new Date(Date.UTC(Number(match[1]), Number(match[2]) - 1, Number(match[3])));
}

const iso = (date: Date) => date.toISOString().slice(0, 10);

export function addDays(date: string, days: number): string {
  const value = utc(date);
  value.setUTCDate(value.getUTCDate() + days);
  return iso(value);
}

export function addMonths(month: string, months: number): string {
  const match = MONTH.exec(month);
  if (!match) throw new RangeError(`not a month YYYY-MM: ${month}`);
  const index = Number(match[1]) * 12 + Number(match[2]) - 1 + months;
  return `${String(Math.floor(index / 12)).padStart(4, '0')}-${String((index % 12) + 1).padStart(2, '0')}`;
}

function lastDayOf(month: string): string {
  return addDays(`${addMonths(month, 1)}-01`, -1);
}

/** The same calendar day a year earlier (29 February becomes 28 February). */
export function yearEarlier(date: string): string {
  const [year, month, dayOfMonth] = [date.slice(0, 4), date.slice(5, 7), date.slice(8, 10)];
  const previous = `${String(Number(year) - 1).padStart(4, '0')}-${month}`;
  const last = lastDayOf(previous).slice(8, 10);
  return `${previous}-${dayOfMonth > last ? last : dayOfMonth}`;
}

/** The browser's local date, YYYY-MM-DD. */
export function localToday(now = new Date()): string {
  return `${now.getFullYear()}-${String(now.getMonth() + 1).padStart(2, '0')}-${String(now.getDate()).padStart(2, '0')}`;
}

export function defaultRange(view: UsageView, today: string): UsageRange {
  return view === 'month' ? { view, anchor: today.slice(0, 7) } : { view, anchor: addDays(today, -1) };
}

/**
 * The query of a range: one day by the hour, or a month by the day; this month only up to
 * yesterday, its last complete day (today on the 1st), so that it compares fairly with the same
 * days last year.
 */
export function queryOf(range: UsageRange, today: string): UsageQuery {
  if (range.view === 'day') return { from: range.anchor, to: range.anchor, interval: 'hour' };
  const last = lastDayOf(range.anchor);
  const from = `${range.anchor}-01`;
  if (from > today || last < today) return { from, to: last, interval: 'day' };
  return { from, to: today > from ? addDays(today, -1) : today, interval: 'day' };
}

/** The same period a year earlier (the same days of the month when this month is not over). */
export function lastYearQuery(query: UsageQuery): UsageQuery {
  return { ...query, from: yearEarlier(query.from), to: yearEarlier(query.to) };
}

/** The range before or after (`step` -1 or 1). */
export function shift(range: UsageRange, step: number): UsageRange {
  return { view: range.view, anchor: range.view === 'month' ? addMonths(range.anchor, step) : addDays(range.anchor, step) };
}

/** True when the range after this one starts after today (nothing to show there yet). */
export function isLatest(range: UsageRange, today: string): boolean {
  const next = shift(range, 1);
  return (next.view === 'month' ? `${next.anchor}-01` : next.anchor) > today;
}

/** Sum of decimal strings, exact, as a plain decimal string ("0" for none). */
export function total(points: readonly UsagePoint[]): string {
  return points.reduce((sum, point) => sum.plus(point.quantity), new Decimal(0)).toFixed();
}

/** The change from last year in percent with one decimal ("12.5", "-3.0"); undefined without last year's use. */
export function percentChange(current: string, lastYear: string | undefined): string | undefined {
  if (lastYear === undefined || new Decimal(lastYear).isZero()) return undefined;
  return new Decimal(current).minus(lastYear).div(lastYear).times(100).toDecimalPlaces(1, Decimal.ROUND_HALF_UP).toFixed(1);
}

/** One place on the chart: this period's point and the matching point a year earlier. */
export interface UsageSlot {
  key: string;
  /** Short label for the axis ("Nov 5", "3 PM"). */
  label: string;
  /** Long label for the table and the summary ("Thu, Nov 5, 2026", "3 PM to 4 PM"). */
  longLabel: string;
  /** The day this slot is (month view) or lies in (day view). */
  day: string;
  current?: UsagePoint;
  lastYear?: UsagePoint;
  /** A high-usage alert was raised for this day. */
  alert: boolean;
}

function hourKey(period: string, timeZone: string): { key: string; label: string; longLabel: string } {
  const at = new Date(period);
  const hour = new Intl.DateTimeFormat('en-US', { timeZone, hour: '2-digit', hourCycle: 'h23' }).format(at);
  const label = new Intl.DateTimeFormat('en-US', { timeZone, hour: 'numeric' }).format(at);
  const end = new Intl.DateTimeFormat('en-US', { timeZone, hour: 'numeric' }).format(new Date(at.getTime() + 3_600_000));
  return { key: hour, label, longLabel: `${label} to ${end}` };
}

function dayLabels(date: string): { label: string; longLabel: string } {
  const value = utc(date);
  return {
    label: value.toLocaleDateString('en-US', { month: 'short', day: 'numeric', timeZone: 'UTC' }),
    longLabel: value.toLocaleDateString('en-US', { weekday: 'short', month: 'short', day: 'numeric', year: 'numeric', timeZone: 'UTC' }),
  };
}

/** Keys of the hourly points in local hours, the second of a repeated hour (end of daylight saving time) marked. */
function keyedHours(points: readonly UsagePoint[], timeZone: string): Map<string, { point: UsagePoint; label: string; longLabel: string }> {
  const keyed = new Map<string, { point: UsagePoint; label: string; longLabel: string }>();
  for (const point of points) {
    const { key, label, longLabel } = hourKey(point.period, timeZone);
    if (keyed.has(key)) keyed.set(`${key}b`, { point, label: `${label} (2nd)`, longLabel: `${longLabel} (repeated hour)` });
    else keyed.set(key, { point, label, longLabel });
  }
  return keyed;
}

/**
 * This period's and last year's points side by side: a month has a slot for every day of the
 * query (matched with the same day of the month a year earlier), a day one for every local hour.
 */
export function slotsOf(query: UsageQuery, current: readonly UsagePoint[], lastYear: readonly UsagePoint[] | undefined, alertDays: ReadonlySet<string>, timeZone: string): UsageSlot[] {
  if (query.interval === 'day') {
    const byDay = new Map(current.map((point) => [point.period, point]));
    const lastByDayOfMonth = new Map((lastYear ?? []).map((point) => [point.period.slice(8, 10), point]));
    const slots: UsageSlot[] = [];
    for (let day = query.from; day <= query.to; day = addDays(day, 1)) {
      slots.push({ key: day, ...dayLabels(day), day, current: byDay.get(day), lastYear: lastByDayOfMonth.get(day.slice(8, 10)), alert: alertDays.has(day) });
    }
    return slots;
  }
  const now = keyedHours(current, timeZone);
  const before = keyedHours(lastYear ?? [], timeZone);
  const keys = new Set<string>(Array.from({ length: 24 }, (_, hour) => String(hour).padStart(2, '0')));
  for (const key of now.keys()) keys.add(key);
  const alert = alertDays.has(query.from);
  return [...keys].sort().map((key) => {
    const here = now.get(key);
    const fallback = hourKey(`${query.from}T${key.slice(0, 2)}:00:00Z`, 'UTC');
    return { key, label: here?.label ?? fallback.label, longLabel: here?.longLabel ?? fallback.longLabel, day: query.from, current: here?.point, lastYear: before.get(key)?.point, alert };
  });
}

/** Friendly names of the API's units. */
export function unitName(unit: string): string {
  return ({ kWh: 'kWh', Wh: 'Wh', gal: 'gallons', kgal: 'thousand gallons', therm: 'therms', ccf: 'CCF', CCF: 'CCF', m3: 'cubic meters' } as Record<string, string>)[unit] ?? unit;
}

/** A decimal string with thousands separators, not rounded ("12345.678" -> "12,345.678"). */
export function quantity(value: string): string {
  const [whole, fraction] = value.split('.');
  const grouped = whole!.replace(/\B(?=(\d{3})+(?!\d))/g, ',');
  return fraction ? `${grouped}.${fraction}` : grouped;
}

