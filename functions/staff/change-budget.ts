/** POST /staff/accounts/{accountId}/budget {action: enroll|unenroll, levelizedAmount?} : 200 the budget view (csr, billing, admin; audited; unenrolling trues up). */
import { enrollBudget, unenrollBudget, type BudgetDeps } from '../../shared/app/payments/budget';
import type { Logger } from '../../shared/app/ports';
import { staffRoute } from '../../shared/adapters/http';
import { BUDGET_MANAGERS, ledgerDeps } from '../../shared/adapters/payments-runtime';
import { lazyHandler } from '../../shared/adapters/runtime';
import { BudgetRequest } from '../../shared/schemas/payments';

export const createHandler = (deps: BudgetDeps & { log: Logger }) =>
  staffRoute(deps.log, BUDGET_MANAGERS, BudgetRequest, 200, (principal, input) =>
    input.body.action === 'enroll' ? enrollBudget(deps, principal.username, { accountId: input.path.accountId, levelizedAmount: input.body.levelizedAmount }) : unenrollBudget(deps, principal.username, { accountId: input.path.accountId }),
  );

export const handler = lazyHandler(() => createHandler(ledgerDeps()));
