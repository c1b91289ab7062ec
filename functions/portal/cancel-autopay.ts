/** DELETE /portal/accounts/{accountId}/autopay : 200 {autopay} cancelled (the customer's own accounts; audited; 404 when not enrolled). */
import { cancelMyAutopay, type AutopayDeps } from '../../shared/app/payments/autopay';
import type { Logger } from '../../shared/app/ports';
import { portalRoute } from '../../shared/adapters/http';
import { bankDeps } from '../../shared/adapters/payments-runtime';
import { lazyHandler } from '../../shared/adapters/runtime';
import { AutopayAccountRequest } from '../../shared/schemas/bank';

export const createHandler = (deps: AutopayDeps & { log: Logger }) => portalRoute(deps.log, AutopayAccountRequest, 200, (principal, input) => cancelMyAutopay(deps, principal, input.path.accountId));

export const handler = lazyHandler(() => createHandler(bankDeps()));
