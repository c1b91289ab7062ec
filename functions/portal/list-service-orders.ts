/** GET /portal/accounts/{accountId}/service-orders : the customer's orders on their own account with milestones. */
import { listMyServiceOrders } from '../../shared/app/customers/service-orders';
import { customerDeps, type CustomerDeps } from '../../shared/adapters/customer-runtime';
import { portalRoute } from '../../shared/adapters/http';
import { lazyHandler } from '../../shared/adapters/runtime';
import { ListMyServiceOrdersRequest } from '../../shared/schemas/customers';

export const createHandler = (deps: CustomerDeps) => portalRoute(deps.log, ListMyServiceOrdersRequest, 200, (principal, input) => listMyServiceOrders(deps, principal.customerId, input.path.accountId));

export const handler = lazyHandler(() => createHandler(customerDeps()));
