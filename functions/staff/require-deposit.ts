/** POST /staff/accounts/{accountId}/deposits {action: require|waive, amount?, reason} with an Idempotency-Key header : 201 {deposit} (csr, admin; audited). */
import { requireDeposit, type DepositDeps } from '../../shared/app/payments/deposits';
import type { Logger } from '../../shared/app/ports';
import { staffAnswerRoute } from '../../shared/adapters/http';
import { DEPOSIT_MAKERS, depositDeps } from '../../shared/adapters/payments-runtime';
import { lazyHandler } from '../../shared/adapters/runtime';
import { DepositRequest } from '../../shared/schemas/payments';

export const createHandler = (deps: DepositDeps & { log: Logger }) =>
  staffAnswerRoute(deps.log, DEPOSIT_MAKERS, DepositRequest, (principal, input) => requireDeposit(deps, principal.username, { accountId: input.path.accountId, idempotencyKey: input.headers['idempotency-key'], ...input.body }));

export const handler = lazyHandler(() => createHandler(depositDeps()));
