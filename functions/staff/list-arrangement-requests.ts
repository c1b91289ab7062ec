/** GET /staff/arrangement-requests?status=PENDING&limit=&cursor= : 200 {items, nextCursor} the requests waiting for a decision, oldest first (csr, billing, admin, auditor). */
import { listPendingArrangementRequests } from '../../shared/app/payments/arrangement-requests';
import type { LedgerStore } from '../../shared/app/payments/ports';
import type { Logger } from '../../shared/app/ports';
import { staffRoute } from '../../shared/adapters/http';
import { ARRANGEMENT_REQUEST_READERS, ledgerDeps } from '../../shared/adapters/payments-runtime';
import { lazyHandler } from '../../shared/adapters/runtime';
import { ListArrangementRequestsRequest } from '../../shared/schemas/payments';

export const createHandler = (deps: { ledger: Pick<LedgerStore, 'pagePendingArrangementRequests'>; log: Logger }) =>
  staffRoute(deps.log, ARRANGEMENT_REQUEST_READERS, ListArrangementRequestsRequest, 200, (_principal, input) => listPendingArrangementRequests(deps, input.query));

export const handler = lazyHandler(() => createHandler(ledgerDeps()));
