/** POST /staff/billing-runs {cycle, periodStart, periodEnd} : 202 {runId} (roles billing, admin). */
import { startBillingRun, type StartBillingRunDeps } from '../../shared/app/start-billing-run';
import { staffRoute } from '../../shared/adapters/http';
import { lazyHandler, startBillingRunDeps } from '../../shared/adapters/runtime';
import { StartBillingRunRequest } from '../../shared/schemas/staff';

export function createHandler(deps: StartBillingRunDeps) {
  return staffRoute(deps.log, ['billing', 'admin'], StartBillingRunRequest, 202, (principal, input) => startBillingRun(deps, principal, input.body));
}

export const handler = lazyHandler(() => createHandler(startBillingRunDeps()));
