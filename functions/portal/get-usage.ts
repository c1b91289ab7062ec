/** GET /portal/accounts/{accountId}/usage?from=&to=&interval=hour|day|month : usage chart data and high-usage alerts of one of the customer's own accounts. */
import { getUsage, type GetUsageDeps } from '../../shared/app/get-usage';
import type { Logger } from '../../shared/app/ports';
import type { UsageAlertReader } from '../../shared/app/read-ports';
import { portalRoute } from '../../shared/adapters/http';
import { DynamoReadExceptionStore } from '../../shared/adapters/read-exception-store';
import { lazyHandler, tableDeps } from '../../shared/adapters/runtime';
import { GetUsageRequest } from '../../shared/schemas/portal';

export function createHandler(deps: GetUsageDeps & { alerts: UsageAlertReader; log: Logger }) {
  return portalRoute(deps.log, GetUsageRequest, 200, (principal, input) => getUsage(deps, principal.customerId, input.path.accountId, input.query));
}

export const handler = lazyHandler(() => {
  const deps = tableDeps();
  return createHandler({ ...deps, alerts: new DynamoReadExceptionStore(deps.documentClient, deps.tableName) });
});
