/** GET /staff/accounts/{accountId}/overview : the whole account on one screen (any staff role). */
import { getAccountOverview } from '../../shared/app/customers/overview';
import { customerDeps, type CustomerDeps } from '../../shared/adapters/customer-runtime';
import { staffRoute } from '../../shared/adapters/http';
import { lazyHandler } from '../../shared/adapters/runtime';
import { AccountOverviewRequest } from '../../shared/schemas/customers';

export const createHandler = (deps: CustomerDeps) => staffRoute(deps.log, undefined, AccountOverviewRequest, 200, (_principal, input) => getAccountOverview(deps, input.path.accountId));

export const handler = lazyHandler(() => createHandler(customerDeps()));
