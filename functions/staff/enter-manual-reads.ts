/** POST /staff/meters/{meterId}/reads {"readings": [...]} (roles csr, billing, admin): manual reads, through VEE, stored as entered by staff ('M'). */
import middy from '@middy/core';
import type { IngestReadsDeps } from '../../shared/app/ingest-reads';
import { enterManualReads } from '../../shared/app/read-exceptions';
import type { Logger } from '../../shared/app/ports';
import { apiHandler, authorize, httpErrors, json, parseRequest, type HttpResponse, type Routed } from '../../shared/adapters/http';
import { readsDeps } from '../../shared/adapters/reads-runtime';
import { lazyHandler } from '../../shared/adapters/runtime';
import { requireStaff, type StaffPrincipal } from '../../shared/domain/identity';
import { EnterManualReadsRequest } from '../../shared/schemas/staff';

export function createHandler(deps: IngestReadsDeps & { log: Logger }) {
  const chain = middy<Routed<StaffPrincipal, EnterManualReadsRequest>, HttpResponse>()
    .use(httpErrors(deps.log))
    .use(authorize((claims) => requireStaff(claims, ['csr', 'billing', 'admin'])))
    .use(parseRequest(EnterManualReadsRequest))
    .handler(async ({ principal, input }) => json(200, await enterManualReads(deps, principal, input.path.meterId, input.body.readings)));
  return apiHandler(chain);
}

export const handler = lazyHandler(() => createHandler(readsDeps()));
