/**
 * Billing task: record how a run ended. With segment results: sum them, SUCCEEDED. With a
 * state machine error: FAILED with the error and its cause. Idempotent: finishing a run the
 * same way twice writes nothing the second time.
 */
import type { AuditEvent } from '../domain/audit';
import { summarizeSegments, type RunCounts, type RunStatus, type SegmentResult } from '../domain/runs';
import { BillingRunNotFound } from './errors';
import type { Clock, RunOutcome, RunStore } from './ports';

/** Where a finished run's counts go as metrics (an embedded-metric log line in AWS). */
export interface RunMetricsSink {
  runFinished(runId: string, status: 'SUCCEEDED' | 'FAILED', counts: RunCounts, at: Date): void;
}

export const MAX_CAUSE_LENGTH = 2000;

export interface FinalizeRunDeps {
  runs: RunStore;
  clock: Clock;
  newId: () => string;
  metrics?: RunMetricsSink;
}

export type FinalizeRunInput = { runId: string; segmentResults: readonly SegmentResult[] } | { runId: string; error: { Error?: string | undefined; Cause?: string | undefined } };

export interface FinalizeRunResult {
  runId: string;
  status: Exclude<RunStatus, 'RUNNING'>;
  counts: RunCounts;
}

export async function finalizeRun(deps: FinalizeRunDeps, input: FinalizeRunInput): Promise<FinalizeRunResult> {
  const run = await deps.runs.get(input.runId);
  if (!run) throw new BillingRunNotFound(`billing run ${input.runId} does not exist`);
  const finishedAt = deps.clock.now().toISOString();
  let outcome: RunOutcome;
  if ('segmentResults' in input) {
    const { counts, errors } = summarizeSegments(input.segmentResults);
    if (run.status === 'SUCCEEDED' && sameCounts(run.counts, counts)) return { runId: run.runId, status: 'SUCCEEDED', counts: run.counts };
    outcome = { runId: run.runId, status: 'SUCCEEDED', finishedAt, counts, errors };
  } else {
    if (run.status === 'FAILED') return { runId: run.runId, status: 'FAILED', counts: run.counts };
    const failure = { error: (input.error.Error ?? 'Unknown').slice(0, 200), cause: (input.error.Cause ?? '').slice(0, MAX_CAUSE_LENGTH) };
    outcome = { runId: run.runId, status: 'FAILED', finishedAt, failure };
  }
  const audit: AuditEvent = {
    eventId: deps.newId(),
    entityType: 'RUN',
    entityId: run.runId,
    at: finishedAt,
    actor: `billing-run:${run.runId}`,
    action: outcome.status === 'SUCCEEDED' ? 'billing-run.succeeded' : 'billing-run.failed',
    details: outcome.counts ? { ...outcome.counts } : { error: outcome.failure?.error ?? null },
  };
  await deps.runs.finish(outcome, audit);
  deps.metrics?.runFinished(run.runId, outcome.status, outcome.counts ?? run.counts, new Date(finishedAt));
  return { runId: run.runId, status: outcome.status, counts: outcome.counts ?? run.counts };
}

function sameCounts(a: RunCounts, b: RunCounts): boolean {
  return a.segments === b.segments && a.billed === b.billed && a.held === b.held && a.skipped === b.skipped && a.failed === b.failed;
}
