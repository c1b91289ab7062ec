/** POST /staff/accounts/{accountId}/adjustments {amount, direction: debit|credit, service?, reason} with an Idempotency-Key header : 201 {entry} posted at once (billing, admin within the approval limit), or 202 {request} waiting for another user's approval (csr, or above the limit); audited. */
import { adjustBalance, type AdjustDeps } from '../../shared/app/payments/adjust-ledger';
import type { Logger } from '../../shared/app/ports';
import { staffAnswerRoute } from '../../shared/adapters/http';
import { ADJUSTMENT_REQUESTERS, adjustmentDeps } from '../../shared/adapters/payments-runtime';
import { lazyHandler } from '../../shared/adapters/runtime';
import { AdjustmentRequest } from '../../shared/schemas/payments';

export const createHandler = (deps: AdjustDeps & { log: Logger }) =>
  staffAnswerRoute(deps.log, ADJUSTMENT_REQUESTERS, AdjustmentRequest, (principal, input) => adjustBalance(deps, principal, { accountId: input.path.accountId, idempotencyKey: input.headers['idempotency-key'], ...input.body }));

export const handler = lazyHandler(() => createHandler(adjustmentDeps()));
