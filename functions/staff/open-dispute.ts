/** POST /staff/accounts/{accountId}/disputes {entryIds, amount?, reason} : 201 {dispute} (csr, billing, admin; audited). */
import { openDispute, type DisputeDeps } from '../../shared/app/payments/disputes';
import type { Logger } from '../../shared/app/ports';
import { staffRoute } from '../../shared/adapters/http';
import { ARRANGEMENT_MAKERS, ledgerDeps } from '../../shared/adapters/payments-runtime';
import { lazyHandler } from '../../shared/adapters/runtime';
import { OpenDisputeRequest } from '../../shared/schemas/payments';

export const createHandler = (deps: DisputeDeps & { log: Logger }) =>
  staffRoute(deps.log, ARRANGEMENT_MAKERS, OpenDisputeRequest, 201, (principal, input) => openDispute(deps, principal.username, { accountId: input.path.accountId, ...input.body }));

export const handler = lazyHandler(() => createHandler(ledgerDeps()));
