/** POST /staff/accounts/{accountId}/refunds {amount, reason} with an Idempotency-Key header : 201 {refund} (billing, admin; audited). */
import { refundCredit, type RefundDeps } from '../../shared/app/payments/refund-credit';
import type { Logger } from '../../shared/app/ports';
import { staffAnswerRoute } from '../../shared/adapters/http';
import { LEDGER_CORRECTORS, ledgerDeps } from '../../shared/adapters/payments-runtime';
import { lazyHandler } from '../../shared/adapters/runtime';
import { RefundRequest } from '../../shared/schemas/payments';

export const createHandler = (deps: RefundDeps & { log: Logger }) =>
  staffAnswerRoute(deps.log, LEDGER_CORRECTORS, RefundRequest, (principal, input) => refundCredit(deps, principal.username, { accountId: input.path.accountId, idempotencyKey: input.headers['idempotency-key'], ...input.body }));

export const handler = lazyHandler(() => createHandler(ledgerDeps()));
