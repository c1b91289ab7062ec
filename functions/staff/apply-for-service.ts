/** POST /staff/service-applications : 201 a pending account with pending agreements (address verified, duplicate checked; csr, admin). */
import { applyForService } from '../../shared/app/customers/lifecycle';
import { customerDeps, RECORD_WRITERS, type CustomerDeps } from '../../shared/adapters/customer-runtime';
import { staffRoute } from '../../shared/adapters/http';
import { lazyHandler } from '../../shared/adapters/runtime';
import { ServiceApplicationRequest } from '../../shared/schemas/customers';

export const createHandler = (deps: CustomerDeps) => staffRoute(deps.log, RECORD_WRITERS, ServiceApplicationRequest, 201, (principal, input) => applyForService(deps, principal.username, input.body));

export const handler = lazyHandler(() => createHandler(customerDeps()));
