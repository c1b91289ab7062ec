/** GET /portal/accounts/{accountId}/deposits : the deposits of one of the customer's own accounts (held, unpaid, interest, status). */
import { getMyDeposits, type DepositReadDeps } from '../../shared/app/payments/deposits';
import type { Logger } from '../../shared/app/ports';
import { portalRoute } from '../../shared/adapters/http';
import { depositDeps } from '../../shared/adapters/payments-runtime';
import { lazyHandler } from '../../shared/adapters/runtime';
import { AccountReadRequest } from '../../shared/schemas/payments';

export const createHandler = (deps: DepositReadDeps & { log: Logger }) => portalRoute(deps.log, AccountReadRequest, 200, (principal, input) => getMyDeposits(deps, principal.customerId, input.path.accountId));

export const handler = lazyHandler(() => createHandler(depositDeps()));
