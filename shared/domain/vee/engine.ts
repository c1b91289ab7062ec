/**
 * The VEE rule engine: pure and deterministic. Given a meter's parsed readings, what is stored
 * around them (the meter's own recent history) and the rule configuration, it decides per
 * reading: store it, ignore it (an exact repeat), flag it (store and queue for review) or hold
 * it (queue for staff, do not store); then checks whole days (high/low/zero usage, alerts) and
 * fills gaps with estimates. Rules run in a fixed order; the first that fires decides.
 */
import type { DaySummary, PackedInterval } from '../reads';
import type { RuleAction, VeeConfig, VeeReason } from './config';
import { averageDailyUse, estimateAverageDaily, estimateLikeDay, interpolateLinear, slotsBetween, type Estimate } from './estimate';

export interface VeeReading {
  startEpochSec: number;
  durationSec: number;
  /** Micro-units of the meter's unit; negative for negative consumption. */
  quantityMicro: number;
  /** The reading's unit when it does not fit the meter (quantity is then in that unit). */
  mismatchedUnit?: string;
  /** Where it came from (a message id), kept on exceptions. */
  ref?: string;
}

export interface VeeInterval {
  startEpochSec: number;
  durationSec: number;
  quantityMicro: number;
}

export interface VeeException {
  reason: VeeReason;
  action: Exclude<RuleAction, 'off'>;
  startEpochSec: number;
  durationSec: number;
  quantityMicro: number;
  detail: string;
  ref?: string;
  /** The reading's own unit when it is not the meter's (unit mismatch). */
  unit?: string;
}

export interface HighUsageAlert {
  day: string;
  totalMicro: number;
  thresholdMicro: number;
}

/** Stored days of the meter around the batch: the history window and the days being written. */
export interface StoredDay {
  day: string;
  intervals: Readonly<Record<string, PackedInterval>>;
  /** When present, history days are read from it instead of walking their intervals. */
  summary?: DaySummary;
}

export interface VeeContext {
  meter: { meterId: string; status: 'ACTIVE' | 'INACTIVE' };
  /** The account's status when known: zero consumption is only an exception on an active account. */
  accountActive?: boolean;
  config: VeeConfig;
  nowEpochSec: number;
  stored: readonly StoredDay[];
  /** The utility's local day of an epoch second (memoized by the caller). */
  dayOf: (epochSec: number) => string;
  /** [start, end) epoch seconds of a local day. */
  dayBounds: (day: string) => [number, number];
}

export interface VeeResult {
  /** Readings to store as actual ('A'), in time order. */
  accepted: VeeInterval[];
  /** Gap estimates to store as estimated ('E') with their method. */
  estimated: Estimate[];
  exceptions: VeeException[];
  alerts: HighUsageAlert[];
  /** Exact repeats of stored or earlier readings. */
  ignored: number;
}

interface HistoryStats {
  days: number;
  averageDailyMicro: number | undefined;
  maxRateMicroPerSec: number;
  /** Totals of the complete history days (for zero-consumption streaks). */
  completeTotals: Map<string, number>;
}

/** One interval of the timeline around the batch (stored near the target days, or accepted). */
interface Slot {
  start: number;
  duration: number;
  quantity: number;
  quality: PackedInterval[2];
  accepted: boolean;
}

