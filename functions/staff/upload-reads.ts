/** POST /staff/meter-reads/uploads {"format": "csv|greenbutton", "content", "meterId"?} (roles billing, admin): a bulk interval file through VEE. */
import type { IngestReadsDeps } from '../../shared/app/ingest-reads';
import { importReads } from '../../shared/app/import-reads';
import type { Logger } from '../../shared/app/ports';
import { staffRoute } from '../../shared/adapters/http';
import { readsDeps } from '../../shared/adapters/reads-runtime';
import { lazyHandler } from '../../shared/adapters/runtime';
import { UploadReadsRequest } from '../../shared/schemas/staff';

export function createHandler(deps: IngestReadsDeps & { log: Logger }) {
  return staffRoute(deps.log, ['billing', 'admin'], UploadReadsRequest, 200, async (principal, input) => {
    const { results: _results, ...summary } = await importReads(deps, { format: input.body.format, content: input.body.content, ...(input.body.meterId ? { meterId: input.body.meterId } : {}) }, `staff:${principal.username}`, false, { actor: principal.username, action: 'reads.uploaded' });
    return summary;
  });
}

export const handler = lazyHandler(() => createHandler(readsDeps()));
