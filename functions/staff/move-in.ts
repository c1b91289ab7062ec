/** POST /staff/move-ins : application and activation in one transaction (csr, admin). */
import { moveIn } from '../../shared/app/customers/lifecycle';
import { customerDeps, RECORD_WRITERS, type CustomerDeps } from '../../shared/adapters/customer-runtime';
import { staffRoute } from '../../shared/adapters/http';
import { lazyHandler } from '../../shared/adapters/runtime';
import { MoveInRequest } from '../../shared/schemas/customers';

export const createHandler = (deps: CustomerDeps) => staffRoute(deps.log, RECORD_WRITERS, MoveInRequest, 201, (principal, input) => moveIn(deps, principal.username, input.body));

export const handler = lazyHandler(() => createHandler(customerDeps()));
