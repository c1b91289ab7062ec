/** POST /staff/meters {meterId, serviceType, unit, meterType, size, dials, multiplier} : 201 a meter in stock (admin). */
import { registerMeter } from '../../shared/app/customers/lifecycle';
import { customerDeps, type CustomerDeps } from '../../shared/adapters/customer-runtime';
import { staffRoute } from '../../shared/adapters/http';
import { lazyHandler } from '../../shared/adapters/runtime';
import { RegisterMeterRequest } from '../../shared/schemas/customers';

export const createHandler = (deps: CustomerDeps) => staffRoute(deps.log, ['admin'], RegisterMeterRequest, 201, (principal, input) => registerMeter(deps, principal.username, input.body));

export const handler = lazyHandler(() => createHandler(customerDeps()));
