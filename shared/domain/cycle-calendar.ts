/**
 * Billing cycle calendars. A cycle's meter-read periods end on the same day of every month (or
 * on the month's last day); its bills go out a read window later (late and estimated reads settle
 * in VEE meanwhile), moved to the next business day when the utility bills on business days only;
 * bills fall due a fixed number of days after they are issued.
 */
import { addDays } from './calendar';
import { InvalidInput } from './errors';

export interface CycleSchedule {
  cycle: string;
  /** Day of the month a read period ends: 1 to 28, or 'last'. */
  periodEndDay: number | 'last';
  /** Days from the end of a period to its bill date (0 to 20). */
  readWindowDays: number;
  /** Bill dates on a Saturday, Sunday or holiday move to the next business day. */
  businessDaysOnly: boolean;
  /** A disabled cycle is never started by the schedule (staff may still start it). */
  enabled: boolean;
}

export interface CyclePeriod {
  cycle: string;
  periodStart: string;
  periodEnd: string;
  /** The day the scheduled run bills the period. */
  billDate: string;
  /** Bill date + the utility's due days (the bills' own due dates come from their issue date). */
  dueDate: string;
}

export const MAX_READ_WINDOW_DAYS = 20;

export function assertValidSchedule(schedule: CycleSchedule): void {
  const { periodEndDay, readWindowDays } = schedule;
  if (periodEndDay !== 'last' && !(Number.isInteger(periodEndDay) && periodEndDay >= 1 && periodEndDay <= 28)) {
    throw new InvalidInput('periodEndDay must be a day from 1 to 28, or "last"');
  }
  if (!Number.isInteger(readWindowDays) || readWindowDays < 0 || readWindowDays > MAX_READ_WINDOW_DAYS) {
    throw new InvalidInput(`readWindowDays must be a whole number of days from 0 to ${MAX_READ_WINDOW_DAYS}`);
  }
}

function lastDayOfMonth(year: number, month: number): number {
  return new Date(Date.UTC(year, month, 0)).getUTCDate();
}

function ymd(year: number, month: number, day: number): string {
  return `${String(year).padStart(4, '0')}-${String(month).padStart(2, '0')}-${String(day).padStart(2, '0')}`;
}

/** The period end of the cycle in a month (1-based). */
function periodEndIn(schedule: CycleSchedule, year: number, month: number): string {
  return ymd(year, month, schedule.periodEndDay === 'last' ? lastDayOfMonth(year, month) : schedule.periodEndDay);
}

function monthBefore(year: number, month: number): [number, number] {
  return month === 1 ? [year - 1, 12] : [year, month - 1];
}

function monthAfter(year: number, month: number): [number, number] {
  return month === 12 ? [year + 1, 1] : [year, month + 1];
}

export function isWeekend(day: string): boolean {
  const weekday = new Date(`${day}T00:00:00Z`).getUTCDay();
  return weekday === 0 || weekday === 6;
}

/** The cycle's period that ends in the given month, with its bill and due dates. */
export function periodOfMonth(schedule: CycleSchedule, year: number, month: number, options: { dueDays: number; isHoliday: (day: string) => boolean }): CyclePeriod {
  const periodEnd = periodEndIn(schedule, year, month);
  const periodStart = addDays(periodEndIn(schedule, ...monthBefore(year, month)), 1);
  let billDate = addDays(periodEnd, schedule.readWindowDays);
  if (schedule.businessDaysOnly) {
    for (let guard = 0; (isWeekend(billDate) || options.isHoliday(billDate)) && guard < 14; guard++) billDate = addDays(billDate, 1);
  }
  return { cycle: schedule.cycle, periodStart, periodEnd, billDate, dueDate: addDays(billDate, options.dueDays) };
}

/** The next `count` periods whose bill date is on or after `from`. */
export function upcomingPeriods(schedule: CycleSchedule, from: string, count: number, options: { dueDays: number; isHoliday: (day: string) => boolean }): CyclePeriod[] {
  let [year, month] = monthBefore(Number(from.slice(0, 4)), Number(from.slice(5, 7)));
  const periods: CyclePeriod[] = [];
  while (periods.length < count) {
    const period = periodOfMonth(schedule, year, month, options);
    if (period.billDate >= from) periods.push(period);
    [year, month] = monthAfter(year, month);
  }
  return periods;
}

/**
 * The period a scheduled run should bill on `today`: the latest one whose bill date has come,
 * if that was at most `catchUpDays` ago (a scheduler that was down for a day or two catches up;
 * older periods are left to staff). Undefined for a disabled cycle.
 */
export function periodDue(schedule: CycleSchedule, today: string, options: { dueDays: number; isHoliday: (day: string) => boolean; catchUpDays: number }): CyclePeriod | undefined {
  if (!schedule.enabled) return undefined;
  let [year, month] = [Number(today.slice(0, 4)), Number(today.slice(5, 7))];
  // The period ending this month may not bill yet; look back until a bill date has come.
  for (let step = 0; step < 3; step++) {
    const period = periodOfMonth(schedule, year, month, options);
    if (period.billDate <= today) return addDays(period.billDate, options.catchUpDays) >= today ? period : undefined;
    [year, month] = monthBefore(year, month);
  }
  return undefined;
}
