/**
 * Estimating one interval on request (a staff "estimate" of an exception): linear between its
 * stored neighbours when the hole around it is short, like-day history when longer, average
 * daily use of complete days otherwise.
 */
import type { PackedInterval } from '../reads';
import type { VeeConfig } from './config';
import type { StoredDay } from './engine';
import { averageDailyUse, estimateAverageDaily, estimateLikeDay, interpolateLinear, type Estimate } from './estimate';

export function estimateInterval(stored: readonly StoredDay[], startEpochSec: number, durationSec: number, config: VeeConfig, dayBounds: (day: string) => [number, number]): Estimate | undefined {
  const at = new Map<number, PackedInterval>();
  const totals: number[] = [];
  for (const day of stored) {
    let total = 0;
    let covered = 0;
    for (const key in day.intervals) {
      const packed = day.intervals[key]!;
      if (Number(key) !== startEpochSec) at.set(Number(key), packed);
      total += packed[0];
      covered += packed[1];
    }
    const [from, to] = dayBounds(day.day);
    if (covered >= to - from) totals.push(total);
  }
  const starts = [...at.keys()].sort((a, b) => a - b);
  const before = starts.filter((start) => start + at.get(start)![1] <= startEpochSec).at(-1);
  const after = starts.find((start) => start >= startEpochSec + durationSec);
  if (before !== undefined && after !== undefined) {
    const b = at.get(before)!;
    const a = at.get(after)!;
    if (after - (before + b[1]) <= config.interpolateMaxGapSec) {
      return interpolateLinear({ durationSec: b[1], quantityMicro: b[0] }, { durationSec: a[1], quantityMicro: a[0] }, [startEpochSec], durationSec)[0];
    }
  }
  const likeDay = estimateLikeDay([startEpochSec], durationSec, (start) => at.get(start)?.[0]);
  if (likeDay) return likeDay[0];
  const average = averageDailyUse(totals);
  if (average !== undefined && 86_400 % durationSec === 0) return { ...estimateAverageDaily([startEpochSec], durationSec, average)[0]!, quantityMicro: Math.round((average * durationSec) / 86_400) };
  return undefined;
}
