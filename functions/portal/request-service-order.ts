/** POST /portal/accounts/{accountId}/service-orders {type: RE_READ|LEAK_INVESTIGATION|HIGH_BILL_INVESTIGATION, serviceType?, description} : 201. */
import { requestServiceOrder } from '../../shared/app/customers/service-orders';
import { customerDeps, type CustomerDeps } from '../../shared/adapters/customer-runtime';
import { portalRoute } from '../../shared/adapters/http';
import { lazyHandler } from '../../shared/adapters/runtime';
import { RequestServiceOrderRequest } from '../../shared/schemas/customers';

export const createHandler = (deps: CustomerDeps) => portalRoute(deps.log, RequestServiceOrderRequest, 201, (principal, input) => requestServiceOrder(deps, principal.customerId, input.path.accountId, input.body));

export const handler = lazyHandler(() => createHandler(customerDeps()));
