/** GET /staff/billing-cycles : every cycle's schedule with its next three periods, bill and due dates (every staff role). */
import { listCycleSchedules } from '../../shared/app/billing-cycles';
import { billingCycleDeps, type BillingCycleRuntimeDeps } from '../../shared/adapters/cycles-runtime';
import { staffRoute } from '../../shared/adapters/http';
import { lazyHandler } from '../../shared/adapters/runtime';
import { ListBillingCyclesRequest } from '../../shared/schemas/staff';

export function createHandler(deps: BillingCycleRuntimeDeps) {
  return staffRoute(deps.log, undefined, ListBillingCyclesRequest, 200, () => listCycleSchedules(deps));
}

export const handler = lazyHandler(() => createHandler(billingCycleDeps()));
