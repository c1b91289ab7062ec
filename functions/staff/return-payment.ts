/** POST /staff/payments/{paymentId}/return {reason} : 200 the returned payment, its reversing entry and the fee (billing, admin; audited). */
import { returnPayment, type ReturnDeps } from '../../shared/app/payments/return-payment';
import type { Logger } from '../../shared/app/ports';
import { staffRoute } from '../../shared/adapters/http';
import { LEDGER_CORRECTORS, paymentDeps } from '../../shared/adapters/payments-runtime';
import { lazyHandler } from '../../shared/adapters/runtime';
import { ReturnPaymentRequest } from '../../shared/schemas/payments';

export const createHandler = (deps: ReturnDeps & { log: Logger }) =>
  staffRoute(deps.log, LEDGER_CORRECTORS, ReturnPaymentRequest, 200, (principal, input) => returnPayment(deps, { paymentId: input.path.paymentId, reason: input.body.reason, actor: principal.username }));

export const handler = lazyHandler(() => createHandler(paymentDeps()));
