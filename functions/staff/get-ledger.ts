/** GET /staff/accounts/{accountId}/ledger?limit=&cursor= : the account's ledger entries newest first, with its balance and aging (any staff role). */
import { getLedger, type LedgerReadDeps } from '../../shared/app/payments/ledger-reads';
import type { Logger } from '../../shared/app/ports';
import { staffRoute } from '../../shared/adapters/http';
import { ledgerDeps } from '../../shared/adapters/payments-runtime';
import { lazyHandler } from '../../shared/adapters/runtime';
import { AccountPageRequest } from '../../shared/schemas/payments';

export const createHandler = (deps: LedgerReadDeps & { log: Logger }) => staffRoute(deps.log, undefined, AccountPageRequest, 200, (_principal, input) => getLedger(deps, input.path.accountId, input.query));

export const handler = lazyHandler(() => createHandler(ledgerDeps()));
