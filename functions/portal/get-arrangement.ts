/** GET /portal/accounts/{accountId}/arrangement : the payment arrangement of one of the customer's own accounts, with its tracking (null when none). */
import { getMyArrangement, type ArrangementReadDeps } from '../../shared/app/payments/arrangements';
import type { Logger } from '../../shared/app/ports';
import { portalRoute } from '../../shared/adapters/http';
import { ledgerDeps } from '../../shared/adapters/payments-runtime';
import { lazyHandler } from '../../shared/adapters/runtime';
import { AccountReadRequest } from '../../shared/schemas/payments';

export const createHandler = (deps: ArrangementReadDeps & { log: Logger }) => portalRoute(deps.log, AccountReadRequest, 200, (principal, input) => getMyArrangement(deps, principal.customerId, input.path.accountId));

export const handler = lazyHandler(() => createHandler(ledgerDeps()));
