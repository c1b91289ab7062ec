/** GET /portal/accounts/{accountId}/budget : the budget-billing plan of one of the customer's own accounts, with the deferred balance. */
import { getMyBudget, type BudgetDeps } from '../../shared/app/payments/budget';
import type { Logger } from '../../shared/app/ports';
import { portalRoute } from '../../shared/adapters/http';
import { ledgerDeps } from '../../shared/adapters/payments-runtime';
import { lazyHandler } from '../../shared/adapters/runtime';
import { AccountReadRequest } from '../../shared/schemas/payments';

export const createHandler = (deps: BudgetDeps & { log: Logger }) => portalRoute(deps.log, AccountReadRequest, 200, (principal, input) => getMyBudget(deps, principal.customerId, input.path.accountId));

export const handler = lazyHandler(() => createHandler(ledgerDeps()));
