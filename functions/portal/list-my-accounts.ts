/** GET /portal/accounts : the signed-in customer's accounts. */
import { listMyAccounts, type ListMyAccountsDeps } from '../../shared/app/list-my-accounts';
import type { Logger } from '../../shared/app/ports';
import { portalRoute } from '../../shared/adapters/http';
import { lazyHandler, tableDeps } from '../../shared/adapters/runtime';
import { ListMyAccountsRequest } from '../../shared/schemas/portal';

export function createHandler(deps: ListMyAccountsDeps & { log: Logger }) {
  return portalRoute(deps.log, ListMyAccountsRequest, 200, (principal) => listMyAccounts(deps, principal.customerId));
}

export const handler = lazyHandler(() => createHandler(tableDeps()));
