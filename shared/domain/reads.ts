/**
 * Validation, editing and estimation (VEE), thin slice: validate a batch of interval readings
 * for one meter, group them into one packed item per meter per local day, and merge them into
 * what is stored without double counting.
 */
import type { Meter } from './accounts';
import { localDate, parseInstant, SECONDS_PER_DAY } from './calendar';
import { InvalidInput } from './errors';
import { InvalidQuantity, isUnit, microExponent, type QuantityRejection, toMicroUnits, type Unit } from './units';
import type { EstimationMethod } from './vee/estimate';
import type { VeeReading } from './vee/engine';

/** A clock may run this far ahead of ours before a reading counts as "from the future". */
export const CLOCK_SKEW_SEC = 300;

/** A: actual (from the meter), E: estimated (see `methods`), M: entered or edited by staff. */
export type Quality = 'A' | 'E' | 'M';
export const QUALITIES: readonly Quality[] = ['A', 'E', 'M'];

export interface ReadingInput {
  start: string;
  durationSec: number;
  value: string;
  unit: string;
}

export interface Interval {
  startEpochSec: number;
  durationSec: number;
  quantityMicro: number;
  quality: Quality;
  /** How an estimate ('E') was made. */
  method?: EstimationMethod;
}

export interface ValidatedReading extends Interval {
  /** The utility's local date of the interval start. */
  day: string;
}

export type ReadingRejection =
  | 'empty-batch'
  | 'invalid-start'
  | 'invalid-duration'
  | 'misaligned-start'
  | 'future-interval'
  | 'meter-inactive'
  | 'duplicate-interval'
  | 'overlapping-intervals'
  | QuantityRejection;

/** A reading batch that VEE refuses, with a machine-readable reason code. */
export class ReadingRejected extends InvalidInput {
  override name = 'ReadingRejected';
  constructor(
    readonly reason: ReadingRejection,
    message: string,
  ) {
    super(message, [{ path: 'readings', message }]);
  }
}
export class EmptyReadingBatch extends ReadingRejected {
  override name = 'EmptyReadingBatch';
}
export class InvalidIntervalStart extends ReadingRejected {
  override name = 'InvalidIntervalStart';
}
export class InvalidIntervalDuration extends ReadingRejected {
  override name = 'InvalidIntervalDuration';
}
export class MisalignedInterval extends ReadingRejected {
  override name = 'MisalignedInterval';
}
export class FutureInterval extends ReadingRejected {
  override name = 'FutureInterval';
}
export class InvalidReadingValue extends ReadingRejected {
  override name = 'InvalidReadingValue';
}
export class IncompatibleUnit extends ReadingRejected {
  override name = 'IncompatibleUnit';
}
export class MeterNotActive extends ReadingRejected {
  override name = 'MeterNotActive';
}
export class ConflictingIntervals extends ReadingRejected {
  override name = 'ConflictingIntervals';
}

export function isValidDuration(durationSec: number): boolean {
  return Number.isSafeInteger(durationSec) && durationSec > 0 && SECONDS_PER_DAY % durationSec === 0;
}

export interface ValidateReadingsInput {
  meter: Pick<Meter, 'meterId' | 'unit' | 'status'>;
  readings: readonly ReadingInput[];
  now: Date;
  /** The utility's IANA time zone: the local day of each interval is taken in it. */
  timeZone: string;
}

/**
 * Validates every reading of a batch (all or nothing: a batch with one bad reading is refused,
 * so the message goes back to the queue and, in the end, to the dead-letter queue intact).
 * Rules: start is ISO 8601 with an offset; durationSec is a positive integer dividing 86400;
 * start is aligned to the duration on the wall clock of the stated offset (so daily reads start
 * at local midnight); start is not after now + 5 minutes; the unit fits the meter; the value is
 * an exact non-negative decimal; the meter is active; no two readings overlap (exact repeats
 * inside a batch are collapsed).
 */
export function validateReadings({ meter, readings, now, timeZone }: ValidateReadingsInput): ValidatedReading[] {
  if (meter.status !== 'ACTIVE') throw new MeterNotActive('meter-inactive', `meter ${meter.meterId} is ${meter.status}, not ACTIVE`);
  if (readings.length === 0) throw new EmptyReadingBatch('empty-batch', 'readings is empty');
  const latestStartMs = now.getTime() + CLOCK_SKEW_SEC * 1000;
  const validated = readings.map((reading, index) => validateReading(reading, `readings[${index}]`, meter.unit, latestStartMs, timeZone));
  return withoutRepeats(validated);
}

