/** POST /staff/accounts/{accountId}/ledger/{entryId}/reversal {reason} : 201 {reversal} for a fee, adjustment, refund, transfer or opening balance (billing, admin; audited). */
import { reverseEntry, type AdjustDeps } from '../../shared/app/payments/adjust-ledger';
import type { Logger } from '../../shared/app/ports';
import { staffRoute } from '../../shared/adapters/http';
import { LEDGER_CORRECTORS, ledgerDeps } from '../../shared/adapters/payments-runtime';
import { lazyHandler } from '../../shared/adapters/runtime';
import { ReversalRequest } from '../../shared/schemas/payments';

export const createHandler = (deps: AdjustDeps & { log: Logger }) =>
  staffRoute(deps.log, LEDGER_CORRECTORS, ReversalRequest, 201, (principal, input) => reverseEntry(deps, principal.username, { accountId: input.path.accountId, entryId: input.path.entryId, reason: input.body.reason }));

export const handler = lazyHandler(() => createHandler(ledgerDeps()));
