/**
 * Billing task: split the shards of a cycle into the segments the Map state bills in parallel,
 * and record on the run how many there are (so its progress shows "done of planned").
 */
import { assertValidPeriod, type BillingPeriod } from '../domain/billing';
import { planSegments, type Segment } from '../domain/segments';
import type { RunProgressStore } from './ports';

export interface PlanSegmentsDeps {
  /** BILLING_SEGMENTS. */
  segmentCount: number;
  /** Where the planned segment count is recorded (absent: not recorded). */
  progress?: Pick<RunProgressStore, 'runPlanned'>;
}

export async function planBillingSegments(deps: PlanSegmentsDeps, run: BillingPeriod & { runId: string }): Promise<{ segments: Segment[] }> {
  assertValidPeriod(run.periodStart, run.periodEnd);
  const segments = planSegments(deps.segmentCount);
  await deps.progress?.runPlanned(run.runId, segments.length);
  return { segments };
}
