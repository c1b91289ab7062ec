/** POST /staff/accounts/{accountId}/arrangements/{arrangementId}/cancel {reason} : 200 {arrangement} (csr, billing, admin; audited). */
import { cancelArrangement, type ArrangementDeps } from '../../shared/app/payments/arrangements';
import type { Logger } from '../../shared/app/ports';
import { staffRoute } from '../../shared/adapters/http';
import { ARRANGEMENT_MAKERS, arrangementDeps } from '../../shared/adapters/payments-runtime';
import { lazyHandler } from '../../shared/adapters/runtime';
import { CancelArrangementRequest } from '../../shared/schemas/payments';

export const createHandler = (deps: ArrangementDeps & { log: Logger }) =>
  staffRoute(deps.log, ARRANGEMENT_MAKERS, CancelArrangementRequest, 200, (principal, input) => cancelArrangement(deps, principal.username, { ...input.path, reason: input.body.reason }));

export const handler = lazyHandler(() => createHandler(arrangementDeps()));
