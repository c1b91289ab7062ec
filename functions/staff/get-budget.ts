/** GET /staff/accounts/{accountId}/budget : the budget-billing plan (or null), the deferred balance, the balance and the true balance (any staff role). */
import { getBudget, type BudgetDeps } from '../../shared/app/payments/budget';
import type { Logger } from '../../shared/app/ports';
import { staffRoute } from '../../shared/adapters/http';
import { ledgerDeps } from '../../shared/adapters/payments-runtime';
import { lazyHandler } from '../../shared/adapters/runtime';
import { AccountReadRequest } from '../../shared/schemas/payments';

export const createHandler = (deps: BudgetDeps & { log: Logger }) => staffRoute(deps.log, undefined, AccountReadRequest, 200, (_principal, input) => getBudget(deps, input.path.accountId));

export const handler = lazyHandler(() => createHandler(ledgerDeps()));
