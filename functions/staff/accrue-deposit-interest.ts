/** POST /staff/deposits/interest {asOf, refundEligible?, limit?, cursor?} : 200 {posted, alreadyAccrued, dueForRefund, refunded, nextCursor} (billing, admin; idempotent per deposit and month). */
import { accrueDepositInterest, type DepositDeps } from '../../shared/app/payments/deposits';
import type { Logger } from '../../shared/app/ports';
import { staffRoute } from '../../shared/adapters/http';
import { depositDeps, LEDGER_CORRECTORS } from '../../shared/adapters/payments-runtime';
import { lazyHandler } from '../../shared/adapters/runtime';
import { DepositInterestRequest } from '../../shared/schemas/payments';

export const createHandler = (deps: DepositDeps & { log: Logger }) => staffRoute(deps.log, LEDGER_CORRECTORS, DepositInterestRequest, 200, (principal, input) => accrueDepositInterest(deps, principal.username, input.body));

export const handler = lazyHandler(() => createHandler(depositDeps()));
