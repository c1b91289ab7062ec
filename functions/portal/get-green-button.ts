/** GET /portal/accounts/{accountId}/usage/greenbutton?from=&to= : the account's interval data as a Green Button (ESPI Atom) feed. */
import middy from '@middy/core';
import { getGreenButtonFeed, type GetUsageDeps } from '../../shared/app/get-usage';
import type { Logger } from '../../shared/app/ports';
import { apiHandler, authorize, httpErrors, parseRequest, type HttpResponse, type Routed } from '../../shared/adapters/http';
import { lazyHandler, tableDeps } from '../../shared/adapters/runtime';
import { requireCustomer, type CustomerPrincipal } from '../../shared/domain/identity';
import { GetGreenButtonRequest } from '../../shared/schemas/portal';

export function createHandler(deps: GetUsageDeps & { log: Logger }) {
  const chain = middy<Routed<CustomerPrincipal, GetGreenButtonRequest>, HttpResponse>()
    .use(httpErrors(deps.log))
    .use(authorize(requireCustomer))
    .use(parseRequest(GetGreenButtonRequest))
    .handler(async ({ principal, input }) => ({
      statusCode: 200,
      headers: {
        'content-type': 'application/atom+xml; charset=utf-8',
        'content-disposition': `attachment; filename="greenbutton-${input.path.accountId}-${input.query.from}-${input.query.to}.xml"`,
        'cache-control': 'no-store',
      },
      body: await getGreenButtonFeed(deps, principal.customerId, input.path.accountId, input.query),
    }));
  return apiHandler(chain);
}

export const handler = lazyHandler(() => createHandler(tableDeps()));
