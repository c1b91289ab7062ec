/**
 * POST /portal/accounts/{accountId}/payments {amount, method: CARD|BANK, token, service?} with an
 * Idempotency-Key header : 201 {payment}; the same key and body again answers the same; another
 * body with the key is 409; a declined card is 422 (and replays as 422).
 */
import { makePortalPayment, type PaymentDeps } from '../../shared/app/payments/post-payment';
import type { Logger } from '../../shared/app/ports';
import { portalAnswerRoute } from '../../shared/adapters/http';
import { paymentDeps } from '../../shared/adapters/payments-runtime';
import { lazyHandler } from '../../shared/adapters/runtime';
import { PortalPaymentRequest } from '../../shared/schemas/payments';

export const createHandler = (deps: PaymentDeps & { log: Logger }) =>
  portalAnswerRoute(deps.log, PortalPaymentRequest, (principal, input) => makePortalPayment(deps, principal, { accountId: input.path.accountId, idempotencyKey: input.headers['idempotency-key'], ...input.body }));

export const handler = lazyHandler(() => createHandler(paymentDeps()));
