/**
 * Interval usage for rating: parallel typed arrays of integers (micro-units of the tariff's unit,
 * local day numbers, local hours, micro-kW demand), sorted by time. Rating a month only adds
 * integers into period buckets; Decimal arithmetic starts at the bill lines.
 *
 * `parseUsageCsv` reads `start,value[,durationSec]` (header first, any column order, extra
 * columns ignored). A start without an offset is the tariff's local time. A negative value is
 * energy exported to the grid (net metering).
 */
import { splitCsvLine } from '../csv-line';
import { InvalidInput } from '../errors';
import { daysFromCivil, epochOfWall, NonexistentLocalTime, offsetAt, wallSeconds } from './time';

export interface UsageSeries {
  readonly length: number;
  /** Start instant, seconds since the epoch. */
  readonly epochSec: Float64Array;
  /** Local calendar day of the start (days since 1970-01-01). */
  readonly localDay: Int32Array;
  /** Local hour of the start (0..23). */
  readonly hour: Uint8Array;
  /** Net usage in the interval, integer micro-units (negative: export). */
  readonly value: Float64Array;
  /** Average demand over the interval in integer micro-kW (micro-units per hour), imports only. */
  readonly demand: Float64Array;
  readonly durationSec: Int32Array;
  /** The CSV line (1-based) each interval came from, for messages. */
  readonly line: Int32Array;
}

export class InvalidUsageFile extends InvalidInput {
  override name = 'InvalidUsageFile';
}

const MICRO_DIGITS = 6;
const VALUE = /^(-)?(\d+)(?:\.(\d+))?$/;

/** A decimal string as integer micro-units, or undefined when it is not one (or too precise/large). */
export function decimalToMicro(text: string): number | undefined {
  const match = VALUE.exec(text);
  if (!match) return undefined;
  const fraction = (match[3] ?? '').replace(/0+$/, '');
  if (fraction.length > MICRO_DIGITS) return undefined;
  const micro = Number(match[2]) * 1_000_000 + Number(fraction.padEnd(MICRO_DIGITS, '0'));
  if (!Number.isSafeInteger(micro) || match[2]!.length > 12) return undefined;
  return match[1] ? -micro : micro;
}

/** Average demand in micro-kW of `micro` micro-kWh over `durationSec` seconds, rounded half-up to a micro-kW, integers only. */
export function demandOf(micro: number, durationSec: number): number {
  if (micro <= 0) return 0;
  const scaled = micro * 3600;
  const quotient = Math.floor(scaled / durationSec);
  const remainder = scaled - quotient * durationSec;
  return remainder * 2 >= durationSec ? quotient + 1 : quotient;
}

export interface UsageRow {
  epochSec: number;
  /** Local wall-clock seconds ("as if UTC"). */
  wall: number;
  valueMicro: number;
  durationSec?: number;
  line: number;
}

/** Builds the series from rows sorted by start; durations missing from rows are inferred (the most common step). */
export function buildUsageSeries(rows: UsageRow[]): UsageSeries {
  const n = rows.length;
  const steps = new Map<number, number>();
  for (let i = 1; i < n; i++) {
    const step = rows[i]!.epochSec - rows[i - 1]!.epochSec;
    if (step <= 0) throw new InvalidUsageFile(`line ${rows[i]!.line}: start is not after the start on line ${rows[i - 1]!.line} (intervals must be in time order, without duplicates)`);
    steps.set(step, (steps.get(step) ?? 0) + 1);
  }
  let inferred: number | undefined;
  let best = 0;
  for (const [step, count] of steps) if (count > best || (count === best && step < (inferred ?? Infinity))) [inferred, best] = [step, count];
  const series = {
    length: n,
    epochSec: new Float64Array(n),
    localDay: new Int32Array(n),
    hour: new Uint8Array(n),
    value: new Float64Array(n),
    demand: new Float64Array(n),
    durationSec: new Int32Array(n),
    line: new Int32Array(n),
  };
  for (let i = 0; i < n; i++) {
    const row = rows[i]!;
    const duration = row.durationSec ?? inferred;
    if (duration === undefined) throw new InvalidUsageFile(`line ${row.line}: one interval alone needs a durationSec column`);
    const next = rows[i + 1];
    if (next && row.epochSec + duration > next.epochSec) throw new InvalidUsageFile(`line ${next.line}: interval overlaps the one on line ${row.line} (${duration} s long)`);
    const day = Math.floor(row.wall / 86400);
    series.epochSec[i] = row.epochSec;
    series.localDay[i] = day;
    series.hour[i] = Math.floor((row.wall - day * 86400) / 3600);
    series.value[i] = row.valueMicro;
    series.demand[i] = demandOf(row.valueMicro, duration);
    series.durationSec[i] = duration;
    series.line[i] = row.line;
  }
  return series;
}

