/** GET /staff/billing-runs/{runId} : status, counts and a sample of errors (any staff role). */
import middy from '@middy/core';
import { getBillingRun, type GetBillingRunDeps } from '../../shared/app/get-billing-run';
import type { Logger } from '../../shared/app/ports';
import { apiHandler, authorize, httpErrors, json, parseRequest, type HttpResponse, type Routed } from '../../shared/adapters/http';
import { lazyHandler, tableDeps } from '../../shared/adapters/runtime';
import { requireStaff, type StaffPrincipal } from '../../shared/domain/identity';
import { GetBillingRunRequest } from '../../shared/schemas/staff';

export function createHandler(deps: GetBillingRunDeps & { log: Logger }) {
  const chain = middy<Routed<StaffPrincipal, GetBillingRunRequest>, HttpResponse>()
    .use(httpErrors(deps.log))
    .use(authorize((claims) => requireStaff(claims)))
    .use(parseRequest(GetBillingRunRequest))
    .handler(async ({ input }) => json(200, await getBillingRun(deps, input.path.runId)));
  return apiHandler(chain);
}

export const handler = lazyHandler(() => createHandler(tableDeps()));
