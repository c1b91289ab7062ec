/** GET /staff/accounts/{accountId} : the account, its meters and their recent reads (any staff role). */
import { getAccount, type GetAccountDeps } from '../../shared/app/get-account';
import type { Logger } from '../../shared/app/ports';
import { staffRoute } from '../../shared/adapters/http';
import { lazyHandler, tableDeps } from '../../shared/adapters/runtime';
import { GetAccountRequest } from '../../shared/schemas/staff';

export function createHandler(deps: GetAccountDeps & { log: Logger }) {
  return staffRoute(deps.log, undefined, GetAccountRequest, 200, (_principal, input) => getAccount(deps, input.path.accountId));
}

export const handler = lazyHandler(() => createHandler(tableDeps()));
