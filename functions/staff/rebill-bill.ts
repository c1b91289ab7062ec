/**
 * POST /staff/accounts/{accountId}/bills/{billId}/rebill {"reason"} (roles billing, admin): cancels
 * a posted bill and bills its period again from the corrected reads and tariffs, in one
 * transaction with the reversal of its ledger entry; 201 {cancelled, replacement, reversal,
 * corrections}; 409 when the bill is not posted (held, cancelled, rebilled already); 422 when
 * nothing changed. Audited.
 */
import { rebillBill, type RebillDeps } from '../../shared/app/rebill';
import { staffRoute } from '../../shared/adapters/http';
import { lazyHandler, rebillDeps } from '../../shared/adapters/runtime';
import { RebillRequest } from '../../shared/schemas/staff';

export function createHandler(deps: RebillDeps) {
  return staffRoute(deps.log, ['billing', 'admin'], RebillRequest, 201, (principal, input) => rebillBill(deps, principal, { ...input.path, reason: input.body.reason }));
}

export const handler = lazyHandler(() => createHandler(rebillDeps()));
