/** POST /staff/service-orders/{orderId}/transitions {action: schedule|dispatch|complete|cancel, ...} : completing posts the read or the meter exchange (csr, admin). */
import { transitionServiceOrder } from '../../shared/app/customers/service-orders';
import { customerDeps, RECORD_WRITERS, type CustomerDeps } from '../../shared/adapters/customer-runtime';
import { staffRoute } from '../../shared/adapters/http';
import { lazyHandler } from '../../shared/adapters/runtime';
import { TransitionServiceOrderRequest } from '../../shared/schemas/customers';

export const createHandler = (deps: CustomerDeps) =>
  staffRoute(deps.log, RECORD_WRITERS, TransitionServiceOrderRequest, 200, (principal, { path, body }) => {
    const { action, scheduledFor, reason, ...completion } = body;
    const hasCompletion = Object.values(completion).some((value) => value !== undefined);
    return transitionServiceOrder(deps, principal.username, path.orderId, { action, scheduledFor, reason, ...(hasCompletion ? { completion: Object.fromEntries(Object.entries(completion).filter(([, v]) => v !== undefined)) } : {}) });
  });

export const handler = lazyHandler(() => createHandler(customerDeps()));
