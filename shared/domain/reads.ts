/**
 * Validation, editing and estimation (VEE), thin slice: validate a batch of interval readings
 * for one meter, group them into one packed item per meter per local day, and merge them into
 * what is stored without double counting.
 */
import type { Meter } from './accounts';
import { localDate, parseInstant, SECONDS_PER_DAY } from './calendar';
import { InvalidQuantity, type QuantityRejection, toMicroUnits, type Unit } from './units';

/** A clock may run this far ahead of ours before a reading counts as "from the future". */
export const CLOCK_SKEW_SEC = 300;

export type Quality = 'A' | 'E';

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
export class ReadingRejected extends Error {
  override name = 'ReadingRejected';
  constructor(
    readonly reason: ReadingRejection,
    message: string,
  ) {
    super(message);
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

/** One packed item: all intervals of one meter for one local day. */
export interface DayReads {
  meterId: string;
  day: string;
  /** The meter's unit; quantities are micro-units of it. */
  unit: Unit;
  intervals: Record<string, PackedInterval>;
  /** Optimistic-locking version: 1 on the first write, +1 on every change. */
  version: number;
  history: ReadHistoryEntry[];
  updatedAt: string;
}

export interface ReadChange {
  at: string;
  by: 'mqtt';
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
  }
  const changed = added + replaced > 0;
  if (!changed && existing) return { day: existing, changed, added, replaced, unchanged };
  return {
    day: { meterId: meter.meterId, day, unit: meter.unit, intervals, version: (existing?.version ?? 0) + 1, history, updatedAt: change.at },
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
