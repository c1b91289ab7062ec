/** Billing runs: summing segment results and the progress an operator watches. */
import { runProgress, summarizeSegments, type SegmentProgress } from '../../../shared/domain/runs';

describe('summarizeSegments', () => {
  it('adds billed, held, skipped and failed over the segments', () => {
    const results = [
      { segmentIndex: 0, billed: 3, held: 1, skipped: 0, failed: 1, errors: [{ accountId: 'A1', reason: 'no-reads' }] },
      { segmentIndex: 1, billed: 2, held: 2, skipped: 4, failed: 0, errors: [] },
    ];
    expect(summarizeSegments(results)).toEqual({ counts: { segments: 2, billed: 5, held: 3, skipped: 4, failed: 1 }, errors: [{ accountId: 'A1', reason: 'no-reads' }] });
  });
});

describe('runProgress', () => {
  const done = (segmentIndex: number, billed: number, held: number): SegmentProgress => ({ segmentIndex, status: 'DONE', attempts: 1, startedAt: 't', finishedAt: 't', counts: { billed, held, skipped: 1, failed: 0 } });
  const running = (segmentIndex: number): SegmentProgress => ({ segmentIndex, status: 'RUNNING', attempts: 1, startedAt: 't' });

  it('sums the segments done, counts those running, and gives elapsed seconds and bills per second to now while the run goes on', () => {
    const progress = runProgress({ startedAt: '2026-02-01T08:00:00.000Z' }, [running(2), done(1, 100, 5), done(0, 45, 0)], '2026-02-01T08:00:30.000Z');
    expect(progress).toEqual({
      segments: { running: 1, done: 2 },
      totals: { billed: 145, held: 5, skipped: 2, failed: 0 },
      elapsedSeconds: 30,
      billsPerSecond: '5.00',
      bySegment: [done(0, 45, 0), done(1, 100, 5), running(2)],
    });
  });

  it('stops the clock at the end of a finished run and knows how many segments were planned', () => {
    const progress = runProgress({ startedAt: '2026-02-01T08:00:00.000Z', finishedAt: '2026-02-01T08:01:15.500Z' }, [done(0, 100, 0)], '2026-02-02T00:00:00.000Z', 1);
    expect(progress).toMatchObject({ segments: { planned: 1, running: 0, done: 1 }, elapsedSeconds: 75.5, billsPerSecond: '1.32' });
    expect(runProgress({ startedAt: '2026-02-01T08:00:00.000Z' }, [], '2026-02-01T08:00:00.000Z')).toMatchObject({ elapsedSeconds: 0, billsPerSecond: '0.00' });
  });
});
