/** GET /staff/billing-runs/{runId} : status, counts and a sample of errors (any staff role). */
import { getBillingRun, type GetBillingRunDeps } from '../../shared/app/get-billing-run';
import type { Logger } from '../../shared/app/ports';
import { staffRoute } from '../../shared/adapters/http';
import { lazyHandler, tableDeps } from '../../shared/adapters/runtime';
import { GetBillingRunRequest } from '../../shared/schemas/staff';

export function createHandler(deps: GetBillingRunDeps & { log: Logger }) {
  return staffRoute(deps.log, undefined, GetBillingRunRequest, 200, (_principal, input) => getBillingRun(deps, input.path.runId));
}

export const handler = lazyHandler(() => createHandler(tableDeps()));
