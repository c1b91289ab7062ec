/** POST /staff/premises {address, premiseType, serviceTypes, ownerAccountId?} : 201 the premise and its service points (csr, admin). */
import { createPremise } from '../../shared/app/customers/lifecycle';
import { customerDeps, RECORD_WRITERS, type CustomerDeps } from '../../shared/adapters/customer-runtime';
import { staffRoute } from '../../shared/adapters/http';
import { lazyHandler } from '../../shared/adapters/runtime';
import { CreatePremiseRequest } from '../../shared/schemas/customers';

export const createHandler = (deps: CustomerDeps) => staffRoute(deps.log, RECORD_WRITERS, CreatePremiseRequest, 201, (principal, input) => createPremise(deps, principal.username, input.body));

export const handler = lazyHandler(() => createHandler(customerDeps()));
