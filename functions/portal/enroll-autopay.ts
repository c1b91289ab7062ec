/**
 * PUT /portal/accounts/{accountId}/autopay {routingNumber, accountNumber, accountType, accountHolder, paperless?}
 * : 200 {autopay} with the last four digits of the account number only (the customer's own accounts; audited).
 */
import { enrollMyAutopay, type AutopayDeps } from '../../shared/app/payments/autopay';
import type { Logger } from '../../shared/app/ports';
import { portalRoute } from '../../shared/adapters/http';
import { bankDeps } from '../../shared/adapters/payments-runtime';
import { lazyHandler } from '../../shared/adapters/runtime';
import { EnrollAutopayRequest } from '../../shared/schemas/bank';

export const createHandler = (deps: AutopayDeps & { log: Logger }) => portalRoute(deps.log, EnrollAutopayRequest, 200, (principal, input) => enrollMyAutopay(deps, principal, { accountId: input.path.accountId, ...input.body }));

export const handler = lazyHandler(() => createHandler(bankDeps()));
