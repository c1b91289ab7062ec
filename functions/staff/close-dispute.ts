/** POST /staff/accounts/{accountId}/disputes/{disputeId}/close {resolution} : 200 {dispute} (csr, billing, admin; audited). */
import { closeDispute, type DisputeDeps } from '../../shared/app/payments/disputes';
import type { Logger } from '../../shared/app/ports';
import { staffRoute } from '../../shared/adapters/http';
import { ARRANGEMENT_MAKERS, ledgerDeps } from '../../shared/adapters/payments-runtime';
import { lazyHandler } from '../../shared/adapters/runtime';
import { CloseDisputeRequest } from '../../shared/schemas/payments';

export const createHandler = (deps: DisputeDeps & { log: Logger }) =>
  staffRoute(deps.log, ARRANGEMENT_MAKERS, CloseDisputeRequest, 200, (principal, input) => closeDispute(deps, principal.username, { ...input.path, resolution: input.body.resolution }));

export const handler = lazyHandler(() => createHandler(ledgerDeps()));
