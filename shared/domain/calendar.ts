/**
 * Calendar arithmetic without a clock: ISO 8601 instants with offsets, calendar dates
 * (YYYY-MM-DD) and the local date of an instant in an IANA time zone (via Intl, which knows
 * the zone rules, DST included).
 */
import { InvalidInput } from './errors';

export const SECONDS_PER_DAY = 86_400;

const INSTANT = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,9}))?(Z|[+-]\d{2}:\d{2})$/;
const DATE = /^(\d{4})-(\d{2})-(\d{2})$/;

export interface ParsedInstant {
  /** Milliseconds since the epoch (may carry a fraction of a second). */
  epochMs: number;
  /** The offset the timestamp was written in, in seconds east of UTC. */
  offsetSec: number;
}

function utcMillis(year: number, month: number, day: number, hour = 0, minute = 0, second = 0): number | undefined {
  const date = new Date(0);
  date.setUTCFullYear(year, month - 1, day);
  date.setUTCHours(hour, minute, second, 0);
  const ok = date.getUTCFullYear() === year && date.getUTCMonth() === month - 1 && date.getUTCDate() === day && date.getUTCHours() === hour && date.getUTCMinutes() === minute && date.getUTCSeconds() === second;
  return ok ? date.getTime() : undefined;
}

/**
 * Parses an ISO 8601 timestamp that states its offset ("2026-01-01T00:00:00-07:00" or "...Z").
 * Returns undefined for anything else: no offset, impossible dates (02-30), out-of-range fields.
 */
export function parseInstant(value: string): ParsedInstant | undefined {
  const match = INSTANT.exec(value);
  if (!match) return undefined;
  const [, y, mo, d, h, mi, s, fraction, offset] = match;
  const millis = utcMillis(Number(y), Number(mo), Number(d), Number(h), Number(mi), Number(s));
  if (millis === undefined) return undefined;
  let offsetSec = 0;
  if (offset && offset !== 'Z') {
    const sign = offset.startsWith('-') ? -1 : 1;
    const hours = Number(offset.slice(1, 3));
    const minutes = Number(offset.slice(4, 6));
    if (hours > 14 || minutes > 59) return undefined;
    offsetSec = sign * (hours * 3600 + minutes * 60);
  }
  const fractionMs = fraction ? Number(`0.${fraction}`) * 1000 : 0;
  return { epochMs: millis + fractionMs - offsetSec * 1000, offsetSec };
}

export function isCalendarDate(value: string): boolean {
  const match = DATE.exec(value);
  return match !== null && utcMillis(Number(match[1]), Number(match[2]), Number(match[3])) !== undefined;
}

function dateMillis(day: string): number {
  const match = DATE.exec(day);
  const millis = match ? utcMillis(Number(match[1]), Number(match[2]), Number(match[3])) : undefined;
  if (millis === undefined) throw new InvalidInput(`${JSON.stringify(day)} is not a calendar date YYYY-MM-DD`);
  return millis;
}

function formatDateMillis(millis: number): string {
  return new Date(millis).toISOString().slice(0, 10);
}

export function addDays(day: string, days: number): string {
  return formatDateMillis(dateMillis(day) + days * SECONDS_PER_DAY * 1000);
}

/** Number of calendar days from `from` to `to`, both included (1 when equal, 0 when to < from). */
export function daysInclusive(from: string, to: string): number {
  return Math.max(0, Math.round((dateMillis(to) - dateMillis(from)) / (SECONDS_PER_DAY * 1000)) + 1);
}

export function eachDay(from: string, to: string): string[] {
  const days: string[] = [];
  for (let day = from, n = daysInclusive(from, to); days.length < n; day = addDays(day, 1)) days.push(day);
  return days;
}

const formatters = new Map<string, Intl.DateTimeFormat>();

function formatterFor(timeZone: string): Intl.DateTimeFormat {
  let formatter = formatters.get(timeZone);
  if (!formatter) {
    try {
      formatter = new Intl.DateTimeFormat('en-US', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit', hourCycle: 'h23' });
    } catch {
      throw new InvalidInput(`${JSON.stringify(timeZone)} is not an IANA time zone`);
    }
    formatters.set(timeZone, formatter);
  }
  return formatter;
}

export function isTimeZone(timeZone: string): boolean {
  try {
    formatterFor(timeZone);
    return true;
  } catch {
    return false;
  }
}

/** The calendar date (YYYY-MM-DD) in `timeZone` of the instant `epochSec`. */
export function localDate(epochSec: number, timeZone: string): string {
  let year = '';
  let month = '';
  let day = '';
  for (const part of formatterFor(timeZone).formatToParts(epochSec * 1000)) {
    if (part.type === 'year') year = part.value;
    else if (part.type === 'month') month = part.value;
    else if (part.type === 'day') day = part.value;
  }
  return `${year.padStart(4, '0')}-${month}-${day}`;
}

/** An epoch second as an ISO 8601 UTC timestamp without milliseconds ("2026-01-01T07:00:00Z"). */
export function isoFromEpochSec(epochSec: number): string {
  return new Date(epochSec * 1000).toISOString().replace('.000Z', 'Z');
}
