/** POST /staff/accounts/{accountId}/arrangements {installments, firstDueDate, downPayment?, reason} : 201 {arrangement} (csr, billing, admin; audited). */
import { createArrangement, type ArrangementDeps } from '../../shared/app/payments/arrangements';
import type { Logger } from '../../shared/app/ports';
import { staffRoute } from '../../shared/adapters/http';
import { ARRANGEMENT_MAKERS, arrangementDeps } from '../../shared/adapters/payments-runtime';
import { lazyHandler } from '../../shared/adapters/runtime';
import { CreateArrangementRequest } from '../../shared/schemas/payments';

export const createHandler = (deps: ArrangementDeps & { log: Logger }) =>
  staffRoute(deps.log, ARRANGEMENT_MAKERS, CreateArrangementRequest, 201, (principal, input) => createArrangement(deps, principal.username, { accountId: input.path.accountId, ...input.body }));

export const handler = lazyHandler(() => createHandler(arrangementDeps()));
