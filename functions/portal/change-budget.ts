/** POST /portal/accounts/{accountId}/budget {action: enroll|unenroll} : the customer enrolls one of their accounts (amount from its bills) or ends budget billing (true-up). */
import { changeMyBudget, type BudgetDeps } from '../../shared/app/payments/budget';
import type { Logger } from '../../shared/app/ports';
import { portalRoute } from '../../shared/adapters/http';
import { ledgerDeps } from '../../shared/adapters/payments-runtime';
import { lazyHandler } from '../../shared/adapters/runtime';
import { PortalBudgetRequest } from '../../shared/schemas/payments';

export const createHandler = (deps: BudgetDeps & { log: Logger }) => portalRoute(deps.log, PortalBudgetRequest, 200, (principal, input) => changeMyBudget(deps, principal.customerId, input.path.accountId, input.body.action));

export const handler = lazyHandler(() => createHandler(ledgerDeps()));
