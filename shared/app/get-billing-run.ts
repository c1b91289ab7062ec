/** Staff: the status and counts of a billing run, with its progress by segment while it runs. */
import { runProgress, type BillingRun, type RunProgress } from '../domain/runs';
import { BillingRunNotFound } from './errors';
import type { Clock, RunProgressStore, RunStore } from './ports';

export interface GetBillingRunDeps {
  runs: Pick<RunStore, 'get'> & Pick<RunProgressStore, 'listSegments'>;
  clock: Clock;
}

/**
 * The run and its progress: per segment (status, counts, started and finished), the totals of
 * the segments done, the elapsed time (to the end of the run, or now) and bills per second.
 */
export async function getBillingRun(deps: GetBillingRunDeps, runId: string): Promise<BillingRun & { progress: RunProgress }> {
  const [run, segments] = await Promise.all([deps.runs.get(runId), deps.runs.listSegments(runId)]);
  if (!run) throw new BillingRunNotFound(`billing run ${runId} does not exist`);
  const now = deps.clock.now().toISOString();
  return { ...run, progress: runProgress(run, segments, now, run.plannedSegments ?? (run.status === 'SUCCEEDED' ? run.counts.segments : undefined)) };
}
