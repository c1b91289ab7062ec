/**
 * Calendar facts collections rules need: the weekday of a day, the holidays of a state (from the
 * `date-holidays` package, by type), business days. Days are YYYY-MM-DD in the utility time zone.
 */
import Holidays from 'date-holidays';
import { addDays } from '../calendar';
import { WEEKDAYS, type Weekday } from './policy';

export function weekdayOf(day: string): Weekday {
  const [y, m, d] = day.split('-').map(Number) as [number, number, number];
  const sundayFirst = new Date(Date.UTC(y, m - 1, d)).getUTCDay();
  return WEEKDAYS[(sundayFirst + 6) % 7]!;
}

const byStateYear = new Map<string, Map<string, { name: string; type: string }[]>>();

/** The holidays of `state` in `year` by day ("2026-12-25" -> [{name, type}]). */
function holidaysOf(state: string, year: number): Map<string, { name: string; type: string }[]> {
  const key = `${state}:${year}`;
  let days = byStateYear.get(key);
  if (!days) {
    days = new Map();
    for (const holiday of new Holidays('US', state).getHolidays(year)) {
      const day = holiday.date.slice(0, 10);
      days.set(day, [...(days.get(day) ?? []), { name: holiday.name, type: holiday.type }]);
    }
    byStateYear.set(key, days);
  }
  return days;
}

/** The holiday on `day` in `state` of one of `types`, if any. */
export function holidayOn(day: string, state: string, types: readonly string[]): { name: string; type: string } | undefined {
  return (holidaysOf(state, Number(day.slice(0, 4))).get(day) ?? []).find((holiday) => types.includes(holiday.type));
}

export const BUSINESS_HOLIDAY_TYPES = ['public', 'bank'] as const;

export function isBusinessDay(day: string, state: string): boolean {
  const weekday = weekdayOf(day);
  return weekday !== 'SAT' && weekday !== 'SUN' && !holidayOn(day, state, BUSINESS_HOLIDAY_TYPES);
}

/** `day` plus `count` business days (Monday to Friday, not public or bank holidays of the state). */
export function addBusinessDays(day: string, count: number, state: string): string {
  let current = day;
  for (let left = count; left > 0; ) {
    current = addDays(current, 1);
    if (isBusinessDay(current, state)) left--;
  }
  return current;
}

/** Whole days from `from` to `to` (negative when `to` is earlier). */
export function daysBetween(from: string, to: string): number {
  return Math.round((Date.parse(`${to}T00:00:00Z`) - Date.parse(`${from}T00:00:00Z`)) / 86_400_000);
}