/** Runs every rule over one meter's readings. The readings need not be sorted. */
export function runVee(context: VeeContext, readings: readonly VeeReading[]): VeeResult {
  const { config, meter } = context;
  const actions = config.actions;
  const result: VeeResult = { accepted: [], estimated: [], exceptions: [], alerts: [], ignored: 0 };
  if (readings.length === 0) return result;

  const sorted = readings.length > 1 && !isSorted(readings) ? [...readings].sort((a, b) => a.startEpochSec - b.startEpochSec || a.durationSec - b.durationSec) : readings;
  const targetDays = new Set<string>();
  let lastDayEnd = -Infinity;
  for (const reading of sorted) {
    if (reading.startEpochSec < lastDayEnd) continue;
    const day = context.dayOf(reading.startEpochSec);
    targetDays.add(day);
    lastDayEnd = context.dayBounds(day)[1];
  }
  // Stored intervals of the target days and the days next to them (overlaps and gaps at the day
  // boundaries); statistics of every other stored day (the history).
  const near = new Set<string>(targetDays);
  for (const day of targetDays) {
    const [from, to] = context.dayBounds(day);
    near.add(context.dayOf(from - 1));
    near.add(context.dayOf(to));
  }
  const storedAt = new Map<number, PackedInterval>();
  const storedNear: Slot[] = [];
  let uniformDuration = 0;
  let alignment = 0;
  const history: HistoryStats = { days: 0, averageDailyMicro: undefined, maxRateMicroPerSec: 0, completeTotals: new Map() };
  let historySum = 0;
  const orderedStored = isSortedByDay(context.stored) ? context.stored : [...context.stored].sort((a, b) => a.day.localeCompare(b.day));
  const addNear = (start: number, packed: PackedInterval) => {
    storedAt.set(start, packed);
    storedNear.push({ start, duration: packed[1], quantity: packed[0], quality: packed[2], accepted: false });
    if (uniformDuration === 0) {
      uniformDuration = packed[1];
      alignment = start % packed[1];
    } else if (packed[1] !== uniformDuration || start % uniformDuration !== alignment) uniformDuration = -1;
  };
  for (const day of orderedStored) {
    const intervals = day.intervals;
    const summary = day.summary;
    const isTarget = targetDays.has(day.day);
    if (isTarget || !summary) {
      if (isTarget || near.has(day.day)) {
        // Integer-like keys iterate in ascending numeric order: starts come sorted.
        for (const key in intervals) addNear(Number(key), intervals[key]!);
      }
    } else if (near.has(day.day)) {
      // a neighbour day: only its first and last interval can touch the batch's days
      const firstPacked = intervals[String(summary.firstStart)];
      const lastPacked = intervals[String(summary.lastStart)];
      if (firstPacked) addNear(summary.firstStart, firstPacked);
      if (lastPacked && summary.lastStart !== summary.firstStart) addNear(summary.lastStart, lastPacked);
    }
    if (isTarget) continue;
    let total = 0;
    let covered = 0;
    if (summary) {
      total = summary.totalMicro;
      covered = summary.coveredSec;
      const rate = summary.peakMicro / summary.peakSec;
      if (rate > history.maxRateMicroPerSec) history.maxRateMicroPerSec = rate;
    } else {
      for (const key in intervals) {
        const packed = intervals[key]!;
        total += packed[0];
        covered += packed[1];
        const rate = packed[0] / packed[1];
        if (rate > history.maxRateMicroPerSec) history.maxRateMicroPerSec = rate;
      }
    }
    const [from, to] = context.dayBounds(day.day);
    if (covered >= to - from) {
      history.days++;
      historySum += total;
      history.completeTotals.set(day.day, total);
    }
  }
  if (history.days > 0) history.averageDailyMicro = Math.round(historySum / history.days);
  let storedStarts: number[] | undefined;

  const spikeRate = history.days >= config.minHistoryDays && history.maxRateMicroPerSec > 0 ? history.maxRateMicroPerSec * config.spikeFactor : Infinity;
  const latestStart = context.nowEpochSec + config.futureSkewSec;
  const earliestEnd = context.nowEpochSec - config.maxAgeDays * 86_400;

  const raise = (reason: VeeReason, reading: VeeReading, detail: string): boolean => {
    const action = actions[reason];
    if (action === 'off') return false;
    result.exceptions.push({
      reason,
      action,
      startEpochSec: reading.startEpochSec,
      durationSec: reading.durationSec,
      quantityMicro: reading.quantityMicro,
      detail,
      ...(reading.ref ? { ref: reading.ref } : {}),
      ...(reading.mismatchedUnit !== undefined ? { unit: reading.mismatchedUnit } : {}),
    });
    return action === 'hold';
  };

  let lastEnd = -Infinity;
  let last: VeeReading | undefined;
  for (const reading of sorted) {
    const start = reading.startEpochSec;
    const duration = reading.durationSec;
    // a repeat inside the batch
    if (last && last.startEpochSec === start) {
      if (last.durationSec === duration && last.quantityMicro === reading.quantityMicro && last.mismatchedUnit === reading.mismatchedUnit) {
        result.ignored++;
        continue;
      }
      if (raise('duplicate-conflict', reading, `two readings for ${iso(start)} disagree (${last.quantityMicro} vs ${reading.quantityMicro})`)) continue;
    }
    if (start > latestStart && raise('future-interval', reading, `starts ${iso(start)}, after now + ${config.futureSkewSec} s`)) continue;
    if (start + duration < earliestEnd && raise('too-old', reading, `ends ${iso(start + duration)}, more than ${config.maxAgeDays} days before now`)) continue;
    if (meter.status !== 'ACTIVE' && raise('meter-inactive', reading, `meter ${meter.meterId} is ${meter.status}`)) continue;
    if (reading.mismatchedUnit !== undefined) {
      // A quantity in another unit can never be stored as it is: held (or dropped when the rule is off).
      raise('unit-mismatch', reading, `unit ${reading.mismatchedUnit} does not fit the meter`);
      continue;
    }
    if (reading.quantityMicro < 0 && raise('negative-consumption', reading, `negative consumption ${reading.quantityMicro}`)) continue;
    const stored = storedAt.size > 0 ? storedAt.get(start) : undefined;
    if (stored) {
      // The same value as a stored actual or staff-entered reading is a repeat (a redelivery, a resubmitted form).
      if (stored[0] === reading.quantityMicro && stored[1] === duration && stored[2] !== 'E') {
        result.ignored++;
        last = reading;
        continue;
      }
      // An actual replaces an estimate; any other difference is a conflicting repeat.
      if (stored[2] !== 'E' && raise('duplicate-conflict', reading, `stored ${stored[0]}/${stored[1]}s (${stored[2]}) differs from ${reading.quantityMicro}/${duration}s`)) continue;
    } else if (start < lastEnd || (storedAt.size > 0 && !(duration === uniformDuration && start % duration === alignment) && overlapsStored((storedStarts ??= [...storedAt.keys()].sort((a, b) => a - b)), storedAt, start, duration))) {
      if (raise('overlapping-intervals', reading, `${iso(start)} +${duration}s overlaps another interval`)) continue;
    }
    if (reading.quantityMicro >= config.spikeMinMicro && reading.quantityMicro / duration > spikeRate) {
      if (raise('spike', reading, `rate ${(reading.quantityMicro / duration).toFixed(3)}/s is over ${config.spikeFactor}x the history's highest`)) continue;
    }
    result.accepted.push({ startEpochSec: start, durationSec: duration, quantityMicro: reading.quantityMicro });
    if (start + duration > lastEnd) lastEnd = start + duration;
    last = reading;
  }

  if (result.accepted.length === 0) return result;
  const timeline = mergeTimeline(storedNear, result.accepted);
  fillGaps(context, result, timeline, storedAt, history);
  checkDays(context, result, timeline, history);
  return result;
}

