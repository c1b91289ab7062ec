/** POST /staff/accounts/{accountId}/transfer-balance {toAccountId, consent?, reason?} with an Idempotency-Key header : 201 {transfer, entries} (csr, billing, admin; audited on both accounts). */
import { transferBalance, type TransferDeps } from '../../shared/app/payments/transfer-balance';
import type { Logger } from '../../shared/app/ports';
import { staffAnswerRoute } from '../../shared/adapters/http';
import { BALANCE_TRANSFERRERS, ledgerDeps } from '../../shared/adapters/payments-runtime';
import { lazyHandler } from '../../shared/adapters/runtime';
import { TransferBalanceRequest } from '../../shared/schemas/payments';

export const createHandler = (deps: TransferDeps & { log: Logger }) =>
  staffAnswerRoute(deps.log, BALANCE_TRANSFERRERS, TransferBalanceRequest, (principal, input) => transferBalance(deps, principal.username, { accountId: input.path.accountId, idempotencyKey: input.headers['idempotency-key'], ...input.body }));

export const handler = lazyHandler(() => createHandler(ledgerDeps()));
