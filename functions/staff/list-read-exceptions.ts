/** GET /staff/read-exceptions?status=OPEN&limit=&cursor= : the read exceptions queue (any staff role). */
import middy from '@middy/core';
import { listReadExceptions } from '../../shared/app/read-exceptions';
import type { Logger } from '../../shared/app/ports';
import type { ReadExceptionStore } from '../../shared/app/read-ports';
import { apiHandler, authorize, httpErrors, json, parseRequest, type HttpResponse, type Routed } from '../../shared/adapters/http';
import { readsDeps } from '../../shared/adapters/reads-runtime';
import { lazyHandler } from '../../shared/adapters/runtime';
import { requireStaff, type StaffPrincipal } from '../../shared/domain/identity';
import { ListReadExceptionsRequest } from '../../shared/schemas/staff';

export function createHandler(deps: { exceptions: ReadExceptionStore; log: Logger }) {
  const chain = middy<Routed<StaffPrincipal, ListReadExceptionsRequest>, HttpResponse>()
    .use(httpErrors(deps.log))
    .use(authorize((claims) => requireStaff(claims)))
    .use(parseRequest(ListReadExceptionsRequest))
    .handler(async ({ input }) => json(200, await listReadExceptions(deps, input.query)));
  return apiHandler(chain);
}

export const handler = lazyHandler(() => createHandler(readsDeps()));
