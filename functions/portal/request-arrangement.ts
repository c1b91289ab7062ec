/**
 * POST /portal/accounts/{accountId}/arrangement-requests {installments, reason?} with an
 * Idempotency-Key header : 201 {request} PENDING; 422 nothing-past-due, 409 arrangement-exists or
 * arrangement-request-pending. The same key and body again answers the same.
 */
import { requestMyArrangement, type ArrangementRequestDeps } from '../../shared/app/payments/arrangement-requests';
import type { Logger } from '../../shared/app/ports';
import { portalAnswerRoute } from '../../shared/adapters/http';
import { ledgerDeps } from '../../shared/adapters/payments-runtime';
import { lazyHandler } from '../../shared/adapters/runtime';
import { RequestArrangementRequest } from '../../shared/schemas/payments';

export const createHandler = (deps: ArrangementRequestDeps & { log: Logger }) =>
  portalAnswerRoute(deps.log, RequestArrangementRequest, (principal, input) => requestMyArrangement(deps, principal, { accountId: input.path.accountId, idempotencyKey: input.headers['idempotency-key'], ...input.body }));

export const handler = lazyHandler(() => createHandler(ledgerDeps()));
