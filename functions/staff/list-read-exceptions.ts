/** GET /staff/read-exceptions?status=OPEN&limit=&cursor= : the read exceptions queue (any staff role). */
import { listReadExceptions } from '../../shared/app/read-exceptions';
import type { Logger } from '../../shared/app/ports';
import type { ReadExceptionStore } from '../../shared/app/read-ports';
import { staffRoute } from '../../shared/adapters/http';
import { readsDeps } from '../../shared/adapters/reads-runtime';
import { lazyHandler } from '../../shared/adapters/runtime';
import { ListReadExceptionsRequest } from '../../shared/schemas/staff';

export function createHandler(deps: { exceptions: ReadExceptionStore; log: Logger }) {
  return staffRoute(deps.log, undefined, ListReadExceptionsRequest, 200, (_principal, input) => listReadExceptions(deps, input.query));
}

export const handler = lazyHandler(() => createHandler(readsDeps()));
