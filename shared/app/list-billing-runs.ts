/** Staff: the billing runs, newest first, a page at a time (status, period, counts, who started them). */
import type { BillingRun } from '../domain/runs';
import type { RunListStore } from './ports';

/** A run in the list: everything but the sample of account errors (GET /staff/billing-runs/{runId} has them). */
export type BillingRunSummary = Omit<BillingRun, 'errors'>;

export interface ListBillingRunsDeps {
  runs: RunListStore;
}

export async function listBillingRuns(deps: ListBillingRunsDeps, query: { limit: number; cursor?: string | undefined }): Promise<{ items: BillingRunSummary[]; nextCursor: string | null }> {
  const page = await deps.runs.list(query.limit, query.cursor);
  return { items: page.items.map(({ errors: _errors, ...run }) => run), nextCursor: page.nextCursor ?? null };
}