function validateReading(reading: ReadingInput, at: string, meterUnit: Unit, latestStartMs: number, timeZone: string): ValidatedReading {
  const start = parseInstant(reading.start);
  if (!start) throw new InvalidIntervalStart('invalid-start', `${at}.start ${JSON.stringify(reading.start)} is not an ISO 8601 timestamp with an offset, e.g. 2026-01-01T00:00:00-07:00`);
  if (!isValidDuration(reading.durationSec)) {
    throw new InvalidIntervalDuration('invalid-duration', `${at}.durationSec ${reading.durationSec} is not a positive whole number of seconds dividing 86400 (e.g. 300, 900, 3600, 86400)`);
  }
  const wallClockMs = start.epochMs + start.offsetSec * 1000;
  if (wallClockMs % (reading.durationSec * 1000) !== 0) {
    throw new MisalignedInterval('misaligned-start', `${at}.start ${reading.start} is not aligned to a ${reading.durationSec}-second interval`);
  }
  if (start.epochMs > latestStartMs) throw new FutureInterval('future-interval', `${at}.start ${reading.start} is in the future`);
  let quantityMicro: number;
  try {
    quantityMicro = toMicroUnits(reading.value, reading.unit, meterUnit);
  } catch (error) {
    if (!(error instanceof InvalidQuantity)) throw error;
    const Rejection = error.reason === 'unknown-unit' || error.reason === 'incompatible-unit' ? IncompatibleUnit : InvalidReadingValue;
    throw new Rejection(error.reason, `${at}: ${error.message}`);
  }
  const startEpochSec = start.epochMs / 1000;
  return { startEpochSec, durationSec: reading.durationSec, quantityMicro, quality: 'A', day: localDate(startEpochSec, timeZone) };
}

function withoutRepeats(readings: ValidatedReading[]): ValidatedReading[] {
  const sorted = [...readings].sort((a, b) => a.startEpochSec - b.startEpochSec || a.durationSec - b.durationSec);
  const kept: ValidatedReading[] = [];
  for (const reading of sorted) {
    const previous = kept.at(-1);
    if (previous && previous.startEpochSec === reading.startEpochSec && previous.durationSec === reading.durationSec) {
      if (previous.quantityMicro !== reading.quantityMicro) {
        throw new ConflictingIntervals('duplicate-interval', `two readings for the interval starting ${new Date(reading.startEpochSec * 1000).toISOString()} disagree`);
      }
      continue;
    }
    if (previous && previous.startEpochSec + previous.durationSec > reading.startEpochSec) {
      throw new ConflictingIntervals('overlapping-intervals', `readings starting ${new Date(previous.startEpochSec * 1000).toISOString()} and ${new Date(reading.startEpochSec * 1000).toISOString()} overlap`);
    }
    kept.push(reading);
  }
  return kept;
}

/** Readings grouped by the utility's local day of their start, days and intervals in order. */
export function groupByDay(readings: readonly ValidatedReading[]): Map<string, Interval[]> {
  const days = new Map<string, Interval[]>();
  const sorted = [...readings].sort((a, b) => a.startEpochSec - b.startEpochSec);
  for (const { day, ...interval } of sorted) {
    const intervals = days.get(day);
    if (intervals) intervals.push(interval);
    else days.set(day, [interval]);
  }
  return new Map([...days.entries()].sort(([a], [b]) => a.localeCompare(b)));
}

/** [quantityMicro, durationSec, quality], keyed by the interval's start in epoch seconds. */
export type PackedInterval = [quantityMicro: number, durationSec: number, quality: Quality];

/** A previous value, kept when a later reading replaced it. */
export interface ReadHistoryEntry {
  start: number;
  previous: PackedInterval;
  /** When it was replaced (ISO 8601). */
  at: string;
  /** Who replaced it: the source of the new value ("mqtt"). */
  by: string;
  /** A reference to the message that replaced it (the SQS message id). */
  ref?: string;
}

/** Figures of a day kept beside its intervals, so VEE reads a history day without walking it. */
export interface DaySummary {
  totalMicro: number;
  coveredSec: number;
  /** The interval with the highest rate (quantity per second). */
  peakMicro: number;
  peakSec: number;
  firstStart: number;
  lastStart: number;
  count: number;
}

