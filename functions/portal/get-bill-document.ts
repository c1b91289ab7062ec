/** GET /portal/accounts/{accountId}/bills/{billId}/document?format=pdf|html : a bill of one of the customer's own accounts. */
import middy from '@middy/core';
import { getMyBillDocument, type BillDocumentDeps } from '../../shared/app/bill-document';
import type { Logger } from '../../shared/app/ports';
import { billDocumentDeps, documentResponse } from '../../shared/adapters/bill-document-runtime';
import { apiHandler, authorize, httpErrors, parseRequest, type HttpResponse, type Routed } from '../../shared/adapters/http';
import { lazyHandler } from '../../shared/adapters/runtime';
import { requireCustomer, type CustomerPrincipal } from '../../shared/domain/identity';
import { BillDocumentRequest } from '../../shared/schemas/billing';

export function createHandler(deps: BillDocumentDeps & { log: Logger }) {
  const chain = middy<Routed<CustomerPrincipal, BillDocumentRequest>, HttpResponse>()
    .use(httpErrors(deps.log))
    .use(authorize(requireCustomer))
    .use(parseRequest(BillDocumentRequest))
    .handler(async ({ principal, input }) => documentResponse(await getMyBillDocument(deps, principal.customerId, input.path.accountId, input.path.billId), input.query.format));
  return apiHandler(chain);
}

export const handler = lazyHandler(() => createHandler(billDocumentDeps()));
