/**
 * Billing cycle schedules (staff) and the scheduled start of billing runs. Every day the
 * scheduler starts, for each enabled cycle, the period whose bill date has come (catching up a
 * few days if it was down), once: a claim per cycle and period keeps two invocations from
 * starting it twice, and a run that could not be started gives its claim back so the next
 * invocation tries again. Billing itself is idempotent per account and period, so even a
 * duplicate run would bill nobody twice.
 */
import type { AuditEvent } from '../domain/audit';
import { localDate } from '../domain/calendar';
import { assertValidSchedule, periodDue, upcomingPeriods, type CyclePeriod, type CycleSchedule } from '../domain/cycle-calendar';
import type { StaffPrincipal } from '../domain/identity';
import { startBillingRun, type StartBillingRunDeps } from './start-billing-run';
import type { Clock } from './ports';

export interface StoredCycleSchedule extends CycleSchedule {
  version: number;
  updatedAt: string;
  updatedBy: string;
}

export type ClaimOutcome = { claimed: true } | { claimed: false; runId?: string };

export interface CycleStore {
  get(cycle: string): Promise<StoredCycleSchedule | undefined>;
  list(): Promise<StoredCycleSchedule[]>;
  /** Writes the schedule with its audit event; `expectedVersion` undefined = must be new (VersionConflict otherwise). */
  put(schedule: StoredCycleSchedule, expectedVersion: number | undefined, audit: AuditEvent): Promise<void>;
  /** Claims the scheduled run of a period (or takes over a claim made before `staleBefore` whose run never started). */
  claim(cycle: string, periodEnd: string, at: string, staleBefore: string): Promise<ClaimOutcome>;
  recordClaimedRun(cycle: string, periodEnd: string, runId: string): Promise<void>;
  /** Gives a claim back (its run could not be started); a claim with a run is kept. */
  releaseClaim(cycle: string, periodEnd: string): Promise<void>;
}

export interface CalendarSettings {
  timeZone: string;
  /** The bills' due days (BILL_DUE_DAYS). */
  dueDays: number;
  isHoliday: (day: string) => boolean;
}

export interface BillingCycleDeps extends CalendarSettings {
  cycles: CycleStore;
  clock: Clock;
  newId: () => string;
}

/** Staff: creates or replaces a cycle's schedule (with the version read, when it exists). */
export async function putCycleSchedule(deps: BillingCycleDeps, principal: StaffPrincipal, schedule: CycleSchedule, expectedVersion: number | undefined): Promise<StoredCycleSchedule & { upcoming: CyclePeriod[] }> {
  assertValidSchedule(schedule);
  const now = deps.clock.now().toISOString();
  const stored: StoredCycleSchedule = { ...schedule, version: (expectedVersion ?? 0) + 1, updatedAt: now, updatedBy: principal.username };
  const audit: AuditEvent = { eventId: deps.newId(), entityType: 'CYCLE', entityId: schedule.cycle, at: now, actor: principal.username, action: 'billing-cycle.scheduled', details: { ...schedule, periodEndDay: String(schedule.periodEndDay) } };
  await deps.cycles.put(stored, expectedVersion, audit);
  return { ...stored, upcoming: upcomingPeriods(stored, today(deps), 3, deps) };
}

/** Staff: every cycle's schedule with its next three periods (read period, bill date, due date). */
export async function listCycleSchedules(deps: BillingCycleDeps): Promise<{ today: string; items: Array<StoredCycleSchedule & { upcoming: CyclePeriod[] }> }> {
  const day = today(deps);
  const schedules = (await deps.cycles.list()).sort((a, b) => (a.cycle < b.cycle ? -1 : a.cycle > b.cycle ? 1 : 0));
  return { today: day, items: schedules.map((schedule) => ({ ...schedule, upcoming: upcomingPeriods(schedule, day, 3, deps) })) };
}

export const SCHEDULER: StaffPrincipal = { kind: 'staff', subject: 'scheduler', username: 'scheduler', roles: ['billing'] };
/** A claim without a run this old is taken over (its invocation stopped between claim and start). */
export const STALE_CLAIM_MS = 15 * 60 * 1000;
export const CATCH_UP_DAYS = 3;

export interface ScheduledRunsResult {
  today: string;
  started: Array<CyclePeriod & { runId: string }>;
  alreadyStarted: Array<CyclePeriod & { runId?: string }>;
  failed: Array<CyclePeriod & { error: string }>;
}

/** The scheduler: starts the runs whose bill date has come. One failing cycle never stops the others. */
export async function startScheduledRuns(deps: BillingCycleDeps & StartBillingRunDeps): Promise<ScheduledRunsResult> {
  const now = deps.clock.now();
  const day = today(deps);
  const result: ScheduledRunsResult = { today: day, started: [], alreadyStarted: [], failed: [] };
  for (const schedule of await deps.cycles.list()) {
    const period = periodDue(schedule, day, { ...deps, catchUpDays: CATCH_UP_DAYS });
    if (!period) continue;
    try {
      const claim = await deps.cycles.claim(period.cycle, period.periodEnd, now.toISOString(), new Date(now.getTime() - STALE_CLAIM_MS).toISOString());
      if (!claim.claimed) {
        result.alreadyStarted.push({ ...period, ...(claim.runId ? { runId: claim.runId } : {}) });
        continue;
      }
      let runId: string;
      try {
        ({ runId } = await startBillingRun(deps, SCHEDULER, { cycle: period.cycle, periodStart: period.periodStart, periodEnd: period.periodEnd }));
      } catch (error) {
        await deps.cycles.releaseClaim(period.cycle, period.periodEnd);
        throw error;
      }
      await deps.cycles.recordClaimedRun(period.cycle, period.periodEnd, runId);
      result.started.push({ ...period, runId });
    } catch (error) {
      const message = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
      deps.log.error('scheduled billing run not started', { cycle: period.cycle, periodEnd: period.periodEnd, error: message });
      result.failed.push({ ...period, error: message });
    }
  }
  deps.log.info('scheduled billing runs', { today: day, started: result.started.length, alreadyStarted: result.alreadyStarted.length, failed: result.failed.length });
  return result;
}

function today(deps: Pick<BillingCycleDeps, 'clock' | 'timeZone'>): string {
  return localDate(Math.floor(deps.clock.now().getTime() / 1000), deps.timeZone);
}