const START = /^(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2})(?::(\d{2}))?(?:\.\d+)?(Z|[+-]\d{2}:?\d{2})?$/;

/**
 * How starts without an offset are read: 'local' follows the zone's DST rules; 'standard' reads
 * every start at the zone's standard (winter) offset, for files that never change clocks (the
 * usual 8760-hour load profiles): such a file shows itself by a time inside a DST gap.
 */
type Clock = { kind: 'local' } | { kind: 'standard'; offsetSec: number };

class StandardTimeFile extends Error {}

function parseStart(text: string, timeZone: string, previousEpoch: number | undefined, clock: Clock = { kind: 'local' }): { epochSec: number; wall: number } | string {
  const match = START.exec(text);
  if (!match) return `start ${JSON.stringify(text)} is not an ISO 8601 date-time like 2026-01-01T00:15:00 or 2026-01-01T00:15:00-07:00`;
  const [year, month, day, hour, minute, second] = [1, 2, 3, 4, 5, 6].map((i) => Number(match[i] ?? 0)) as [number, number, number, number, number, number];
  const days = daysFromCivil(year, month, day);
  if (month < 1 || month > 12 || day < 1 || day > 31 || hour > 23 || minute > 59 || second > 59 || daysFromCivil(year, month + 1, 1) <= days) {
    return `start ${JSON.stringify(text)} is not a valid date-time`;
  }
  const fields = days * 86400 + hour * 3600 + minute * 60 + second;
  const zone = match[7];
  if (zone) {
    let offset = 0;
    if (zone !== 'Z') {
      const digits = zone.replace(':', '');
      offset = (zone.startsWith('-') ? -1 : 1) * (Number(digits.slice(1, 3)) * 3600 + Number(digits.slice(3, 5)) * 60);
    }
    const epochSec = fields - offset;
    return { epochSec, wall: wallSeconds(epochSec, timeZone) };
  }
  if (clock.kind === 'standard') return { epochSec: fields - clock.offsetSec, wall: fields };
  try {
    let epochSec = epochOfWall(fields, timeZone);
    // The repeated hour of a DST fall-back: the second pass over it is the later instant.
    if (previousEpoch !== undefined && epochSec <= previousEpoch) epochSec = epochOfWall(fields, timeZone, true);
    return { epochSec, wall: fields };
  } catch (error) {
    if (error instanceof NonexistentLocalTime) throw new StandardTimeFile(error.message);
    throw error;
  }
}

/**
 * Parses usage CSV text. `timeZone` is the tariff's zone (for starts without an offset and for
 * the local hour of starts with one). Errors name the line (1-based, the header is line 1).
 */
