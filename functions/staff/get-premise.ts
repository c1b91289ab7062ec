/** GET /staff/premises/{premiseId} : the premise, its service points with meters and current holders, and its accounts (any staff role). */
import { getPremise } from '../../shared/app/customers/overview';
import { customerDeps, type CustomerDeps } from '../../shared/adapters/customer-runtime';
import { staffRoute } from '../../shared/adapters/http';
import { lazyHandler } from '../../shared/adapters/runtime';
import { GetPremiseRequest } from '../../shared/schemas/customers';

export const createHandler = (deps: CustomerDeps) => staffRoute(deps.log, undefined, GetPremiseRequest, 200, (_principal, input) => getPremise(deps, input.path.premiseId));

export const handler = lazyHandler(() => createHandler(customerDeps()));
