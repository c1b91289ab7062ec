/** GET /staff/accounts?limit=&cursor= : one page of accounts (any staff role). */
import middy from '@middy/core';
import { listAccounts, type ListAccountsDeps } from '../../shared/app/list-accounts';
import type { Logger } from '../../shared/app/ports';
import { apiHandler, authorize, httpErrors, json, parseRequest, type HttpResponse, type Routed } from '../../shared/adapters/http';
import { lazyHandler, tableDeps } from '../../shared/adapters/runtime';
import { requireStaff, type StaffPrincipal } from '../../shared/domain/identity';
import { ListAccountsRequest } from '../../shared/schemas/staff';

export function createHandler(deps: ListAccountsDeps & { log: Logger }) {
  const chain = middy<Routed<StaffPrincipal, ListAccountsRequest>, HttpResponse>()
    .use(httpErrors(deps.log))
    .use(authorize((claims) => requireStaff(claims)))
    .use(parseRequest(ListAccountsRequest))
    .handler(async ({ input }) => json(200, await listAccounts(deps, input.query)));
  return apiHandler(chain);
}

export const handler = lazyHandler(() => createHandler(tableDeps()));
