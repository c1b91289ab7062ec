/**
 * PATCH /portal/preferences {billDelivery?, email?, phones?, mailingAddress?, notifications?} : the
 * signed-in customer's contact data, bill delivery (paper, email, portal) and notification channels
 * per topic (EMAIL needs an email, SMS a phone: 422 otherwise); answers the preferences in force.
 */
import { preferencesOf, updateCustomer } from '../../shared/app/customers/update-customer';
import { customerDeps, type CustomerDeps } from '../../shared/adapters/customer-runtime';
import { portalRoute } from '../../shared/adapters/http';
import { lazyHandler } from '../../shared/adapters/runtime';
import { UpdateMyPreferencesRequest } from '../../shared/schemas/customers';

export const createHandler = (deps: CustomerDeps) =>
  portalRoute(deps.log, UpdateMyPreferencesRequest, 200, async (principal, input) => preferencesOf(await updateCustomer(deps, `portal:${principal.customerId}`, principal.customerId, input.body)));

export const handler = lazyHandler(() => createHandler(customerDeps()));