export function parseUsageCsv(text: string, timeZone: string, fileName = 'usage'): UsageSeries {
  const lines = text.split(/\r?\n/);
  const headerIndex = lines.findIndex((line) => line.trim() !== '' && !line.startsWith('#'));
  if (headerIndex < 0) throw new InvalidUsageFile(`${fileName}: the file is empty (expected a header line start,value)`);
  const header = splitCsvLine(lines[headerIndex]!.replace(/^\uFEFF/, '')).map((name) => name.toLowerCase());
  const startCol = header.indexOf('start');
  const valueCol = header.indexOf('value');
  const durationCol = header.indexOf('durationsec');
  if (startCol < 0 || valueCol < 0) throw new InvalidUsageFile(`${fileName} line ${headerIndex + 1}: the header must name the columns start and value (got ${lines[headerIndex]!.trim()})`);
  let rows: UsageRow[];
  try {
    rows = readRows(lines, headerIndex, header.length, { startCol, valueCol, durationCol }, timeZone, fileName, { kind: 'local' });
  } catch (error) {
    if (!(error instanceof StandardTimeFile)) throw error;
    // A start inside a spring-forward gap: the file keeps standard time all year.
    const first = START.exec(splitCsvLine(lines.slice(headerIndex + 1).find((line) => line.trim() !== '' && !line.startsWith('#'))!)[startCol] ?? '');
    const year = first ? Number(first[1]) : 2000;
    const january = offsetAt(daysFromCivil(year, 1, 15) * 86400, timeZone);
    const july = offsetAt(daysFromCivil(year, 7, 15) * 86400, timeZone);
    rows = readRows(lines, headerIndex, header.length, { startCol, valueCol, durationCol }, timeZone, fileName, { kind: 'standard', offsetSec: Math.min(january, july) });
  }
  if (rows.length === 0) throw new InvalidUsageFile(`${fileName}: no intervals after the header`);
  try {
    return buildUsageSeries(rows);
  } catch (error) {
    if (error instanceof InvalidUsageFile) throw new InvalidUsageFile(`${fileName} ${error.message}`);
    throw error;
  }
}

function readRows(
  lines: string[],
  headerIndex: number,
  columns: number,
  { startCol, valueCol, durationCol }: { startCol: number; valueCol: number; durationCol: number },
  timeZone: string,
  fileName: string,
  clock: Clock,
): UsageRow[] {
  const header = { length: columns };
  const rows: UsageRow[] = [];
  for (let i = headerIndex + 1; i < lines.length; i++) {
    const raw = lines[i]!;
    if (raw.trim() === '' || raw.startsWith('#')) continue;
    const lineNo = i + 1;
    const cells = splitCsvLine(raw);
    if (cells.length < header.length) throw new InvalidUsageFile(`${fileName} line ${lineNo}: expected ${header.length} columns, found ${cells.length}`);
    const start = parseStart(cells[startCol]!, timeZone, rows.length ? rows[rows.length - 1]!.epochSec : undefined, clock);
    if (typeof start === 'string') throw new InvalidUsageFile(`${fileName} line ${lineNo}: ${start}`);
    const valueMicro = decimalToMicro(cells[valueCol]!);
    if (valueMicro === undefined) throw new InvalidUsageFile(`${fileName} line ${lineNo}: value ${JSON.stringify(cells[valueCol])} is not a decimal number with at most 6 decimals`);
    let durationSec: number | undefined;
    if (durationCol >= 0 && cells[durationCol] !== '') {
      const text = cells[durationCol]!;
      durationSec = Number(text);
      if (!/^\d{1,7}$/.test(text) || durationSec < 1) throw new InvalidUsageFile(`${fileName} line ${lineNo}: durationSec ${JSON.stringify(text)} is not a whole number of seconds`);
    }
    rows.push({ ...start, valueMicro, line: lineNo, ...(durationSec === undefined ? {} : { durationSec }) });
  }
  return rows;
}

/** One stored interval: start instant, length and integer micro-units of the tariff's unit. */
export interface StoredInterval {
  startEpochSec: number;
  durationSec: number;
  quantityMicro: number;
}

/**
 * The series of stored intervals (any order; e.g. from packed day items), local hours in the
 * tariff's zone. Overlapping intervals are refused (InvalidUsageFile naming the starts).
 */
export function usageFromIntervals(intervals: readonly StoredInterval[], timeZone: string): UsageSeries {
  const sorted = [...intervals].sort((a, b) => a.startEpochSec - b.startEpochSec);
  const rows: UsageRow[] = sorted.map((interval, index) => ({
    epochSec: interval.startEpochSec,
    wall: wallSeconds(interval.startEpochSec, timeZone),
    valueMicro: interval.quantityMicro,
    durationSec: interval.durationSec,
    line: index + 1,
  }));
  return buildUsageSeries(rows);
}
