/**
 * VEE throughput on one core (one thread), in interval readings per second:
 * - rules: the VEE engine alone (duplicates, overlaps, future, units, negative, spikes against
 *   the meter's own 7-day history (days as stored: with their summary), gap estimation, whole-day high/low/zero rules and alerts)
 *   over parsed readings: one meter-day of 96 15-minute readings per call, each against 7
 *   stored history days (672 intervals) of that meter;
 * - parse + rules: the same, starting from the message's strings (ISO timestamps, decimal values).
 * Target: >= 1,000,000 readings/s per core through VEE.
 */
import { DEFAULT_VEE_CONFIG } from '../../shared/domain/vee/config';
import { dayClock } from '../../shared/domain/vee/days';
import { runVee, type StoredDay, type VeeReading } from '../../shared/domain/vee/engine';
import { parseReadings, summarizeDay, type PackedInterval, type ReadingInput } from '../../shared/domain/reads';
import { isoFromEpochSec } from '../../shared/domain/calendar';

const clock = dayClock('America/Denver');
const QUARTER = 900;
const DAYS = 8;
const first = clock.dayBounds('2026-01-01')[0];
let seed = 42;
const random = () => ((seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648);

// 7 stored days of history and the 8th day to validate, for one meter
const history: StoredDay[] = [];
for (let d = 0; d < DAYS - 1; d++) {
  const intervals: Record<string, PackedInterval> = {};
  for (let q = 0; q < 96; q++) intervals[String(first + d * 86_400 + q * QUARTER)] = [Math.round(200_000 + random() * 300_000), QUARTER, 'A'];
  history.push({ day: clock.dayOf(first + d * 86_400), intervals, summary: summarizeDay(intervals)! });
}
const dayStart = first + (DAYS - 1) * 86_400;
const readings: VeeReading[] = Array.from({ length: 96 }, (_, q) => ({ startEpochSec: dayStart + q * QUARTER, durationSec: QUARTER, quantityMicro: Math.round(200_000 + random() * 300_000) }));
const inputs: ReadingInput[] = readings.map((r) => ({ start: isoFromEpochSec(r.startEpochSec), durationSec: QUARTER, value: (r.quantityMicro / 1_000_000).toFixed(6), unit: 'kWh' }));
const context = { meter: { meterId: 'M1', status: 'ACTIVE' as const }, config: DEFAULT_VEE_CONFIG.electric, nowEpochSec: dayStart + 2 * 86_400, stored: history, dayOf: clock.dayOf, dayBounds: clock.dayBounds };

function measure(name: string, call: () => number, seconds = 3): void {
  for (let i = 0; i < 2000; i++) call(); // warm-up
  let readingsDone = 0;
  const started = process.hrtime.bigint();
  const until = started + BigInt(seconds * 1e9);
  while (process.hrtime.bigint() < until) for (let i = 0; i < 200; i++) readingsDone += call();
  const elapsed = Number(process.hrtime.bigint() - started) / 1e9;
  console.log(`${name.padEnd(44)} ${Math.round(readingsDone / elapsed).toLocaleString('en-US').padStart(12)} readings/s per core  (${((elapsed / readingsDone) * 1e9).toFixed(0)} ns/reading)`);
}

let accepted = 0;
measure('VEE rules (96 readings vs 7 days of history)', () => {
  const result = runVee(context, readings);
  accepted += result.accepted.length;
  return readings.length;
});
measure('parse + VEE rules (from message strings)', () => {
  const parsed = parseReadings(inputs, 'kWh');
  const result = runVee(context, parsed);
  accepted += result.accepted.length;
  return parsed.length;
});
if (accepted === 0) throw new Error('nothing was accepted: the benchmark is not measuring VEE');
console.log('target: >= 1,000,000 readings/s per core through VEE (2-core machine; one thread measured)');
