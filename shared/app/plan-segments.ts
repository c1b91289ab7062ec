/** Billing task: split the shards of a cycle into the segments the Map state bills in parallel. */
import { assertValidPeriod, type BillingPeriod } from '../domain/billing';
import { planSegments, type Segment } from '../domain/segments';

export interface PlanSegmentsDeps {
  /** BILLING_SEGMENTS. */
  segmentCount: number;
}

export function planBillingSegments(deps: PlanSegmentsDeps, run: BillingPeriod & { runId: string }): { segments: Segment[] } {
  assertValidPeriod(run.periodStart, run.periodEnd);
  return { segments: planSegments(deps.segmentCount) };
}
