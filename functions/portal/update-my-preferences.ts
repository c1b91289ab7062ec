/** PATCH /portal/preferences {billDelivery?, email?, phones?, mailingAddress?} : the signed-in customer's contact data and bill delivery (paper, email, portal). */
import { updateCustomer } from '../../shared/app/customers/update-customer';
import { customerDeps, type CustomerDeps } from '../../shared/adapters/customer-runtime';
import { portalRoute } from '../../shared/adapters/http';
import { lazyHandler } from '../../shared/adapters/runtime';
import { UpdateMyPreferencesRequest } from '../../shared/schemas/customers';

export const createHandler = (deps: CustomerDeps) =>
  portalRoute(deps.log, UpdateMyPreferencesRequest, 200, async (principal, input) => {
    const customer = await updateCustomer(deps, `portal:${principal.customerId}`, principal.customerId, input.body);
    return { customerId: customer.customerId, name: customer.name, email: customer.email ?? null, phones: customer.phones, billDelivery: customer.billDelivery, mailingAddress: customer.mailingAddress ?? null };
  });

export const handler = lazyHandler(() => createHandler(customerDeps()));
