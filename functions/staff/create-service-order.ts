/** POST /staff/service-orders {type, servicePointId, accountId?, scheduledFor?, description?} : 201 the order (csr, admin). */
import { createServiceOrder } from '../../shared/app/customers/service-orders';
import { customerDeps, RECORD_WRITERS, type CustomerDeps } from '../../shared/adapters/customer-runtime';
import { staffRoute } from '../../shared/adapters/http';
import { lazyHandler } from '../../shared/adapters/runtime';
import { CreateServiceOrderRequest } from '../../shared/schemas/customers';

export const createHandler = (deps: CustomerDeps) => staffRoute(deps.log, RECORD_WRITERS, CreateServiceOrderRequest, 201, (principal, input) => createServiceOrder(deps, principal.username, input.body));

export const handler = lazyHandler(() => createHandler(customerDeps()));
