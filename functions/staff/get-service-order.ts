/** GET /staff/service-orders/{orderId} : the order with its milestones (any staff role). */
import { getServiceOrder } from '../../shared/app/customers/service-orders';
import { customerDeps, type CustomerDeps } from '../../shared/adapters/customer-runtime';
import { staffRoute } from '../../shared/adapters/http';
import { lazyHandler } from '../../shared/adapters/runtime';
import { GetServiceOrderRequest } from '../../shared/schemas/customers';

export const createHandler = (deps: CustomerDeps) => staffRoute(deps.log, undefined, GetServiceOrderRequest, 200, (_principal, input) => getServiceOrder(deps, input.path.orderId));

export const handler = lazyHandler(() => createHandler(customerDeps()));
