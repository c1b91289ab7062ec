/** GET /staff/billing-runs?limit=&cursor= : the billing runs, newest first (any staff role). */
import { listBillingRuns, type ListBillingRunsDeps } from '../../shared/app/list-billing-runs';
import type { Logger } from '../../shared/app/ports';
import { staffRoute } from '../../shared/adapters/http';
import { lazyHandler, tableDeps } from '../../shared/adapters/runtime';
import { ListBillingRunsRequest } from '../../shared/schemas/staff';

export function createHandler(deps: ListBillingRunsDeps & { log: Logger }) {
  return staffRoute(deps.log, undefined, ListBillingRunsRequest, 200, (_principal, input) => listBillingRuns(deps, input.query));
}

export const handler = lazyHandler(() => createHandler(tableDeps()));
