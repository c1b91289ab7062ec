/**
 * PUT /staff/tariffs/{tariffId} (admin): stores a tariff document (cis-tariff/1, or an OpenEI
 * URDB rate with ?timeZone=) : 200 {tariffId, created, changed, revision, versions, added, closed?}.
 * A stored tariff only gains new versions; editing history answers 409.
 */
import { loadTariff, tariffFromRequest, type LoadTariffDeps } from '../../shared/app/load-tariff';
import type { Logger } from '../../shared/app/ports';
import { staffRoute } from '../../shared/adapters/http';
import { lazyHandler, tableDeps } from '../../shared/adapters/runtime';
import { PutTariffRequest } from '../../shared/schemas/staff';

export function createHandler(deps: LoadTariffDeps & { log: Logger }) {
  return staffRoute(deps.log, ['admin'], PutTariffRequest, 200, (principal, input) => loadTariff(deps, tariffFromRequest(input.path.tariffId, input.body, input.query), principal.username));
}

export const handler = lazyHandler(() => createHandler(tableDeps()));
