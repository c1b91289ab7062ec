/** GET /portal/accounts/{accountId}/bills?limit=&cursor= : the bills of one of the customer's own accounts. */
import { listBills, type ListBillsDeps } from '../../shared/app/list-bills';
import type { Logger } from '../../shared/app/ports';
import { portalRoute } from '../../shared/adapters/http';
import { lazyHandler, tableDeps } from '../../shared/adapters/runtime';
import { ListBillsRequest } from '../../shared/schemas/portal';

export function createHandler(deps: ListBillsDeps & { log: Logger }) {
  return portalRoute(deps.log, ListBillsRequest, 200, (principal, input) => listBills(deps, principal.customerId, input.path.accountId, input.query));
}

export const handler = lazyHandler(() => createHandler(tableDeps()));
