/** GET /portal/accounts : the signed-in customer's accounts. */
import middy from '@middy/core';
import { listMyAccounts, type ListMyAccountsDeps } from '../../shared/app/list-my-accounts';
import type { Logger } from '../../shared/app/ports';
import { apiHandler, authorize, httpErrors, json, parseRequest, type HttpResponse, type Routed } from '../../shared/adapters/http';
import { lazyHandler, tableDeps } from '../../shared/adapters/runtime';
import { requireCustomer, type CustomerPrincipal } from '../../shared/domain/identity';
import { ListMyAccountsRequest } from '../../shared/schemas/portal';

export function createHandler(deps: ListMyAccountsDeps & { log: Logger }) {
  const chain = middy<Routed<CustomerPrincipal, ListMyAccountsRequest>, HttpResponse>()
    .use(httpErrors(deps.log))
    .use(authorize(requireCustomer))
    .use(parseRequest(ListMyAccountsRequest))
    .handler(async ({ principal }) => json(200, await listMyAccounts(deps, principal.customerId)));
  return apiHandler(chain);
}

export const handler = lazyHandler(() => createHandler(tableDeps()));