export function summarizeDay(intervals: Readonly<Record<string, PackedInterval>>): DaySummary | undefined {
  let summary: DaySummary | undefined;
  for (const key in intervals) {
    const [quantity, duration] = intervals[key]!;
    const start = Number(key);
    if (!summary) {
      summary = { totalMicro: quantity, coveredSec: duration, peakMicro: quantity, peakSec: duration, firstStart: start, lastStart: start, count: 1 };
      continue;
    }
    summary.totalMicro += quantity;
    summary.coveredSec += duration;
    summary.count++;
    if (quantity * summary.peakSec > summary.peakMicro * duration) {
      summary.peakMicro = quantity;
      summary.peakSec = duration;
    }
    if (start < summary.firstStart) summary.firstStart = start;
    if (start > summary.lastStart) summary.lastStart = start;
  }
  // A day beyond the exactly representable range (hostile values) gets no summary: readers walk it.
  return summary && Number.isSafeInteger(summary.totalMicro) && Number.isSafeInteger(summary.coveredSec) ? summary : undefined;
}

/** One packed item: all intervals of one meter for one local day. */
export interface DayReads {
  meterId: string;
  day: string;
  /** The meter's unit; quantities are micro-units of it. */
  unit: Unit;
  intervals: Record<string, PackedInterval>;
  /** The estimation method of each estimated ('E') interval, by start. */
  methods?: Record<string, EstimationMethod>;
  /** Totals of `intervals` (written with them; absent on items written before it existed). */
  summary?: DaySummary;
  /** Register (cumulative) reads of the day: micro-units by epoch second. */
  registers?: Record<string, number>;
  /** Optimistic-locking version: 1 on the first write, +1 on every change. */
  version: number;
  history: ReadHistoryEntry[];
  updatedAt: string;
}

export interface ReadChange {
  at: string;
  /** Who or what made the change: "mqtt", "import", "vee-estimate", "staff:<user>". */
  by: string;
  ref?: string;
}

export interface MergeResult {
  day: DayReads;
  /** False when every incoming interval was an exact repeat: nothing to write. */
  changed: boolean;
  added: number;
  replaced: number;
  unchanged: number;
}

/**
 * Merges intervals into a stored day. Exact repeats are ignored (a message processed twice
 * changes nothing); a different value for the same start replaces the stored one, and the
 * stored one goes into the history with who and when.
 */
export function mergeDay(existing: DayReads | undefined, meter: Pick<Meter, 'meterId' | 'unit'>, day: string, incoming: readonly Interval[], change: ReadChange): MergeResult {
  const intervals: Record<string, PackedInterval> = { ...existing?.intervals };
  const methods: Record<string, EstimationMethod> = { ...existing?.methods };
  const history = [...(existing?.history ?? [])];
  let added = 0;
  let replaced = 0;
  let unchanged = 0;
  for (const interval of incoming) {
    const key = String(interval.startEpochSec);
    const next: PackedInterval = [interval.quantityMicro, interval.durationSec, interval.quality];
    const current = intervals[key];
    if (!current) {
      added++;
    } else if (current[0] === next[0] && current[1] === next[1] && current[2] === next[2]) {
      unchanged++;
      continue;
    } else {
      replaced++;
      history.push({ start: interval.startEpochSec, previous: current, at: change.at, by: change.by, ...(change.ref ? { ref: change.ref } : {}) });
    }
    intervals[key] = next;
    if (interval.quality === 'E' && interval.method) methods[key] = interval.method;
    else delete methods[key];
  }
  const changed = added + replaced > 0;
  if (!changed && existing) return { day: existing, changed, added, replaced, unchanged };
  const summary = summarizeDay(intervals);
  return {
    day: {
      meterId: meter.meterId,
      day,
      unit: meter.unit,
      intervals,
      ...(Object.keys(methods).length > 0 ? { methods } : {}),
      ...(summary ? { summary } : {}),
      version: (existing?.version ?? 0) + 1,
      history,
      updatedAt: change.at,
    },
    changed,
    added,
    replaced,
    unchanged,
  };
}

