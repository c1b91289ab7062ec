/** Staff: the status and counts of a billing run. */
import type { BillingRun } from '../domain/runs';
import { BillingRunNotFound } from './errors';
import type { RunStore } from './ports';

export interface GetBillingRunDeps {
  runs: RunStore;
}

export async function getBillingRun(deps: GetBillingRunDeps, runId: string): Promise<BillingRun> {
  const run = await deps.runs.get(runId);
  if (!run) throw new BillingRunNotFound(`billing run ${runId} does not exist`);
  return run;
}
