/** POST /staff/meters/{meterId}/reads {"readings": [...]} (roles csr, billing, admin): manual reads, through VEE, stored as entered by staff ('M'). */
import type { IngestReadsDeps } from '../../shared/app/ingest-reads';
import { enterManualReads } from '../../shared/app/read-exceptions';
import type { Logger } from '../../shared/app/ports';
import { staffRoute } from '../../shared/adapters/http';
import { readsDeps } from '../../shared/adapters/reads-runtime';
import { lazyHandler } from '../../shared/adapters/runtime';
import { EnterManualReadsRequest } from '../../shared/schemas/staff';

export function createHandler(deps: IngestReadsDeps & { log: Logger }) {
  return staffRoute(deps.log, ['csr', 'billing', 'admin'], EnterManualReadsRequest, 200, (principal, input) => enterManualReads(deps, principal, input.path.meterId, input.body.readings));
}

export const handler = lazyHandler(() => createHandler(readsDeps()));
