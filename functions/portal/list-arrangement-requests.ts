/** GET /portal/accounts/{accountId}/arrangement-requests : 200 {accountId, items} the account's payment arrangement requests, newest first (the customer's own accounts). */
import { listMyArrangementRequests } from '../../shared/app/payments/arrangement-requests';
import type { ArrangementReadDeps } from '../../shared/app/payments/arrangements';
import type { LedgerStore } from '../../shared/app/payments/ports';
import type { Logger } from '../../shared/app/ports';
import { portalRoute } from '../../shared/adapters/http';
import { ledgerDeps } from '../../shared/adapters/payments-runtime';
import { lazyHandler } from '../../shared/adapters/runtime';
import { AccountReadRequest } from '../../shared/schemas/payments';

export const createHandler = (deps: ArrangementReadDeps & { ledger: Pick<LedgerStore, 'listArrangementRequests'>; log: Logger }) =>
  portalRoute(deps.log, AccountReadRequest, 200, (principal, input) => listMyArrangementRequests(deps, principal.customerId, input.path.accountId));

export const handler = lazyHandler(() => createHandler(ledgerDeps()));
