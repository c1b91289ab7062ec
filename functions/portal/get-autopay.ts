/** GET /portal/accounts/{accountId}/autopay : 200 {accountId, autopay} (last four digits only; null when never enrolled). */
import { getMyAutopay, type AutopayDeps } from '../../shared/app/payments/autopay';
import type { Logger } from '../../shared/app/ports';
import { portalRoute } from '../../shared/adapters/http';
import { bankDeps } from '../../shared/adapters/payments-runtime';
import { lazyHandler } from '../../shared/adapters/runtime';
import { AutopayAccountRequest } from '../../shared/schemas/bank';

export const createHandler = (deps: AutopayDeps & { log: Logger }) => portalRoute(deps.log, AutopayAccountRequest, 200, (principal, input) => getMyAutopay(deps, principal, input.path.accountId));

export const handler = lazyHandler(() => createHandler(bankDeps()));
