/** Staff: start a billing run for a cycle and period (the state machine does the work). */
import type { AuditEvent } from '../domain/audit';
import { assertValidPeriod, type BillingPeriod } from '../domain/billing';
import type { StaffPrincipal } from '../domain/identity';
import { emptyCounts, newRunId, type BillingRun } from '../domain/runs';
import { BillingRunNotStarted } from './errors';
import type { BillingWorkflow, Clock, Logger, RunStore } from './ports';

export interface StartBillingRunDeps {
  runs: RunStore;
  workflow: BillingWorkflow;
  clock: Clock;
  /** A fresh random id (UUID). */
  newId: () => string;
  log: Logger;
}

/**
 * Writes the run (RUNNING) and its audit event in one transaction, then starts the state
 * machine with execution name = runId. If the start fails the run is marked FAILED, so the
 * caller can simply ask again: billing is idempotent per account and period.
 */
export async function startBillingRun(deps: StartBillingRunDeps, principal: StaffPrincipal, period: BillingPeriod): Promise<{ runId: string; status: 'RUNNING' }> {
  assertValidPeriod(period.periodStart, period.periodEnd);
  const startedAt = deps.clock.now();
  const runId = newRunId(startedAt, deps.newId().replace(/-/g, ''));
  const run: BillingRun = { runId, ...pick(period), status: 'RUNNING', counts: emptyCounts(), startedAt: startedAt.toISOString(), startedBy: principal.username, errors: [] };
  await deps.runs.create(run, audit(deps, runId, startedAt.toISOString(), principal.username, 'billing-run.started', { ...pick(period) }));
  try {
    await deps.workflow.start({ runId, ...pick(period) });
  } catch (error) {
    const cause = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
    deps.log.error('billing run could not be started', { runId, cause });
    const finishedAt = deps.clock.now().toISOString();
    await deps.runs.finish({ runId, status: 'FAILED', finishedAt, failure: { error: 'StartExecutionFailed', cause } }, audit(deps, runId, finishedAt, principal.username, 'billing-run.failed', { cause: cause.slice(0, 500) }));
    throw new BillingRunNotStarted(`billing run ${runId} could not be started and is marked FAILED; it is safe to try again`);
  }
  return { runId, status: 'RUNNING' };
}

function pick(period: BillingPeriod): BillingPeriod {
  return { cycle: period.cycle, periodStart: period.periodStart, periodEnd: period.periodEnd };
}

function audit(deps: Pick<StartBillingRunDeps, 'newId'>, runId: string, at: string, actor: string, action: string, details: AuditEvent['details']): AuditEvent {
  return { eventId: deps.newId(), entityType: 'RUN', entityId: runId, at, actor, action, details };
}
