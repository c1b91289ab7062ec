/**
 * POST /staff/bill-exceptions/{billId} {"action": "release|cancel", "note"?} (roles billing, admin):
 * releases a held bill (posts it) or cancels it (the next run bills the account again), audited;
 * 409 when the bill is no longer held.
 */
import { resolveBillException, type BillExceptionsDeps } from '../../shared/app/bill-exceptions';
import type { Logger } from '../../shared/app/ports';
import { staffRoute } from '../../shared/adapters/http';
import { billExceptionsDeps, lazyHandler } from '../../shared/adapters/runtime';
import { ResolveBillExceptionRequest } from '../../shared/schemas/staff';

export function createHandler(deps: BillExceptionsDeps & { log: Logger }) {
  return staffRoute(deps.log, ['billing', 'admin'], ResolveBillExceptionRequest, 200, (principal, input) => resolveBillException(deps, principal, { billId: input.path.billId, ...input.body }));
}

export const handler = lazyHandler(() => createHandler(billExceptionsDeps()));
