/** POST /staff/accounts/{accountId}/late-fees {asOf?} with an Idempotency-Key header : 200 {posted, alreadyAssessed, skipped} (billing, admin; each fee audited). */
import { assessLateFeesRequest, type LateFeeDeps } from '../../shared/app/payments/late-fees';
import type { Logger } from '../../shared/app/ports';
import { staffAnswerRoute } from '../../shared/adapters/http';
import { LEDGER_CORRECTORS, lateFeeDeps } from '../../shared/adapters/payments-runtime';
import { lazyHandler } from '../../shared/adapters/runtime';
import { LateFeesRequest } from '../../shared/schemas/payments';

export const createHandler = (deps: LateFeeDeps & { log: Logger }) =>
  staffAnswerRoute(deps.log, LEDGER_CORRECTORS, LateFeesRequest, (principal, input) => assessLateFeesRequest(deps, principal.username, { accountId: input.path.accountId, idempotencyKey: input.headers['idempotency-key'], asOf: input.body?.asOf }));

export const handler = lazyHandler(() => createHandler(lateFeeDeps()));