function isSortedByDay(days: readonly StoredDay[]): boolean {
  for (let index = 1; index < days.length; index++) if (days[index]!.day < days[index - 1]!.day) return false;
  return true;
}

/** Stored and accepted intervals in time order; an accepted one replaces a stored one at the same start. */
function mergeTimeline(stored: readonly Slot[], accepted: readonly VeeInterval[]): Slot[] {
  const out: Slot[] = [];
  let i = 0;
  let j = 0;
  while (i < stored.length || j < accepted.length) {
    const s = stored[i];
    const a = accepted[j];
    if (a && (!s || a.startEpochSec <= s.start)) {
      if (s && s.start === a.startEpochSec) i++;
      out.push({ start: a.startEpochSec, duration: a.durationSec, quantity: a.quantityMicro, quality: 'A', accepted: true });
      j++;
    } else {
      out.push(s!);
      i++;
    }
  }
  return out;
}

function isSorted(readings: readonly VeeReading[]): boolean {
  for (let index = 1; index < readings.length; index++) if (readings[index]!.startEpochSec < readings[index - 1]!.startEpochSec) return false;
  return true;
}

function overlapsStored(starts: readonly number[], at: ReadonlyMap<number, PackedInterval>, start: number, duration: number): boolean {
  if (starts.length === 0) return false;
  // the last stored start before `start` and the first after it
  let low = 0;
  let high = starts.length;
  while (low < high) {
    const mid = (low + high) >> 1;
    if (starts[mid]! < start) low = mid + 1;
    else high = mid;
  }
  const before = starts[low - 1];
  if (before !== undefined && before + at.get(before)![1] > start) return true;
  const after = starts[low] === start ? starts[low + 1] : starts[low];
  return after !== undefined && after < start + duration;
}

function iso(epochSec: number): string {
  return new Date(epochSec * 1000).toISOString().replace('.000Z', 'Z');
}

