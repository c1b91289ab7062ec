/** POST /staff/accounts/{accountId}/transfer {date, toPremiseId | toAddress, services?} : service moves to another premise on one account (csr, admin). */
import { transferService } from '../../shared/app/customers/lifecycle';
import { customerDeps, RECORD_WRITERS, type CustomerDeps } from '../../shared/adapters/customer-runtime';
import { staffRoute } from '../../shared/adapters/http';
import { lazyHandler } from '../../shared/adapters/runtime';
import { TransferServiceRequest } from '../../shared/schemas/customers';

export const createHandler = (deps: CustomerDeps) => staffRoute(deps.log, RECORD_WRITERS, TransferServiceRequest, 200, (principal, input) => transferService(deps, principal.username, input.path.accountId, input.body));

export const handler = lazyHandler(() => createHandler(customerDeps()));
