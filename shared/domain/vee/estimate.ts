/**
 * Estimation: filling missing intervals. Linear interpolation for short gaps, like-day history
 * for longer ones, average daily use when there is no interval data to go by. Every estimate
 * carries its method; quantities stay integers (micro-units), rounded half up.
 */
export const ESTIMATION_METHODS = ['linear', 'like-day', 'average-daily', 'manual'] as const;
export type EstimationMethod = (typeof ESTIMATION_METHODS)[number];

export interface Estimate {
  startEpochSec: number;
  durationSec: number;
  quantityMicro: number;
  method: EstimationMethod;
}

/** The starts of the `durationSec` slots from `fromSec` (included) to `toSec` (excluded). */
export function slotsBetween(fromSec: number, toSec: number, durationSec: number): number[] {
  const slots: number[] = [];
  for (let start = fromSec; start + durationSec <= toSec; start += durationSec) slots.push(start);
  return slots;
}

/**
 * Linear interpolation between the interval before the gap and the one after it: the
 * consumption of slot i of n is before + (after - before) * i / (n + 1), scaled to the slot's
 * duration when the neighbours have other lengths.
 */
export function interpolateLinear(
  before: { durationSec: number; quantityMicro: number },
  after: { durationSec: number; quantityMicro: number },
  slots: readonly number[],
  durationSec: number,
): Estimate[] {
  const rateBefore = before.quantityMicro / before.durationSec;
  const rateAfter = after.quantityMicro / after.durationSec;
  const n = slots.length;
  return slots.map((startEpochSec, index) => ({
    startEpochSec,
    durationSec,
    quantityMicro: Math.round((rateBefore + ((rateAfter - rateBefore) * (index + 1)) / (n + 1)) * durationSec),
    method: 'linear',
  }));
}

/**
 * Like-day: each slot takes the value of the same slot one week earlier (same weekday) when
 * known, otherwise the average of the same slot on the previous `lookbackDays` days that have
 * it. Undefined when some slot has no like-day value at all.
 */
export function estimateLikeDay(slots: readonly number[], durationSec: number, valueAt: (startEpochSec: number) => number | undefined, lookbackDays = 7): Estimate[] | undefined {
  const estimates: Estimate[] = [];
  for (const startEpochSec of slots) {
    let quantity = valueAt(startEpochSec - 7 * 86_400);
    if (quantity === undefined) {
      let sum = 0;
      let count = 0;
      for (let k = 1; k <= lookbackDays; k++) {
        const value = valueAt(startEpochSec - k * 86_400);
        if (value !== undefined) {
          sum += value;
          count++;
        }
      }
      if (count === 0) return undefined;
      quantity = Math.round(sum / count);
    }
    estimates.push({ startEpochSec, durationSec, quantityMicro: quantity, method: 'like-day' });
  }
  return estimates;
}

/** The average of daily totals (integer micro-units, rounded half up); undefined without days. */
export function averageDailyUse(dailyTotals: readonly number[]): number | undefined {
  if (dailyTotals.length === 0) return undefined;
  let sum = 0;
  for (const total of dailyTotals) sum += total;
  return Math.round(sum / dailyTotals.length);
}

/**
 * Average daily use spread evenly over the slots (each slot gets its share of a day); the
 * rounding remainder goes to the last slot, so whole days sum to the average exactly.
 */
export function estimateAverageDaily(slots: readonly number[], durationSec: number, averageDailyMicro: number): Estimate[] {
  const perSlot = Math.floor((averageDailyMicro * durationSec) / 86_400);
  const estimates: Estimate[] = slots.map((startEpochSec) => ({ startEpochSec, durationSec, quantityMicro: perSlot, method: 'average-daily' }));
  const slotsPerDay = 86_400 / durationSec;
  if (Number.isInteger(slotsPerDay)) {
    const remainder = averageDailyMicro - perSlot * slotsPerDay;
    for (let index = slotsPerDay - 1; index < estimates.length; index += slotsPerDay) estimates[index]!.quantityMicro += remainder;
  }
  return estimates;
}
