/** POST /staff/accounts/{accountId}/adjustments {amount, direction: debit|credit, service?, reason} with an Idempotency-Key header : 201 {entry} (billing, admin; audited). */
import { adjustBalance, type AdjustDeps } from '../../shared/app/payments/adjust-ledger';
import type { Logger } from '../../shared/app/ports';
import { staffAnswerRoute } from '../../shared/adapters/http';
import { LEDGER_CORRECTORS, ledgerDeps } from '../../shared/adapters/payments-runtime';
import { lazyHandler } from '../../shared/adapters/runtime';
import { AdjustmentRequest } from '../../shared/schemas/payments';

export const createHandler = (deps: AdjustDeps & { log: Logger }) =>
  staffAnswerRoute(deps.log, LEDGER_CORRECTORS, AdjustmentRequest, (principal, input) => adjustBalance(deps, principal.username, { accountId: input.path.accountId, idempotencyKey: input.headers['idempotency-key'], ...input.body }));

export const handler = lazyHandler(() => createHandler(ledgerDeps()));
