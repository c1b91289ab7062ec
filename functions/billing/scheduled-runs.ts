/** The daily schedule's target: starts the billing runs whose bill date has come (see shared/app/billing-cycles.ts). */
import { startScheduledRuns } from '../../shared/app/billing-cycles';
import { scheduledRunsDeps } from '../../shared/adapters/cycles-runtime';
import { lazyHandler } from '../../shared/adapters/runtime';

export function createHandler(deps: Parameters<typeof startScheduledRuns>[0]) {
  return async (_event: unknown) => {
    const result = await startScheduledRuns(deps);
    // A cycle that could not be started fails the invocation, so the schedule's retry and the alarm on errors see it.
    if (result.failed.length > 0) throw new Error(`scheduled billing runs not started: ${result.failed.map((f) => `${f.cycle} ${f.periodStart}..${f.periodEnd}: ${f.error}`).join('; ')}`);
    return result;
  };
}

export const handler = lazyHandler(() => createHandler(scheduledRunsDeps()));
