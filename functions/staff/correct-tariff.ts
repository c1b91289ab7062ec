/**
 * POST /staff/tariffs/{tariffId}/corrections {"reason", "tariff"} (admin): corrects the charges of
 * stored versions (same versions and dates) : 200 {tariffId, revision, corrected}; 409 when the
 * document adds, drops or moves versions; audited. Issued bills change only when rebilled.
 */
import { correctTariff, tariffFromRequest, type LoadTariffDeps } from '../../shared/app/load-tariff';
import type { Logger } from '../../shared/app/ports';
import { staffRoute } from '../../shared/adapters/http';
import { lazyHandler, tableDeps } from '../../shared/adapters/runtime';
import { CorrectTariffRequest } from '../../shared/schemas/staff';

export function createHandler(deps: LoadTariffDeps & { log: Logger }) {
  return staffRoute(deps.log, ['admin'], CorrectTariffRequest, 200, (principal, input) => correctTariff(deps, tariffFromRequest(input.path.tariffId, input.body.tariff), input.body.reason, principal.username));
}

export const handler = lazyHandler(() => createHandler(tableDeps()));
