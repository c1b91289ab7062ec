/**
 * POST /staff/arrangement-requests/{accountId}/{requestId}/decision {decision: approve|decline, reason, firstDueDate?}
 * : 200 {request, arrangement} (csr, billing, admin; audited). Approve makes the arrangement in the same
 * transaction as the decision; the same decision again answers the same, the other one is 409.
 */
import { decideArrangementRequest } from '../../shared/app/payments/arrangement-requests';
import type { ArrangementDeps } from '../../shared/app/payments/arrangements';
import type { Logger } from '../../shared/app/ports';
import { staffRoute } from '../../shared/adapters/http';
import { ARRANGEMENT_MAKERS, arrangementDeps } from '../../shared/adapters/payments-runtime';
import { lazyHandler } from '../../shared/adapters/runtime';
import { DecideArrangementRequest } from '../../shared/schemas/payments';

export const createHandler = (deps: ArrangementDeps & { log: Logger }) =>
  staffRoute(deps.log, ARRANGEMENT_MAKERS, DecideArrangementRequest, 200, (principal, input) => decideArrangementRequest(deps, principal.username, { ...input.path, ...input.body }));

export const handler = lazyHandler(() => createHandler(arrangementDeps()));
