/** GET /staff/search?q= : accounts by name, address, account number, meter number, phone or email (any staff role). */
import { searchAccounts } from '../../shared/app/customers/overview';
import { customerDeps, type CustomerDeps } from '../../shared/adapters/customer-runtime';
import { staffRoute } from '../../shared/adapters/http';
import { lazyHandler } from '../../shared/adapters/runtime';
import { SearchRequest } from '../../shared/schemas/customers';

export const createHandler = (deps: CustomerDeps) => staffRoute(deps.log, undefined, SearchRequest, 200, (_principal, input) => searchAccounts(deps, input.query.q));

export const handler = lazyHandler(() => createHandler(customerDeps()));
