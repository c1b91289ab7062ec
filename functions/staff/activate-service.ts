/** POST /staff/accounts/{accountId}/activation {startDate, services?} : meters, tariffs, cycle, deposit decision, turn-on orders (csr, admin). */
import { activateService } from '../../shared/app/customers/lifecycle';
import { customerDeps, RECORD_WRITERS, type CustomerDeps } from '../../shared/adapters/customer-runtime';
import { staffRoute } from '../../shared/adapters/http';
import { lazyHandler } from '../../shared/adapters/runtime';
import { ActivateServiceRequest } from '../../shared/schemas/customers';

export const createHandler = (deps: CustomerDeps) => staffRoute(deps.log, RECORD_WRITERS, ActivateServiceRequest, 200, (principal, input) => activateService(deps, principal.username, input.path.accountId, input.body));

export const handler = lazyHandler(() => createHandler(customerDeps()));
