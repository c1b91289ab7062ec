/** GET /staff/service-orders?status=CREATED|SCHEDULED|DISPATCHED|COMPLETED|CANCELLED&limit&cursor : the orders in that state, latest change first (any staff role). */
import { listServiceOrders } from '../../shared/app/customers/service-orders';
import { customerDeps, type CustomerDeps } from '../../shared/adapters/customer-runtime';
import { staffRoute } from '../../shared/adapters/http';
import { lazyHandler } from '../../shared/adapters/runtime';
import { ListServiceOrdersRequest } from '../../shared/schemas/customers';

export const createHandler = (deps: Pick<CustomerDeps, 'records' | 'log'>) => staffRoute(deps.log, undefined, ListServiceOrdersRequest, 200, (_principal, { query }) => listServiceOrders(deps, query));

export const handler = lazyHandler(() => createHandler(customerDeps()));
