/** GET /staff/bill-exceptions?reason=&limit=&cursor= : the held bills waiting for review, newest first (roles billing, admin, auditor). */
import { listBillExceptions, type BillExceptionsDeps } from '../../shared/app/bill-exceptions';
import type { Logger } from '../../shared/app/ports';
import { staffRoute } from '../../shared/adapters/http';
import { billExceptionsDeps, lazyHandler } from '../../shared/adapters/runtime';
import { ListBillExceptionsRequest } from '../../shared/schemas/staff';

export function createHandler(deps: Pick<BillExceptionsDeps, 'bills'> & { log: Logger }) {
  return staffRoute(deps.log, ['billing', 'admin', 'auditor'], ListBillExceptionsRequest, 200, (_principal, input) => listBillExceptions(deps, input.query));
}

export const handler = lazyHandler(() => createHandler(billExceptionsDeps()));