/** Total usage of a day in micro-units (integer). */
export function dayTotal(day: Pick<DayReads, 'intervals'>): number {
  let total = 0;
  for (const [quantity] of Object.values(day.intervals)) total += quantity;
  if (!Number.isSafeInteger(total)) throw new InvalidQuantity('value-too-large', 'daily usage exceeds the exactly representable range');
  return total;
}

const POW10 = [1, 10, 100, 1000, 10_000, 100_000, 1_000_000];

/** A decimal string as integer micro-units (10^exponent per unit), fast for ordinary values. */
function quantityOf(value: string, readingUnit: Unit, meterUnit: Unit, exponent: number): number {
  const length = value.length;
  const negative = value.charCodeAt(0) === 45;
  let index = negative ? 1 : 0;
  let whole = 0;
  let wholeDigits = 0;
  let fraction = 0;
  let fractionDigits = -1;
  for (; index < length; index++) {
    const code = value.charCodeAt(index);
    if (code === 46 && fractionDigits < 0) {
      fractionDigits = 0;
      continue;
    }
    if (code < 48 || code > 57) break;
    if (fractionDigits < 0) {
      whole = whole * 10 + (code - 48);
      wholeDigits++;
    } else {
      fraction = fraction * 10 + (code - 48);
      fractionDigits++;
    }
  }
  if (index === length && wholeDigits > 0 && wholeDigits <= 9 && fractionDigits !== 0 && fractionDigits <= exponent) {
    const micro = whole * POW10[exponent]! + (fractionDigits > 0 ? fraction * POW10[exponent - fractionDigits]! : 0);
    return negative ? -micro : micro;
  }
  // anything unusual (long values, trailing zeros past the precision, junk) takes the exact path
  return negative ? -toMicroUnits(value.slice(1), readingUnit, meterUnit) : toMicroUnits(value, readingUnit, meterUnit);
}

const DAYS_IN_MONTH = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];
const digit = (value: string, index: number) => value.charCodeAt(index) - 48;
const two = (value: string, index: number) => {
  const a = digit(value, index);
  const b = digit(value, index + 1);
  return a >= 0 && a <= 9 && b >= 0 && b <= 9 ? a * 10 + b : -1;
};

/** Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's days_from_civil). */
function daysFromCivil(year: number, month: number, day: number): number {
  const y = month <= 2 ? year - 1 : year;
  const era = Math.floor(y / 400);
  const yoe = y - era * 400;
  const doy = Math.floor((153 * (month + (month > 2 ? -3 : 9)) + 2) / 5) + day - 1;
  const doe = yoe * 365 + Math.floor(yoe / 4) - Math.floor(yoe / 100) + doy;
  return era * 146_097 + doe - 719_468;
}

/**
 * parseInstant for the common shapes "YYYY-MM-DDTHH:MM:SSZ" and "...SS+HH:MM" without regex or
 * Date; anything else (fractions of a second, odd input) goes through parseInstant.
 */
export function parseInstantFast(value: string): ReturnType<typeof parseInstant> {
  const length = value.length;
  if ((length === 20 || length === 25) && value.charCodeAt(4) === 45 && value.charCodeAt(7) === 45 && value.charCodeAt(10) === 84 && value.charCodeAt(13) === 58 && value.charCodeAt(16) === 58) {
    const year = two(value, 0) * 100 + two(value, 2);
    const month = two(value, 5);
    const day = two(value, 8);
    const hour = two(value, 11);
    const minute = two(value, 14);
    const second = two(value, 17);
    let offsetSec = 0;
    let ok = year >= 0 && month >= 1 && month <= 12 && day >= 1 && hour >= 0 && hour <= 23 && minute >= 0 && minute <= 59 && second >= 0 && second <= 59 && two(value, 0) >= 0 && two(value, 2) >= 0;
    if (ok) {
      const leap = year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0);
      ok = day <= (month === 2 && leap ? 29 : DAYS_IN_MONTH[month - 1]!);
    }
    if (ok && length === 20) ok = value.charCodeAt(19) === 90;
    else if (ok) {
      const sign = value.charCodeAt(19);
      const hours = two(value, 20);
      const minutes = two(value, 23);
      ok = (sign === 43 || sign === 45) && value.charCodeAt(22) === 58 && hours >= 0 && hours <= 14 && minutes >= 0 && minutes <= 59;
      offsetSec = (sign === 45 ? -1 : 1) * (hours * 3600 + minutes * 60);
    }
    if (!ok) return undefined;
    const epochSec = daysFromCivil(year, month, day) * 86_400 + hour * 3600 + minute * 60 + second - offsetSec;
    return { epochMs: epochSec * 1000, offsetSec };
  }
  return parseInstant(value);
}