/** Fills the gaps next to accepted readings: linear when short, like-day when longer, average daily use without like days. */
function fillGaps(context: VeeContext, result: VeeResult, timeline: Slot[], storedAt: ReadonlyMap<number, PackedInterval>, history: HistoryStats): void {
  const { config } = context;
  let likeDayValues: Map<number, number> | undefined;
  const valueAt = (start: number) => {
    // like days are in the history window (not only near the batch)
    if (!likeDayValues) {
      likeDayValues = new Map();
      for (const day of context.stored) for (const key in day.intervals) likeDayValues.set(Number(key), day.intervals[key]![0]);
      for (const slot of timeline) likeDayValues.set(slot.start, slot.quantity);
    }
    return likeDayValues.get(start);
  };
  const additions: Slot[] = [];
  for (let index = 1; index < timeline.length; index++) {
    const before = timeline[index - 1]!;
    const after = timeline[index]!;
    if (!before.accepted && !after.accepted) continue;
    const gapFrom = before.start + before.duration;
    const gap = after.start - gapFrom;
    if (gap <= 0) continue;
    const duration = gap % before.duration === 0 ? before.duration : gap % after.duration === 0 ? after.duration : 0;
    const gapReading = { startEpochSec: gapFrom, durationSec: gap, quantityMicro: 0 };
    if (duration === 0 || gap > config.estimateMaxGapSec) {
      if (config.actions.gap !== 'off') result.exceptions.push({ reason: 'gap', action: 'flag', ...gapReading, detail: `no reads for ${gap} s from ${iso(gapFrom)}` });
      continue;
    }
    const slots = slotsBetween(gapFrom, after.start, duration);
    let estimates: Estimate[] | undefined;
    if (gap <= config.interpolateMaxGapSec) {
      estimates = interpolateLinear({ durationSec: before.duration, quantityMicro: before.quantity }, { durationSec: after.duration, quantityMicro: after.quantity }, slots, duration);
    } else {
      estimates = estimateLikeDay(slots, duration, valueAt);
      if (!estimates && history.averageDailyMicro !== undefined) estimates = estimateAverageDaily(slots, duration, history.averageDailyMicro);
    }
    if (!estimates) {
      // A long gap without any history to estimate from: staff decide.
      if (config.actions.gap !== 'off') result.exceptions.push({ reason: 'gap', action: 'flag', ...gapReading, detail: `no reads for ${gap} s from ${iso(gapFrom)} and no history to estimate from` });
      continue;
    }
    for (const estimate of estimates) additions.push({ start: estimate.startEpochSec, duration: estimate.durationSec, quantity: estimate.quantityMicro, quality: 'E', accepted: true });
    result.estimated.push(...estimates);
  }
  if (additions.length > 0) {
    timeline.push(...additions);
    timeline.sort((a, b) => a.start - b.start);
  }
}

/** Whole-day rules on the days the batch completed: high/low usage, zero consumption, high-usage alert. */
function checkDays(context: VeeContext, result: VeeResult, timeline: readonly Slot[], history: HistoryStats): void {
  const { config } = context;
  // totals of the days the batch touched, walking the timeline day by day
  const touched: Array<{ day: string; from: number; to: number; total: number; covered: number }> = [];
  let current: (typeof touched)[number] | undefined;
  let currentTouched = false;
  for (const slot of timeline) {
    if (!current || slot.start >= current.to || slot.start < current.from) {
      if (current && currentTouched) touched.push(current);
      const day = context.dayOf(slot.start);
      const [from, to] = context.dayBounds(day);
      current = { day, from, to, total: 0, covered: 0 };
      currentTouched = false;
    }
    current.total += slot.quantity;
    current.covered += slot.duration;
    if (slot.accepted) currentTouched = true;
  }
  if (current && currentTouched) touched.push(current);
  const completeTotals = new Map(history.completeTotals);
  for (const entry of touched) if (entry.covered >= entry.to - entry.from) completeTotals.set(entry.day, entry.total);

  for (const entry of touched) {
    const total = completeTotals.get(entry.day);
    if (total === undefined || entry.covered < entry.to - entry.from) continue;
    const dayReading = { startEpochSec: entry.from, durationSec: entry.to - entry.from, quantityMicro: total };
    const push = (reason: VeeReason, detail: string) => {
      if (config.actions[reason] !== 'off') result.exceptions.push({ reason, action: 'flag', ...dayReading, detail });
    };
    const average = history.averageDailyMicro;
    if (history.days >= config.minHistoryDays && average !== undefined && average > 0) {
      if (total > average * config.highUsageFactor) push('high-usage', `${entry.day} used ${total}, over ${config.highUsageFactor}x the daily average ${average}`);
      else if (total < average * config.lowUsageFactor) push('low-usage', `${entry.day} used ${total}, under ${config.lowUsageFactor}x the daily average ${average}`);
    }
    if (total === 0 && context.meter.status === 'ACTIVE' && context.accountActive !== false) {
      let zeroDays = 1;
      for (let previous = context.dayOf(entry.from - 1); zeroDays < config.zeroConsumptionDays && completeTotals.get(previous) === 0; previous = context.dayOf(context.dayBounds(previous)[0] - 1)) zeroDays++;
      if (zeroDays >= config.zeroConsumptionDays) push('zero-consumption', `no consumption for ${zeroDays} days up to ${entry.day}`);
    }
    if (config.highUsageAlertMicroPerDay !== undefined && total > config.highUsageAlertMicroPerDay) {
      result.alerts.push({ day: entry.day, totalMicro: total, thresholdMicro: config.highUsageAlertMicroPerDay });
    }
  }
}
