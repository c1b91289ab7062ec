/** Billing runs: one execution of the billing state machine for a cycle and a period. */
export type RunStatus = 'RUNNING' | 'SUCCEEDED' | 'FAILED';

export interface RunCounts {
  segments: number;
  billed: number;
  /** Bills composed but held in the bill exception queue (not posted). */
  held: number;
  skipped: number;
  failed: number;
}

/** One account that could not be billed, with a short reason code. */
export interface AccountFailure {
  accountId: string;
  reason: string;
}

export interface BillingRun {
  runId: string;
  cycle: string;
  periodStart: string;
  periodEnd: string;
  status: RunStatus;
  counts: RunCounts;
  startedAt: string;
  startedBy: string;
  /** Segments PlanSegments made (recorded once the run is planned). */
  plannedSegments?: number;
  finishedAt?: string;
  /** A sample of account failures (at most MAX_RUN_ERRORS). */
  errors: AccountFailure[];
  /** Why the run itself failed (state machine error or StartExecution failure). */
  failure?: { error: string; cause: string };
}

export interface SegmentResult {
  segmentIndex: number;
  billed: number;
  held: number;
  skipped: number;
  failed: number;
  errors: AccountFailure[];
}

/** What a segment records of itself while the run goes on (when it starts and when it finishes). */
export interface SegmentProgress {
  segmentIndex: number;
  status: 'RUNNING' | 'DONE';
  /** Attempts of the segment so far (the state machine retries a segment after a transient failure). */
  attempts: number;
  startedAt: string;
  finishedAt?: string;
  counts?: Pick<SegmentResult, 'billed' | 'held' | 'skipped' | 'failed'>;
}

/** A run's progress by segment while it goes on: totals of the segments done, elapsed seconds and bills per second. */
export interface RunProgress {
  segments: { planned?: number; running: number; done: number };
  totals: Pick<RunCounts, 'billed' | 'held' | 'skipped' | 'failed'>;
  elapsedSeconds: number;
  /** (billed + held) / elapsed seconds, two decimals. */
  billsPerSecond: string;
  bySegment: SegmentProgress[];
}

/** Progress from the segments' items; `until` is the run's end, or now while it runs. */
export function runProgress(run: Pick<BillingRun, 'startedAt' | 'finishedAt'>, segments: readonly SegmentProgress[], now: string, planned?: number): RunProgress {
  const totals = { billed: 0, held: 0, skipped: 0, failed: 0 };
  let done = 0;
  for (const segment of segments) {
    if (segment.status !== 'DONE' || !segment.counts) continue;
    done++;
    totals.billed += segment.counts.billed;
    totals.held += segment.counts.held;
    totals.skipped += segment.counts.skipped;
    totals.failed += segment.counts.failed;
  }
  const until = Date.parse(run.finishedAt ?? now);
  const elapsedMs = Math.max(0, until - Date.parse(run.startedAt));
  const elapsedSeconds = Math.round(elapsedMs / 100) / 10;
  const bills = totals.billed + totals.held;
  const billsPerSecond = elapsedMs > 0 ? (Math.round((bills * 100_000) / elapsedMs) / 100).toFixed(2) : '0.00';
  return {
    segments: { ...(planned !== undefined ? { planned } : {}), running: segments.length - done, done },
    totals,
    elapsedSeconds,
    billsPerSecond,
    bySegment: [...segments].sort((a, b) => a.segmentIndex - b.segmentIndex),
  };
}

export const MAX_SEGMENT_ERRORS = 5;
export const MAX_RUN_ERRORS = 20;

export function emptyCounts(): RunCounts {
  return { segments: 0, billed: 0, held: 0, skipped: 0, failed: 0 };
}

/**
 * A run id: sortable by start time, unique by the random part, and valid as a Step Functions
 * execution name (letters, digits, "-"; at most 80 characters). `random` is hex from the caller.
 */
export function newRunId(at: Date, random: string): string {
  const stamp = at.toISOString().replace(/\.\d{3}Z$/, 'Z').replace(/[-:]/g, '');
  return `run-${stamp}-${random.replace(/[^0-9a-f]/gi, '').slice(0, 8).toLowerCase()}`;
}

/** Sums the segment results of a run. */
export function summarizeSegments(results: readonly SegmentResult[]): { counts: RunCounts; errors: AccountFailure[] } {
  const counts = emptyCounts();
  const errors: AccountFailure[] = [];
  for (const result of results) {
    counts.segments++;
    counts.billed += result.billed;
    counts.held += result.held;
    counts.skipped += result.skipped;
    counts.failed += result.failed;
    for (const error of result.errors) if (errors.length < MAX_RUN_ERRORS) errors.push(error);
  }
  return { counts, errors };
}
