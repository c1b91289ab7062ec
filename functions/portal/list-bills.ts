/** GET /portal/accounts/{accountId}/bills?limit=&cursor= : the bills of one of the customer's own accounts. */
import middy from '@middy/core';
import { listBills, type ListBillsDeps } from '../../shared/app/list-bills';
import type { Logger } from '../../shared/app/ports';
import { apiHandler, authorize, httpErrors, json, parseRequest, type HttpResponse, type Routed } from '../../shared/adapters/http';
import { lazyHandler, tableDeps } from '../../shared/adapters/runtime';
import { requireCustomer, type CustomerPrincipal } from '../../shared/domain/identity';
import { ListBillsRequest } from '../../shared/schemas/portal';

export function createHandler(deps: ListBillsDeps & { log: Logger }) {
  const chain = middy<Routed<CustomerPrincipal, ListBillsRequest>, HttpResponse>()
    .use(httpErrors(deps.log))
    .use(authorize(requireCustomer))
    .use(parseRequest(ListBillsRequest))
    .handler(async ({ principal, input }) => json(200, await listBills(deps, principal.customerId, input.path.accountId, input.query)));
  return apiHandler(chain);
}

export const handler = lazyHandler(() => createHandler(tableDeps()));
