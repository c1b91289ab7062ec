/** Validates a batch of interval readings (VEE) and merges it into the meter's packed day items. */
import type { Meter } from '../domain/accounts';
import { groupByDay, mergeDay, validateReadings, type Interval, type MergeResult, type ReadChange, type ReadingInput } from '../domain/reads';
import { MeterNotFound, TransientStoreError, VersionConflict } from './errors';
import type { Clock, MeterStore, ReadStore } from './ports';

export const MAX_SAVE_ATTEMPTS = 5;

export interface IngestReadsDeps {
  meters: MeterStore;
  reads: ReadStore;
  clock: Clock;
  timeZone: string;
}

export interface ReadsBatch {
  meterId: string;
  readings: readonly ReadingInput[];
}

export interface IngestResult {
  meterId: string;
  days: string[];
  added: number;
  replaced: number;
  unchanged: number;
}

/**
 * Validates the batch as a whole, then merges each local day into its packed item with
 * optimistic locking (re-read and re-merge on a version conflict). Exact repeats change
 * nothing, so a message delivered twice never double counts; a day written before a failure
 * is a no-op on redelivery.
 */
export async function ingestReads(deps: IngestReadsDeps, batch: ReadsBatch, source: { ref?: string } = {}): Promise<IngestResult> {
  const meter = await deps.meters.get(batch.meterId);
  if (!meter) throw new MeterNotFound(`meter ${batch.meterId} does not exist`);
  const now = deps.clock.now();
  const readings = validateReadings({ meter, readings: batch.readings, now, timeZone: deps.timeZone });
  const result: IngestResult = { meterId: meter.meterId, days: [], added: 0, replaced: 0, unchanged: 0 };
  for (const [day, intervals] of groupByDay(readings)) {
    const merged = await saveDay(deps, meter, day, intervals, { at: now.toISOString(), by: 'mqtt', ...(source.ref ? { ref: source.ref } : {}) });
    result.days.push(day);
    result.added += merged.added;
    result.replaced += merged.replaced;
    result.unchanged += merged.unchanged;
  }
  return result;
}

async function saveDay(deps: IngestReadsDeps, meter: Meter, day: string, intervals: readonly Interval[], change: ReadChange): Promise<MergeResult> {
  for (let attempt = 1; ; attempt++) {
    const existing = await deps.reads.getDay(meter.meterId, day);
    const merged = mergeDay(existing, meter, day, intervals, change);
    if (!merged.changed) return merged;
    try {
      await deps.reads.saveDay(merged.day, existing?.version);
      return merged;
    } catch (error) {
      if (!(error instanceof VersionConflict)) throw error;
      if (attempt >= MAX_SAVE_ATTEMPTS) throw new TransientStoreError(`reads of meter ${meter.meterId} for ${day} kept changing under us (${attempt} attempts)`);
    }
  }
}
