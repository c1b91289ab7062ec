/** Billing runs: one execution of the billing state machine for a cycle and a period. */
export type RunStatus = 'RUNNING' | 'SUCCEEDED' | 'FAILED';

export interface RunCounts {
  segments: number;
  billed: number;
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
  finishedAt?: string;
  /** A sample of account failures (at most MAX_RUN_ERRORS). */
  errors: AccountFailure[];
  /** Why the run itself failed (state machine error or StartExecution failure). */
  failure?: { error: string; cause: string };
}

export interface SegmentResult {
  segmentIndex: number;
  billed: number;
  skipped: number;
  failed: number;
  errors: AccountFailure[];
}

export const MAX_SEGMENT_ERRORS = 5;
export const MAX_RUN_ERRORS = 20;

export function emptyCounts(): RunCounts {
  return { segments: 0, billed: 0, skipped: 0, failed: 0 };
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
    counts.skipped += result.skipped;
    counts.failed += result.failed;
    for (const error of result.errors) if (errors.length < MAX_RUN_ERRORS) errors.push(error);
  }
  return { counts, errors };
}
