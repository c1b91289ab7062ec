/**
 * POST /staff/read-exceptions/{meterId}/{exceptionId} {"action": "accept|edit|estimate|reject", "value"?, "note"?}
 * (roles csr, billing, admin): resolves an exception; changed reads are re-validated, audited
 * and mark the bills that used them for rebilling.
 */
import { resolveReadException, type ReadExceptionsDeps } from '../../shared/app/read-exceptions';
import type { Logger } from '../../shared/app/ports';
import { staffRoute } from '../../shared/adapters/http';
import { readsDeps } from '../../shared/adapters/reads-runtime';
import { lazyHandler } from '../../shared/adapters/runtime';
import { ResolveReadExceptionRequest } from '../../shared/schemas/staff';

export function createHandler(deps: ReadExceptionsDeps & { log: Logger }) {
  return staffRoute(deps.log, ['csr', 'billing', 'admin'], ResolveReadExceptionRequest, 200, (principal, input) => resolveReadException(deps, principal, { ...input.path, ...input.body }));
}

export const handler = lazyHandler(() => createHandler(readsDeps()));
