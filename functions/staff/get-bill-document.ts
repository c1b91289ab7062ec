/** GET /staff/accounts/{accountId}/bills/{billId}/document?format=pdf|html : any bill, held ones included (every staff role). */
import middy from '@middy/core';
import { getBillDocument, type BillDocumentDeps } from '../../shared/app/bill-document';
import type { Logger } from '../../shared/app/ports';
import { billDocumentDeps, documentResponse } from '../../shared/adapters/bill-document-runtime';
import { apiHandler, authorize, httpErrors, parseRequest, type HttpResponse, type Routed } from '../../shared/adapters/http';
import { lazyHandler } from '../../shared/adapters/runtime';
import { requireStaff, type StaffPrincipal } from '../../shared/domain/identity';
import { BillDocumentRequest } from '../../shared/schemas/billing';

export function createHandler(deps: BillDocumentDeps & { log: Logger }) {
  const chain = middy<Routed<StaffPrincipal, BillDocumentRequest>, HttpResponse>()
    .use(httpErrors(deps.log))
    .use(authorize((claims) => requireStaff(claims)))
    .use(parseRequest(BillDocumentRequest))
    .handler(async ({ input }) => documentResponse(await getBillDocument(deps, input.path.accountId, input.path.billId), input.query.format));
  return apiHandler(chain);
}

export const handler = lazyHandler(() => createHandler(billDocumentDeps()));
