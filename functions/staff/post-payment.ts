/**
 * POST /staff/accounts/{accountId}/payments {amount, method: CASH|CHECK|MONEY_ORDER|CARD, reference?, service?}
 * with an Idempotency-Key header : 201 {payment} (csr, billing, admin; audited).
 */
import { postCounterPayment, type PaymentDeps } from '../../shared/app/payments/post-payment';
import type { Logger } from '../../shared/app/ports';
import { staffAnswerRoute } from '../../shared/adapters/http';
import { PAYMENT_TAKERS, paymentDeps } from '../../shared/adapters/payments-runtime';
import { lazyHandler } from '../../shared/adapters/runtime';
import { CounterPaymentRequest } from '../../shared/schemas/payments';

export const createHandler = (deps: PaymentDeps & { log: Logger }) =>
  staffAnswerRoute(deps.log, PAYMENT_TAKERS, CounterPaymentRequest, (principal, input) => postCounterPayment(deps, principal.username, { accountId: input.path.accountId, idempotencyKey: input.headers['idempotency-key'], ...input.body }));

export const handler = lazyHandler(() => createHandler(paymentDeps()));
