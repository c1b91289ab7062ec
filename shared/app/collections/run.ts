/**
 * The daily collections run: PlanCollections splits the accounts into segments of ids,
 * EvaluateSegment evaluates each account of a segment (a failure of one account is reported,
 * never stops the run), FinalizeCollections records the summary. Started by the daily schedule
 * (an EventBridge event carrying `time`) or by staff / `cis collections run` for a given day.
 */
import { localDate } from '../../domain/calendar';
import { RuleViolation } from '../../domain/errors';
import { mapLimit } from '../concurrency';
import { DependencyUnavailable } from '../errors';
import type { Logger } from '../ports';
import { evaluateAccount, type CollectionsDeps } from './evaluate-account';
import type { CollectionsRun } from './ports';

export interface CollectionsSegment {
  segmentIndex: number;
  /** First and last account id of the segment (inclusive, id order). */
  first: string;
  last: string;
}

export interface PlanDeps extends Pick<CollectionsDeps, 'collections' | 'clock' | 'timeZone' | 'newId' | 'pack'> {
  /** Accounts per segment (COLLECTIONS_SEGMENT_SIZE). */
  segmentSize: number;
}

/** The day and instant of a run: given, or from the schedule's event time, else now. */
export function runDay(deps: Pick<CollectionsDeps, 'clock' | 'timeZone'>, input: { runDate?: string | undefined; runAt?: string | undefined; time?: string | undefined }): { runDate: string; runAt: string } {
  const runAt = input.runAt ?? input.time ?? deps.clock.now().toISOString();
  const runDate = input.runDate ?? localDate(Math.floor(Date.parse(runAt) / 1000), deps.timeZone);
  return { runDate, runAt };
}

export async function planCollections(deps: PlanDeps, input: { runDate?: string | undefined; runAt?: string | undefined; time?: string | undefined }): Promise<{ runDate: string; runAt: string; segments: CollectionsSegment[] }> {
  const { runDate, runAt } = runDay(deps, input);
  // A scheduled run has no record yet; a run started by hand has one (createRun is then a no-op).
  await deps.collections.createRun({ runDate, status: 'STARTED', packId: deps.pack.id, startedAt: runAt, startedBy: 'schedule' }, { eventId: deps.newId(), entityType: 'COLLECTIONS_RUN', entityId: runDate, at: runAt, actor: 'schedule', action: 'collections-run.started', details: { packId: deps.pack.id } });
  const segments: CollectionsSegment[] = [];
  let chunk: string[] = [];
  const flush = () => {
    if (chunk.length > 0) segments.push({ segmentIndex: segments.length, first: chunk[0]!, last: chunk[chunk.length - 1]! });
    chunk = [];
  };
  let cursor: string | undefined;
  do {
    const page = await deps.collections.listAccountIds(1000, cursor);
    for (const id of page.items) {
      chunk.push(id);
      if (chunk.length >= deps.segmentSize) flush();
    }
    cursor = page.nextCursor;
  } while (cursor);
  flush();
  return { runDate, runAt, segments };
}

export interface SegmentResult {
  segmentIndex: number;
  counts: Record<string, number>;
  orderIds: string[];
  failures: Array<{ accountId: string; error: string }>;
}

/** Evaluates every account of the segment, four at a time; one account's failure is recorded and the others go on. */
export async function evaluateSegment(deps: CollectionsDeps & { log: Logger }, input: { runDate: string; runAt: string; segment: CollectionsSegment }): Promise<SegmentResult> {
  const ids = await deps.collections.listAccountIdsBetween(input.segment.first, input.segment.last);
  const result: SegmentResult = { segmentIndex: input.segment.segmentIndex, counts: {}, orderIds: [], failures: [] };
  const count = (key: string) => (result.counts[key] = (result.counts[key] ?? 0) + 1);
  await mapLimit(ids, 4, async (accountId) => {
    try {
      const outcome = await evaluateAccount(deps, accountId, input);
      if (outcome.outcome === 'evaluated') {
        count(outcome.decision);
        result.orderIds.push(...outcome.orderIds);
      } else count(outcome.outcome);
    } catch (error) {
      count('failed');
      const text = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
      result.failures.push({ accountId, error: text.slice(0, 500) });
      deps.log.error('collections: account failed', { accountId, runDate: input.runDate, error: text });
    }
  });
  return result;
}

