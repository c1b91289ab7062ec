/** DELETE /staff/accounts/{accountId}/autopay : 200 {autopay} cancelled (csr, admin; audited; 404 when not enrolled). */
import { cancelAutopay, type AutopayDeps } from '../../shared/app/payments/autopay';
import type { Logger } from '../../shared/app/ports';
import { staffRoute } from '../../shared/adapters/http';
import { AUTOPAY_ENROLLERS, bankDeps } from '../../shared/adapters/payments-runtime';
import { lazyHandler } from '../../shared/adapters/runtime';
import { AutopayAccountRequest } from '../../shared/schemas/bank';

export const createHandler = (deps: AutopayDeps & { log: Logger }) => staffRoute(deps.log, AUTOPAY_ENROLLERS, AutopayAccountRequest, 200, (principal, input) => cancelAutopay(deps, principal.username, input.path.accountId));

export const handler = lazyHandler(() => createHandler(bankDeps()));
