/** GET /portal/preferences : 200 {customerId, name, email, phones, billDelivery, paperless, mailingAddress, notifications} of the signed-in customer. */
import { getMyPreferences } from '../../shared/app/customers/update-customer';
import { customerDeps, type CustomerDeps } from '../../shared/adapters/customer-runtime';
import { portalRoute } from '../../shared/adapters/http';
import { lazyHandler } from '../../shared/adapters/runtime';
import { MyPreferencesRequest } from '../../shared/schemas/customers';

export const createHandler = (deps: CustomerDeps) => portalRoute(deps.log, MyPreferencesRequest, 200, (principal) => getMyPreferences(deps, principal.customerId));

export const handler = lazyHandler(() => createHandler(customerDeps()));
