/**
 * Local wall-clock time for rating: calendar days as integers (days since 1970-01-01), the
 * local day and hour of an instant in an IANA zone, and the instant of a local wall-clock time
 * (DST gaps refused, DST overlaps resolved to the earlier instant unless asked otherwise).
 */
import { InvalidInput } from '../errors';

/** Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's days_from_civil). */
export function daysFromCivil(year: number, month: number, day: number): number {
  const y = month <= 2 ? year - 1 : year;
  const era = Math.floor(y / 400);
  const yoe = y - era * 400;
  const mp = (month + 9) % 12;
  const doy = Math.floor((153 * mp + 2) / 5) + day - 1;
  const doe = yoe * 365 + Math.floor(yoe / 4) - Math.floor(yoe / 100) + doy;
  return era * 146097 + doe - 719468;
}

export interface CivilDate {
  year: number;
  month: number;
  day: number;
}

export function civilFromDays(days: number): CivilDate {
  const z = days + 719468;
  const era = Math.floor(z / 146097);
  const doe = z - era * 146097;
  const yoe = Math.floor((doe - Math.floor(doe / 1460) + Math.floor(doe / 36524) - Math.floor(doe / 146096)) / 365);
  const doy = doe - (365 * yoe + Math.floor(yoe / 4) - Math.floor(yoe / 100));
  const mp = Math.floor((5 * doy + 2) / 153);
  const day = doy - Math.floor((153 * mp + 2) / 5) + 1;
  const month = mp < 10 ? mp + 3 : mp - 9;
  return { year: yoe + era * 400 + (month <= 2 ? 1 : 0), month, day };
}

/** 0 = Sunday ... 6 = Saturday. */
export function weekdayOfDay(days: number): number {
  return (((days + 4) % 7) + 7) % 7;
}

export function dayFromDate(date: string): number {
  const match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(date);
  if (!match) throw new InvalidInput(`${JSON.stringify(date)} is not a calendar date YYYY-MM-DD`);
  const [year, month, day] = [Number(match[1]), Number(match[2]), Number(match[3])];
  const days = daysFromCivil(year, month, day);
  const back = civilFromDays(days);
  if (back.month !== month || back.day !== day) throw new InvalidInput(`${JSON.stringify(date)} is not a calendar date YYYY-MM-DD`);
  return days;
}

export function dateFromDay(days: number): string {
  const { year, month, day } = civilFromDays(days);
  return `${String(year).padStart(4, '0')}-${String(month).padStart(2, '0')}-${String(day).padStart(2, '0')}`;
}

export function daysInMonth(year: number, month: number): number {
  return month === 12 ? daysFromCivil(year + 1, 1, 1) - daysFromCivil(year, 12, 1) : daysFromCivil(year, month + 1, 1) - daysFromCivil(year, month, 1);
}

const formatters = new Map<string, Intl.DateTimeFormat>();
function formatter(timeZone: string): Intl.DateTimeFormat {
  let f = formatters.get(timeZone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', { timeZone, year: 'numeric', month: 'numeric', day: 'numeric', hour: 'numeric', minute: 'numeric', second: 'numeric', hourCycle: 'h23' });
    formatters.set(timeZone, f);
  }
  return f;
}

/** Offsets (seconds east of UTC) change at most on quarter hours: cache them per zone and quarter hour. */
const offsetCache = new Map<string, Map<number, number>>();

/** The zone's UTC offset in seconds at the instant `epochSec`. */
export function offsetAt(epochSec: number, timeZone: string): number {
  let cache = offsetCache.get(timeZone);
  if (!cache) {
    cache = new Map();
    offsetCache.set(timeZone, cache);
  }
  const quarter = Math.floor(epochSec / 900);
  const cached = cache.get(quarter);
  if (cached !== undefined) return cached;
  const at = quarter * 900;
  let year = 0, month = 0, day = 0, hour = 0, minute = 0, second = 0;
  for (const part of formatter(timeZone).formatToParts(at * 1000)) {
    if (part.type === 'year') year = Number(part.value);
    else if (part.type === 'month') month = Number(part.value);
    else if (part.type === 'day') day = Number(part.value);
    else if (part.type === 'hour') hour = Number(part.value);
    else if (part.type === 'minute') minute = Number(part.value);
    else if (part.type === 'second') second = Number(part.value);
  }
  const wall = daysFromCivil(year, month, day) * 86400 + hour * 3600 + minute * 60 + second;
  const offset = wall - at;
  if (cache.size > 200_000) cache.clear();
  cache.set(quarter, offset);
  return offset;
}

/** Local wall-clock seconds since 1970-01-01T00:00 local ("as if UTC") of an instant. */
export function wallSeconds(epochSec: number, timeZone: string): number {
  return epochSec + offsetAt(epochSec, timeZone);
}

export class NonexistentLocalTime extends InvalidInput {
  override name = 'NonexistentLocalTime';
}

/**
 * The instant of a local wall-clock time (seconds since 1970-01-01T00:00 "as if UTC"). A time
 * skipped by a DST change is refused; a repeated time gives the earlier instant, or the later one
 * when `later` is set.
 */
export function epochOfWall(wall: number, timeZone: string, later = false): number {
  const candidates = new Set<number>();
  for (const probe of [wall - 86400, wall + 86400]) {
    const offset = offsetAt(probe, timeZone);
    const epoch = wall - offset;
    if (offsetAt(epoch, timeZone) === offset) candidates.add(epoch);
  }
  if (candidates.size === 0) throw new NonexistentLocalTime(`local time ${isoWall(wall)} does not exist in ${timeZone} (a daylight-saving gap)`);
  const sorted = [...candidates].sort((a, b) => a - b);
  return later ? sorted[sorted.length - 1]! : sorted[0]!;
}

export function isoWall(wall: number): string {
  const days = Math.floor(wall / 86400);
  const rest = wall - days * 86400;
  const hh = Math.floor(rest / 3600);
  const mm = Math.floor((rest % 3600) / 60);
  const ss = rest % 60;
  return `${dateFromDay(days)}T${String(hh).padStart(2, '0')}:${String(mm).padStart(2, '0')}:${String(ss).padStart(2, '0')}`;
}
