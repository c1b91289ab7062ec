/** GET /portal/accounts/{accountId}/payments?limit=&cursor= : the payment history of one of the customer's own accounts, newest first. */
import { listMyPayments, type LedgerReadDeps } from '../../shared/app/payments/ledger-reads';
import type { Logger } from '../../shared/app/ports';
import { portalRoute } from '../../shared/adapters/http';
import { ledgerDeps } from '../../shared/adapters/payments-runtime';
import { lazyHandler } from '../../shared/adapters/runtime';
import { AccountPageRequest } from '../../shared/schemas/payments';

export const createHandler = (deps: LedgerReadDeps & { log: Logger }) => portalRoute(deps.log, AccountPageRequest, 200, (principal, input) => listMyPayments(deps, principal.customerId, input.path.accountId, input.query));

export const handler = lazyHandler(() => createHandler(ledgerDeps()));
