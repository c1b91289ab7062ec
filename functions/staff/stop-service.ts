/** POST /staff/accounts/{accountId}/stop {endDate, serviceTypes?} : turn-off orders, agreements closed, final bill flag (csr, admin). */
import { stopService } from '../../shared/app/customers/lifecycle';
import { customerDeps, RECORD_WRITERS, type CustomerDeps } from '../../shared/adapters/customer-runtime';
import { staffRoute } from '../../shared/adapters/http';
import { lazyHandler } from '../../shared/adapters/runtime';
import { StopServiceRequest } from '../../shared/schemas/customers';

export const createHandler = (deps: CustomerDeps) => staffRoute(deps.log, RECORD_WRITERS, StopServiceRequest, 200, (principal, input) => stopService(deps, principal.username, input.path.accountId, input.body));

export const handler = lazyHandler(() => createHandler(customerDeps()));
