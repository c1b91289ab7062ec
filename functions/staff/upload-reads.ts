/** POST /staff/meter-reads/uploads {"format": "csv|greenbutton", "content", "meterId"?} (roles billing, admin): a bulk interval file through VEE. */
import middy from '@middy/core';
import type { IngestReadsDeps } from '../../shared/app/ingest-reads';
import { importReads } from '../../shared/app/import-reads';
import type { Logger } from '../../shared/app/ports';
import { apiHandler, authorize, httpErrors, json, parseRequest, type HttpResponse, type Routed } from '../../shared/adapters/http';
import { readsDeps } from '../../shared/adapters/reads-runtime';
import { lazyHandler } from '../../shared/adapters/runtime';
import { requireStaff, type StaffPrincipal } from '../../shared/domain/identity';
import { UploadReadsRequest } from '../../shared/schemas/staff';

export function createHandler(deps: IngestReadsDeps & { log: Logger }) {
  const chain = middy<Routed<StaffPrincipal, UploadReadsRequest>, HttpResponse>()
    .use(httpErrors(deps.log))
    .use(authorize((claims) => requireStaff(claims, ['billing', 'admin'])))
    .use(parseRequest(UploadReadsRequest))
    .handler(async ({ principal, input }) => {
      const { results: _results, ...summary } = await importReads(deps, { format: input.body.format, content: input.body.content, ...(input.body.meterId ? { meterId: input.body.meterId } : {}) }, `staff:${principal.username}`);
      return json(200, summary);
    });
  return apiHandler(chain);
}

export const handler = lazyHandler(() => createHandler(readsDeps()));
