import { listCycleSchedules, putCycleSchedule, startScheduledRuns, type ClaimOutcome, type CycleStore, type StoredCycleSchedule } from '../../../shared/app/billing-cycles';
import type { AuditEvent } from '../../../shared/domain/audit';
import type { BillingRun } from '../../../shared/domain/runs';
import { VersionConflict } from '../../../shared/app/errors';

class MemoryCycles implements CycleStore {
  schedules = new Map<string, StoredCycleSchedule>();
  claims = new Map<string, { claimedAt: string; runId?: string }>();
  audits: AuditEvent[] = [];
  async get(cycle: string) {
    return this.schedules.get(cycle);
  }
  async list() {
    return [...this.schedules.values()];
  }
  async put(schedule: StoredCycleSchedule, expectedVersion: number | undefined, audit: AuditEvent) {
    if ((this.schedules.get(schedule.cycle)?.version) !== expectedVersion) throw new VersionConflict('changed');
    this.schedules.set(schedule.cycle, schedule);
    this.audits.push(audit);
  }
  async claim(cycle: string, periodEnd: string, at: string, staleBefore: string): Promise<ClaimOutcome> {
    const key = `${cycle}#${periodEnd}`;
    const existing = this.claims.get(key);
    if (existing && (existing.runId !== undefined || existing.claimedAt >= staleBefore)) return { claimed: false, ...(existing.runId ? { runId: existing.runId } : {}) };
    this.claims.set(key, { claimedAt: at });
    return { claimed: true };
  }
  async recordClaimedRun(cycle: string, periodEnd: string, runId: string) {
    this.claims.get(`${cycle}#${periodEnd}`)!.runId = runId;
  }
  async releaseClaim(cycle: string, periodEnd: string) {
    if (this.claims.get(`${cycle}#${periodEnd}`)?.runId === undefined) this.claims.delete(`${cycle}#${periodEnd}`);
  }
}

function deps(now: string, failFor: Set<string> = new Set()) {
  const cycles = new MemoryCycles();
  const started: Array<{ runId: string; cycle: string; periodStart: string; periodEnd: string }> = [];
  const runs = new Map<string, BillingRun>();
  let clock = new Date(now);
  let ids = 0;
  const d = {
    cycles,
    started,
    runs: {
      create: async (run: BillingRun) => void runs.set(run.runId, run),
      get: async (runId: string) => runs.get(runId),
      finish: async (outcome: { runId: string; status: 'SUCCEEDED' | 'FAILED' }) => void runs.set(outcome.runId, { ...runs.get(outcome.runId)!, status: outcome.status }),
    },
    workflow: {
      start: async (input: { runId: string; cycle: string; periodStart: string; periodEnd: string }) => {
        if (failFor.has(input.cycle)) throw new Error('Step Functions is unavailable');
        started.push(input);
      },
    },
    clock: { now: () => clock },
    setNow: (value: string) => (clock = new Date(value)),
    newId: () => `00000000-0000-4000-8000-${String(++ids).padStart(12, '0')}`,
    log: { info: () => undefined, warn: () => undefined, error: () => undefined },
    timeZone: 'America/Denver',
    dueDays: 21,
    isHoliday: () => false,
  };
  return d;
}

const schedule = (cycle: string, periodEndDay: number | 'last', readWindowDays = 3, enabled = true): StoredCycleSchedule => ({ cycle, periodEndDay, readWindowDays, businessDaysOnly: false, enabled, version: 1, updatedAt: 't', updatedBy: 'alice' });

