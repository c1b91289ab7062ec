/** GET /staff/adjustment-requests?status=PENDING|APPROVED|REJECTED&limit&cursor : the adjustment requests with that status, oldest first, and the approval limit (any staff role). */
import { listAdjustmentRequests, type AdjustDeps } from '../../shared/app/payments/adjust-ledger';
import type { Logger } from '../../shared/app/ports';
import { staffRoute } from '../../shared/adapters/http';
import { adjustmentDeps } from '../../shared/adapters/payments-runtime';
import { lazyHandler } from '../../shared/adapters/runtime';
import { ListAdjustmentRequestsRequest } from '../../shared/schemas/payments';

export const createHandler = (deps: Pick<AdjustDeps, 'ledger' | 'approvalLimit'> & { log: Logger }) =>
  staffRoute(deps.log, undefined, ListAdjustmentRequestsRequest, 200, (_principal, { query }) => listAdjustmentRequests(deps, query));

export const handler = lazyHandler(() => createHandler(adjustmentDeps()));
