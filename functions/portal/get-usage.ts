/** GET /portal/accounts/{accountId}/usage?from=&to=&interval=hour|day|month : usage chart data of one of the customer's own accounts. */
import middy from '@middy/core';
import { getUsage, type GetUsageDeps } from '../../shared/app/get-usage';
import type { Logger } from '../../shared/app/ports';
import { apiHandler, authorize, httpErrors, json, parseRequest, type HttpResponse, type Routed } from '../../shared/adapters/http';
import { lazyHandler, tableDeps } from '../../shared/adapters/runtime';
import { requireCustomer, type CustomerPrincipal } from '../../shared/domain/identity';
import { GetUsageRequest } from '../../shared/schemas/portal';

export function createHandler(deps: GetUsageDeps & { log: Logger }) {
  const chain = middy<Routed<CustomerPrincipal, GetUsageRequest>, HttpResponse>()
    .use(httpErrors(deps.log))
    .use(authorize(requireCustomer))
    .use(parseRequest(GetUsageRequest))
    .handler(async ({ principal, input }) => json(200, await getUsage(deps, principal.customerId, input.path.accountId, input.query)));
  return apiHandler(chain);
}

export const handler = lazyHandler(() => createHandler(tableDeps()));
