/**
 * Register reads: a cumulative meter register (dials) read at an instant. Consumption between
 * two reads is their difference; a register that goes down is either a rollover (it passed
 * its maximum and wrapped to zero: flagged, consumption counted across the wrap) or negative
 * consumption (held for staff). Consecutive reads that span a whole aligned interval (daily
 * reads at local midnight, hourly reads on the hour) also become that interval's consumption.
 */
import type { RuleAction, VeeConfig, VeeReason } from './config';
import type { VeeException } from './engine';

export interface RegisterRead {
  atEpochSec: number;
  /** Micro-units of the meter's unit. */
  valueMicro: number;
  ref?: string;
}

export interface RegisterResult {
  /** Register reads to store. */
  accepted: RegisterRead[];
  /** Consumption derived from consecutive reads that span an aligned interval. */
  derived: Array<{ startEpochSec: number; durationSec: number; quantityMicro: number }>;
  exceptions: VeeException[];
  ignored: number;
}

/** Reads within the top and bottom tenth of the register's range count as a wrap. */
const ROLLOVER_BAND = 0.1;

function isAlignedInterval(fromSec: number, toSec: number, dayStartOf: (epochSec: number) => number): boolean {
  const duration = toSec - fromSec;
  if (duration <= 0 || 86_400 % duration !== 0) return false;
  return (fromSec - dayStartOf(fromSec)) % duration === 0;
}

/**
 * Validates register reads against the stored ones (all of the meter's reads in the window,
 * any order). `dayStartOf` gives the start of the local day of an instant (local alignment).
 */
export function runRegisterVee(config: VeeConfig, stored: ReadonlyMap<number, number>, incoming: readonly RegisterRead[], nowEpochSec: number, dayStartOf: (epochSec: number) => number): RegisterResult {
  const result: RegisterResult = { accepted: [], derived: [], exceptions: [], ignored: 0 };
  const known = new Map(stored);
  const raise = (reason: VeeReason, read: RegisterRead, durationSec: number, quantityMicro: number, detail: string): boolean => {
    const action: RuleAction = config.actions[reason];
    if (action === 'off') return false;
    result.exceptions.push({ reason, action, startEpochSec: read.atEpochSec, durationSec, quantityMicro, detail, ...(read.ref ? { ref: read.ref } : {}) });
    return action === 'hold';
  };
  for (const read of [...incoming].sort((a, b) => a.atEpochSec - b.atEpochSec)) {
    const existing = known.get(read.atEpochSec);
    if (existing !== undefined) {
      if (existing === read.valueMicro) result.ignored++;
      else raise('duplicate-conflict', read, 0, read.valueMicro, `register read at ${read.atEpochSec} was ${existing}, now ${read.valueMicro}`);
      continue;
    }
    if (read.atEpochSec > nowEpochSec + config.futureSkewSec && raise('future-interval', read, 0, read.valueMicro, 'register read from the future')) continue;
    if (read.atEpochSec < nowEpochSec - config.maxAgeDays * 86_400 && raise('too-old', read, 0, read.valueMicro, `register read more than ${config.maxAgeDays} days old`)) continue;
    if (read.valueMicro < 0 && raise('negative-consumption', read, 0, read.valueMicro, 'a register cannot be negative')) continue;
    let previousAt: number | undefined;
    for (const at of known.keys()) if (at < read.atEpochSec && (previousAt === undefined || at > previousAt)) previousAt = at;
    let consumption: number | undefined;
    if (previousAt !== undefined) {
      const previous = known.get(previousAt)!;
      consumption = read.valueMicro - previous;
      if (consumption < 0) {
        const max = config.registerRolloverMicro;
        if (previous >= max * (1 - ROLLOVER_BAND) && read.valueMicro <= max * ROLLOVER_BAND) {
          consumption = max - previous + read.valueMicro;
          if (raise('register-rollover', read, read.atEpochSec - previousAt, consumption, `register wrapped from ${previous} to ${read.valueMicro}`)) continue;
        } else {
          if (raise('negative-consumption', read, read.atEpochSec - previousAt, consumption, `register went down from ${previous} to ${read.valueMicro}`)) continue;
          consumption = undefined;
        }
      }
    }
    result.accepted.push(read);
    known.set(read.atEpochSec, read.valueMicro);
    if (consumption !== undefined && previousAt !== undefined && isAlignedInterval(previousAt, read.atEpochSec, dayStartOf)) {
      result.derived.push({ startEpochSec: previousAt, durationSec: read.atEpochSec - previousAt, quantityMicro: consumption });
    }
  }
  return result;
}
