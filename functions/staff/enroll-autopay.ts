/** PUT /staff/accounts/{accountId}/autopay {routingNumber, accountNumber, accountType, accountHolder, paperless?} : 200 {autopay} (csr, admin; audited). */
import { enrollAutopay, type AutopayDeps } from '../../shared/app/payments/autopay';
import type { Logger } from '../../shared/app/ports';
import { staffRoute } from '../../shared/adapters/http';
import { AUTOPAY_ENROLLERS, bankDeps } from '../../shared/adapters/payments-runtime';
import { lazyHandler } from '../../shared/adapters/runtime';
import { EnrollAutopayRequest } from '../../shared/schemas/bank';

export const createHandler = (deps: AutopayDeps & { log: Logger }) => staffRoute(deps.log, AUTOPAY_ENROLLERS, EnrollAutopayRequest, 200, (principal, input) => enrollAutopay(deps, principal.username, { accountId: input.path.accountId, ...input.body }));

export const handler = lazyHandler(() => createHandler(bankDeps()));
