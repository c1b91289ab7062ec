/** GET /portal/accounts/{accountId}/balance : balance, per service and aging of one of the customer's own accounts. */
import { getMyBalance, type LedgerReadDeps } from '../../shared/app/payments/ledger-reads';
import type { Logger } from '../../shared/app/ports';
import { portalRoute } from '../../shared/adapters/http';
import { ledgerDeps } from '../../shared/adapters/payments-runtime';
import { lazyHandler } from '../../shared/adapters/runtime';
import { AccountReadRequest } from '../../shared/schemas/payments';

export const createHandler = (deps: LedgerReadDeps & { log: Logger }) => portalRoute(deps.log, AccountReadRequest, 200, (principal, input) => getMyBalance(deps, principal.customerId, input.path.accountId));

export const handler = lazyHandler(() => createHandler(ledgerDeps()));
