/** GET /staff/payment-suspense?status=OPEN|APPLIED&limit&cursor : credits of imported files that named no known account (any staff role). */
import { listSuspense, type SuspenseDeps } from '../../shared/app/payments/suspense';
import type { Logger } from '../../shared/app/ports';
import { staffRoute } from '../../shared/adapters/http';
import { bankDeps } from '../../shared/adapters/payments-runtime';
import { lazyHandler } from '../../shared/adapters/runtime';
import { ANY_STAFF } from '../../shared/domain/identity';
import { ListSuspenseRequest } from '../../shared/schemas/bank';

export const createHandler = (deps: Pick<SuspenseDeps, 'files'> & { log: Logger }) => staffRoute(deps.log, ANY_STAFF, ListSuspenseRequest, 200, (_principal, input) => listSuspense(deps, input.query));

export const handler = lazyHandler(() => createHandler(bankDeps()));
