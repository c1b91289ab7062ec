/**
 * POST /staff/read-exceptions/{meterId}/{exceptionId} {"action": "accept|edit|estimate|reject", "value"?, "note"?}
 * (roles csr, billing, admin): resolves an exception; changed reads are re-validated, audited
 * and mark the bills that used them for rebilling.
 */
import middy from '@middy/core';
import { resolveReadException, type ReadExceptionsDeps } from '../../shared/app/read-exceptions';
import type { Logger } from '../../shared/app/ports';
import { apiHandler, authorize, httpErrors, json, parseRequest, type HttpResponse, type Routed } from '../../shared/adapters/http';
import { readsDeps } from '../../shared/adapters/reads-runtime';
import { lazyHandler } from '../../shared/adapters/runtime';
import { requireStaff, type StaffPrincipal } from '../../shared/domain/identity';
import { ResolveReadExceptionRequest } from '../../shared/schemas/staff';

export function createHandler(deps: ReadExceptionsDeps & { log: Logger }) {
  const chain = middy<Routed<StaffPrincipal, ResolveReadExceptionRequest>, HttpResponse>()
    .use(httpErrors(deps.log))
    .use(authorize((claims) => requireStaff(claims, ['csr', 'billing', 'admin'])))
    .use(parseRequest(ResolveReadExceptionRequest))
    .handler(async ({ principal, input }) => json(200, await resolveReadException(deps, principal, { ...input.path, ...input.body })));
  return apiHandler(chain);
}

export const handler = lazyHandler(() => createHandler(readsDeps()));
