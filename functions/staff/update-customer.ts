/** PATCH /staff/customers/{customerId} {name?, kind?, email?, phones?, billDelivery?, mailingAddress?, contacts?, notifications?} : the customer (csr, admin). */
import { updateCustomer } from '../../shared/app/customers/update-customer';
import { customerDeps, RECORD_WRITERS, type CustomerDeps } from '../../shared/adapters/customer-runtime';
import { staffRoute } from '../../shared/adapters/http';
import { lazyHandler } from '../../shared/adapters/runtime';
import { UpdateCustomerRequest } from '../../shared/schemas/customers';

export const createHandler = (deps: CustomerDeps) => staffRoute(deps.log, RECORD_WRITERS, UpdateCustomerRequest, 200, (principal, input) => updateCustomer(deps, principal.username, input.path.customerId, input.body));

export const handler = lazyHandler(() => createHandler(customerDeps()));
