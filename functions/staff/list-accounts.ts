/** GET /staff/accounts?limit=&cursor= : one page of accounts (any staff role). */
import { listAccounts, type ListAccountsDeps } from '../../shared/app/list-accounts';
import type { Logger } from '../../shared/app/ports';
import { staffRoute } from '../../shared/adapters/http';
import { lazyHandler, tableDeps } from '../../shared/adapters/runtime';
import { ListAccountsRequest } from '../../shared/schemas/staff';

export function createHandler(deps: ListAccountsDeps & { log: Logger }) {
  return staffRoute(deps.log, undefined, ListAccountsRequest, 200, (_principal, input) => listAccounts(deps, input.query));
}

export const handler = lazyHandler(() => createHandler(tableDeps()));
