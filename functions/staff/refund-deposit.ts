/** POST /staff/accounts/{accountId}/deposits/{depositId}/refund {reason, force?, remainder?} with an Idempotency-Key header : 200 {deposit, entries} (csr, billing, admin; audited). */
import { refundDeposit, type DepositDeps } from '../../shared/app/payments/deposits';
import type { Logger } from '../../shared/app/ports';
import { staffAnswerRoute } from '../../shared/adapters/http';
import { DEPOSIT_REFUNDERS, depositDeps } from '../../shared/adapters/payments-runtime';
import { lazyHandler } from '../../shared/adapters/runtime';
import { DepositRefundRequest } from '../../shared/schemas/payments';

export const createHandler = (deps: DepositDeps & { log: Logger }) =>
  staffAnswerRoute(deps.log, DEPOSIT_REFUNDERS, DepositRefundRequest, (principal, input) =>
    refundDeposit(deps, principal.username, { accountId: input.path.accountId, depositId: input.path.depositId, idempotencyKey: input.headers['idempotency-key'], ...input.body }),
  );

export const handler = lazyHandler(() => createHandler(depositDeps()));