/**
 * Parses a message's readings for the VEE engine. Only what cannot be a reading at all is
 * refused (the message goes to the dead-letter queue): a start that is not ISO 8601 with an
 * offset, a duration that does not divide a day, a misaligned start, a value that is not a
 * decimal string or does not fit a micro-unit, an unknown unit. Data-quality problems (future
 * starts, negative values, a unit that does not fit the meter, conflicts) are left to VEE.
 */
export function parseReadings(readings: readonly ReadingInput[], meterUnit: Unit, ref?: string): VeeReading[] {
  const parsed: VeeReading[] = new Array(readings.length);
  for (let index = 0; index < readings.length; index++) {
    const reading = readings[index]!;
    const at = () => `readings[${index}]`;
    const start = typeof reading.start === 'string' ? parseInstantFast(reading.start) : undefined;
    if (!start) throw new InvalidIntervalStart('invalid-start', `${at()}.start ${JSON.stringify(reading.start)} is not an ISO 8601 timestamp with an offset, e.g. 2026-01-01T00:00:00-07:00`);
    if (!isValidDuration(reading.durationSec)) {
      throw new InvalidIntervalDuration('invalid-duration', `${at()}.durationSec ${reading.durationSec} is not a positive whole number of seconds dividing 86400 (e.g. 300, 900, 3600, 86400)`);
    }
    if ((start.epochMs + start.offsetSec * 1000) % (reading.durationSec * 1000) !== 0) {
      throw new MisalignedInterval('misaligned-start', `${at()}.start ${reading.start} is not aligned to a ${reading.durationSec}-second interval`);
    }
    const unit = reading.unit;
    if (!isUnit(unit)) throw new IncompatibleUnit('unknown-unit', `${at()}: unit ${JSON.stringify(unit)} is not one of kWh, Wh, gal, ccf, therm`);
    const exponent = microExponent(unit, meterUnit);
    let quantityMicro: number;
    try {
      quantityMicro = quantityOf(reading.value, unit, exponent === undefined ? unit : meterUnit, exponent ?? 6);
    } catch (error) {
      if (!(error instanceof InvalidQuantity)) throw error;
      throw new InvalidReadingValue(error.reason, `${at()}: ${error.message}`);
    }
    parsed[index] = {
      startEpochSec: start.epochMs / 1000,
      durationSec: reading.durationSec,
      quantityMicro,
      ...(exponent === undefined ? { mismatchedUnit: unit } : {}),
      ...(ref ? { ref } : {}),
    };
  }
  return parsed;
}

export interface RegisterInput {
  at: string;
  value: string;
  unit: string;
}

/** Parses register reads like interval values: malformed ones are refused (dead-letter queue). */
export function parseRegisters(registers: readonly RegisterInput[], meterUnit: Unit, ref?: string): Array<{ atEpochSec: number; valueMicro: number; ref?: string; mismatchedUnit?: string }> {
  return registers.map((register, index) => {
    const at = parseInstantFast(register.at);
    if (!at || at.epochMs % 1000 !== 0) throw new InvalidIntervalStart('invalid-start', `registers[${index}].at ${JSON.stringify(register.at)} is not an ISO 8601 timestamp with an offset and whole seconds`);
    if (!isUnit(register.unit)) throw new IncompatibleUnit('unknown-unit', `registers[${index}]: unit ${JSON.stringify(register.unit)} is not one of kWh, Wh, gal, ccf, therm`);
    const exponent = microExponent(register.unit, meterUnit);
    let valueMicro: number;
    try {
      valueMicro = quantityOf(register.value, register.unit, exponent === undefined ? register.unit : meterUnit, exponent ?? 6);
    } catch (error) {
      if (!(error instanceof InvalidQuantity)) throw error;
      throw new InvalidReadingValue(error.reason, `registers[${index}]: ${error.message}`);
    }
    return { atEpochSec: at.epochMs / 1000, valueMicro, ...(ref ? { ref } : {}), ...(exponent === undefined ? { mismatchedUnit: register.unit } : {}) };
  });
}
