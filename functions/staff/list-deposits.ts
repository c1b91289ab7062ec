/** GET /staff/accounts/{accountId}/deposits : the account's deposits with what is held, unpaid, the interest posted and when a refund is due (any staff role). */
import { listDeposits, type DepositReadDeps } from '../../shared/app/payments/deposits';
import type { Logger } from '../../shared/app/ports';
import { staffRoute } from '../../shared/adapters/http';
import { depositDeps } from '../../shared/adapters/payments-runtime';
import { lazyHandler } from '../../shared/adapters/runtime';
import { AccountReadRequest } from '../../shared/schemas/payments';

export const createHandler = (deps: DepositReadDeps & { log: Logger }) => staffRoute(deps.log, undefined, AccountReadRequest, 200, (_principal, input) => listDeposits(deps, input.path.accountId));

export const handler = lazyHandler(() => createHandler(depositDeps()));