export async function finalizeCollections(deps: Pick<CollectionsDeps, 'collections' | 'clock' | 'pack'>, input: { runDate: string; segmentResults?: SegmentResult[] | undefined; error?: unknown }): Promise<CollectionsRun> {
  const existing = await deps.collections.getRun(input.runDate);
  const counts: Record<string, number> = {};
  const failures: Array<{ accountId: string; error: string }> = [];
  for (const segment of input.segmentResults ?? []) {
    for (const [key, n] of Object.entries(segment.counts)) counts[key] = (counts[key] ?? 0) + n;
    failures.push(...segment.failures);
  }
  const run: CollectionsRun = {
    runDate: input.runDate,
    packId: existing?.packId ?? deps.pack.id,
    startedAt: existing?.startedAt ?? deps.clock.now().toISOString(),
    startedBy: existing?.startedBy ?? 'schedule',
    ...(existing?.executionName ? { executionName: existing.executionName } : {}),
    status: input.error ? 'FAILED' : 'COMPLETED',
    finishedAt: deps.clock.now().toISOString(),
    counts,
    failures: failures.slice(0, 100),
    ...(input.error ? { error: JSON.stringify(input.error).slice(0, 1000) } : {}),
  };
  await deps.collections.updateRun(run);
  return run;
}

export interface CollectionsWorkflow {
  /** Starts the state machine; returns the execution ARN. */
  start(input: { runDate: string; runAt: string }, executionName: string): Promise<string>;
}

/** POST /staff/collections-runs and `cis collections run`: runs a day (today by default, never a future day). */
export async function startCollectionsRun(deps: Pick<CollectionsDeps, 'collections' | 'clock' | 'timeZone' | 'newId' | 'pack'> & { workflow: CollectionsWorkflow; log: Logger }, actor: string, input: { runDate?: string | undefined }): Promise<{ runDate: string; executionName: string; executionArn: string; status: 'STARTED' }> {
  const today = localDate(Math.floor(deps.clock.now().getTime() / 1000), deps.timeZone);
  const runDate = input.runDate ?? today;
  if (runDate > today) throw new RuleViolation('run-date-in-future', `runDate ${runDate} is after today (${today}); collections never act ahead of time`);
  const runAt = deps.clock.now().toISOString();
  // A rerun of a day is safe: every account's evaluation of the day is written once.
  const executionName = `collections-${runDate}-${deps.newId().replace(/-/g, '').slice(0, 8)}`;
  const existing = await deps.collections.getRun(runDate);
  const run: CollectionsRun = { runDate, status: 'STARTED', packId: deps.pack.id, startedAt: runAt, startedBy: actor, executionName };
  const audit = { eventId: deps.newId(), entityType: 'COLLECTIONS_RUN' as const, entityId: runDate, at: runAt, actor, action: existing ? 'collections-run.restarted' : 'collections-run.started', details: { packId: deps.pack.id, executionName } };
  // The record names the execution before it starts, so FinalizeCollections (which may finish first) keeps it.
  if (existing || !(await deps.collections.createRun(run, audit))) await deps.collections.updateRun(run, { ...audit, action: 'collections-run.restarted' });
  try {
    const executionArn = await deps.workflow.start({ runDate, runAt }, executionName);
    return { runDate, executionName, executionArn, status: 'STARTED' };
  } catch (error) {
    const cause = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
    deps.log.error('collections run could not be started', { runDate, cause });
    await deps.collections.updateRun({ ...run, status: 'FAILED', finishedAt: deps.clock.now().toISOString(), error: `start failed: ${cause}`.slice(0, 1000) });
    throw new DependencyUnavailable(`the collections run of ${runDate} could not be started (${cause}); it is safe to try again`);
  }
}