describe('startScheduledRuns', () => {
  // 2026-03-18 08:00 in Denver.
  const NOW = '2026-03-18T14:00:00Z';

  it('starts each enabled cycle whose bill date has come, once, and says so on a second call', async () => {
    const d = deps(NOW);
    for (const s of [schedule('C1', 15), schedule('C2', 14, 3), schedule('C3', 'last'), schedule('C4', 15, 3, false)]) d.cycles.schedules.set(s.cycle, s);
    const first = await startScheduledRuns(d);
    expect(first.today).toBe('2026-03-18');
    expect(first.started.map((p) => [p.cycle, p.periodStart, p.periodEnd])).toEqual([
      ['C1', '2026-02-16', '2026-03-15'],
      ['C2', '2026-02-15', '2026-03-14'],
    ]);
    expect(d.started.map((s) => s.cycle)).toEqual(['C1', 'C2']);
    expect(first.started[0]!.runId).toBe(d.started[0]!.runId);

    const second = await startScheduledRuns(d);
    expect(second.started).toEqual([]);
    expect(second.alreadyStarted.map((p) => [p.cycle, p.runId])).toEqual([
      ['C1', d.started[0]!.runId],
      ['C2', d.started[1]!.runId],
    ]);
    expect(d.started).toHaveLength(2);
  });

  it('reports a cycle that could not start, starts the others, and starts it on the next call', async () => {
    const failing = new Set(['C1']);
    const d = deps(NOW, failing);
    for (const s of [schedule('C1', 15), schedule('C2', 15)]) d.cycles.schedules.set(s.cycle, s);
    const first = await startScheduledRuns(d);
    expect(first.failed.map((f) => f.cycle)).toEqual(['C1']);
    expect(first.failed[0]!.error).toMatch(/BillingRunNotStarted/);
    expect(first.started.map((p) => p.cycle)).toEqual(['C2']);
    failing.clear();
    const second = await startScheduledRuns(d);
    expect(second.started.map((p) => p.cycle)).toEqual(['C1']);
    expect(second.alreadyStarted.map((p) => p.cycle)).toEqual(['C2']);
  });

  it('takes over a claim whose run never started only after it went stale', async () => {
    const d = deps(NOW);
    d.cycles.schedules.set('C1', schedule('C1', 15));
    await d.cycles.claim('C1', '2026-03-15', '2026-03-18T13:55:00.000Z', '0');
    expect((await startScheduledRuns(d)).alreadyStarted.map((p) => [p.cycle, p.runId])).toEqual([['C1', undefined]]);
    d.setNow('2026-03-18T14:11:00Z');
    expect((await startScheduledRuns(d)).started.map((p) => p.cycle)).toEqual(['C1']);
    expect(d.started).toHaveLength(1);
  });

  it('catches up three days after a bill date and no further', async () => {
    const d = deps('2026-03-21T14:00:00Z');
    d.cycles.schedules.set('C1', schedule('C1', 15));
    expect((await startScheduledRuns(d)).started).toHaveLength(1);
    const later = deps('2026-03-22T14:00:00Z');
    later.cycles.schedules.set('C1', schedule('C1', 15));
    expect((await startScheduledRuns(later)).started).toHaveLength(0);
  });
});

describe('cycle schedules', () => {
  const staff = { kind: 'staff' as const, subject: 's', username: 'alice', roles: ['billing' as const] };

  it('stores a new schedule at version 1 with an audit event, and changes it only from the version read', async () => {
    const d = deps('2026-03-18T14:00:00Z');
    const created = await putCycleSchedule(d, staff, { cycle: 'C1', periodEndDay: 15, readWindowDays: 3, businessDaysOnly: true, enabled: true }, undefined);
    expect(created).toMatchObject({ version: 1, updatedBy: 'alice' });
    expect(created.upcoming[0]).toMatchObject({ periodEnd: '2026-03-15', billDate: '2026-03-18', dueDate: '2026-04-08' });
    expect(d.cycles.audits).toEqual([expect.objectContaining({ entityType: 'CYCLE', entityId: 'C1', action: 'billing-cycle.scheduled', actor: 'alice' })]);
    await expect(putCycleSchedule(d, staff, { cycle: 'C1', periodEndDay: 10, readWindowDays: 3, businessDaysOnly: true, enabled: true }, undefined)).rejects.toThrow(VersionConflict);
    expect((await putCycleSchedule(d, staff, { cycle: 'C1', periodEndDay: 10, readWindowDays: 3, businessDaysOnly: true, enabled: true }, 1)).version).toBe(2);
    const listed = await listCycleSchedules(d);
    expect(listed.items.map((s) => [s.cycle, s.periodEndDay, s.upcoming.length])).toEqual([['C1', 10, 3]]);
  });
});
