import { embeddedRunMetrics } from '../../../shared/adapters/metrics';
import { finalizeRun } from '../../../shared/app/finalize-run';
import { BillingRunNotFound } from '../../../shared/app/errors';
import { emptyCounts, type BillingRun } from '../../../shared/domain/runs';
import { clockAt, MemoryRuns } from './fakes';

const run: BillingRun = { runId: 'run-1', cycle: 'C1', periodStart: '2026-01-01', periodEnd: '2026-01-31', status: 'RUNNING', counts: emptyCounts(), startedAt: '2026-02-01T00:00:00.000Z', startedBy: 'dana', errors: [] };

function setup() {
  const runs = new MemoryRuns();
  runs.runs.set(run.runId, structuredClone(run));
  let n = 0;
  return { runs, deps: { runs, clock: clockAt('2026-02-01T01:00:00Z'), newId: () => `e${++n}` } };
}

const segmentResults = [
  { segmentIndex: 0, billed: 10, held: 2, skipped: 1, failed: 1, errors: [{ accountId: 'A0001', reason: 'no-reads' }] },
  { segmentIndex: 1, billed: 5, held: 0, skipped: 0, failed: 0, errors: [] },
];

describe('finalizeRun', () => {
  it('sums the segment results and marks the run SUCCEEDED, once', async () => {
    const { deps, runs } = setup();
    expect(await finalizeRun(deps, { runId: 'run-1', segmentResults })).toEqual({ runId: 'run-1', status: 'SUCCEEDED', counts: { segments: 2, billed: 15, held: 2, skipped: 1, failed: 1 } });
    expect(runs.runs.get('run-1')).toMatchObject({ status: 'SUCCEEDED', finishedAt: '2026-02-01T01:00:00.000Z', errors: [{ accountId: 'A0001', reason: 'no-reads' }] });
    await finalizeRun(deps, { runId: 'run-1', segmentResults });
    expect(runs.finishes).toBe(1);
    expect(runs.audit.map((a) => a.action)).toEqual(['billing-run.succeeded']);
  });

  it('marks the run FAILED with the state machine error and cause, once', async () => {
    const { deps, runs } = setup();
    const error = { Error: 'States.TaskFailed', Cause: '{"errorMessage":"boom"}' };
    expect(await finalizeRun(deps, { runId: 'run-1', error })).toMatchObject({ status: 'FAILED' });
    expect(runs.runs.get('run-1')).toMatchObject({ status: 'FAILED', failure: { error: 'States.TaskFailed', cause: '{"errorMessage":"boom"}' } });
    await finalizeRun(deps, { runId: 'run-1', error });
    expect(runs.finishes).toBe(1);
  });

  it('reports every finished run as metrics once (failed accounts raise the operator alarm)', async () => {
    const { deps } = setup();
    const lines: string[] = [];
    const metrics = embeddedRunMetrics((line) => lines.push(line));
    await finalizeRun({ ...deps, metrics }, { runId: 'run-1', segmentResults });
    await finalizeRun({ ...deps, metrics }, { runId: 'run-1', segmentResults });
    expect(lines).toHaveLength(1);
    const document = JSON.parse(lines[0]!);
    expect(document).toMatchObject({ runId: 'run-1', status: 'SUCCEEDED', BillsIssued: 15, BillsHeld: 2, AccountsFailed: 1, AccountsSkipped: 1, RunsFinished: 1, RunsFailed: 0 });
    expect(document._aws).toEqual({ Timestamp: Date.parse('2026-02-01T01:00:00Z'), CloudWatchMetrics: [{ Namespace: 'CIS/Billing', Dimensions: [[]], Metrics: expect.arrayContaining([{ Name: 'AccountsFailed', Unit: 'Count' }, { Name: 'BillsHeld', Unit: 'Count' }]) }] });
    // Every metric the document declares is a number at its top level (what CloudWatch reads).
    for (const { Name } of document._aws.CloudWatchMetrics[0].Metrics) expect(typeof document[Name]).toBe('number');
  });

  it('refuses a run that does not exist', async () => {
    const { deps } = setup();
    await expect(finalizeRun(deps, { runId: 'run-x', segmentResults })).rejects.toThrow(BillingRunNotFound);
  });
});
