/** POST /staff/accounts/{accountId}/reopen {startDate, services?} : a final account takes service again (csr, admin). */
import { reopenAccount } from '../../shared/app/customers/lifecycle';
import { customerDeps, RECORD_WRITERS, type CustomerDeps } from '../../shared/adapters/customer-runtime';
import { staffRoute } from '../../shared/adapters/http';
import { lazyHandler } from '../../shared/adapters/runtime';
import { ReopenAccountRequest } from '../../shared/schemas/customers';

export const createHandler = (deps: CustomerDeps) => staffRoute(deps.log, RECORD_WRITERS, ReopenAccountRequest, 200, (principal, input) => reopenAccount(deps, principal.username, input.path.accountId, input.body));

export const handler = lazyHandler(() => createHandler(customerDeps()));
