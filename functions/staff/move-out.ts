/** POST /staff/accounts/{accountId}/move-out {endDate, serviceTypes?, forwardingAddress?} : final read orders, final bill flag, landlord fallback (csr, admin). */
import { moveOut } from '../../shared/app/customers/lifecycle';
import { customerDeps, RECORD_WRITERS, type CustomerDeps } from '../../shared/adapters/customer-runtime';
import { staffRoute } from '../../shared/adapters/http';
import { lazyHandler } from '../../shared/adapters/runtime';
import { MoveOutRequest } from '../../shared/schemas/customers';

export const createHandler = (deps: CustomerDeps) => staffRoute(deps.log, RECORD_WRITERS, MoveOutRequest, 200, (principal, input) => moveOut(deps, principal.username, input.path.accountId, input.body));

export const handler = lazyHandler(() => createHandler(customerDeps()));
