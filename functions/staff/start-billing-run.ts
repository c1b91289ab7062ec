/** POST /staff/billing-runs {cycle, periodStart, periodEnd} : 202 {runId} (roles billing, admin). */
import middy from '@middy/core';
import { startBillingRun, type StartBillingRunDeps } from '../../shared/app/start-billing-run';
import { apiHandler, authorize, httpErrors, json, parseRequest, type HttpResponse, type Routed } from '../../shared/adapters/http';
import { lazyHandler, startBillingRunDeps } from '../../shared/adapters/runtime';
import { requireStaff, type StaffPrincipal } from '../../shared/domain/identity';
import { StartBillingRunRequest } from '../../shared/schemas/staff';

export function createHandler(deps: StartBillingRunDeps) {
  const chain = middy<Routed<StaffPrincipal, StartBillingRunRequest>, HttpResponse>()
    .use(httpErrors(deps.log))
    .use(authorize((claims) => requireStaff(claims, ['billing', 'admin'])))
    .use(parseRequest(StartBillingRunRequest))
    .handler(async ({ principal, input }) => json(202, await startBillingRun(deps, principal, input.body)));
  return apiHandler(chain);
}

export const handler = lazyHandler(() => createHandler(startBillingRunDeps()));
