/** GET /staff/accounts/{accountId} : the account, its meters and their recent reads (any staff role). */
import middy from '@middy/core';
import { getAccount, type GetAccountDeps } from '../../shared/app/get-account';
import type { Logger } from '../../shared/app/ports';
import { apiHandler, authorize, httpErrors, json, parseRequest, type HttpResponse, type Routed } from '../../shared/adapters/http';
import { lazyHandler, tableDeps } from '../../shared/adapters/runtime';
import { requireStaff, type StaffPrincipal } from '../../shared/domain/identity';
import { GetAccountRequest } from '../../shared/schemas/staff';

export function createHandler(deps: GetAccountDeps & { log: Logger }) {
  const chain = middy<Routed<StaffPrincipal, GetAccountRequest>, HttpResponse>()
    .use(httpErrors(deps.log))
    .use(authorize((claims) => requireStaff(claims)))
    .use(parseRequest(GetAccountRequest))
    .handler(async ({ input }) => json(200, await getAccount(deps, input.path.accountId)));
  return apiHandler(chain);
}

export const handler = lazyHandler(() => createHandler(tableDeps()));
