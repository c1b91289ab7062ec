/** POST /staff/adjustment-requests/{accountId}/{requestId}/decision {decision: approve|reject, reason} : approval posts the adjustment (billing, admin within the limit; admin above it; never the requester); audited. */
import { decideAdjustment, type AdjustDeps } from '../../shared/app/payments/adjust-ledger';
import type { Logger } from '../../shared/app/ports';
import { staffRoute } from '../../shared/adapters/http';
import { LEDGER_CORRECTORS, adjustmentDeps } from '../../shared/adapters/payments-runtime';
import { lazyHandler } from '../../shared/adapters/runtime';
import { AdjustmentDecisionRequest } from '../../shared/schemas/payments';

export const createHandler = (deps: AdjustDeps & { log: Logger }) =>
  staffRoute(deps.log, LEDGER_CORRECTORS, AdjustmentDecisionRequest, 200, (principal, { path, body }) => decideAdjustment(deps, principal, { ...path, ...body }));

export const handler = lazyHandler(() => createHandler(adjustmentDeps()));
