/** PUT /staff/weather/{region}/{date} {forecastLowF, forecastHighF, heatIndexF?, heatAdvisory?, horizonHours?, source?} : 200 {weather} (billing, admin; audited). */
import { putWeather, type CollectionsInputDeps } from '../../shared/app/collections/inputs';
import type { Logger } from '../../shared/app/ports';
import { COLLECTIONS_OPERATORS, collectionsDeps } from '../../shared/adapters/collections-runtime';
import { staffRoute } from '../../shared/adapters/http';
import { lazyHandler } from '../../shared/adapters/runtime';
import { PutWeatherRequest } from '../../shared/schemas/collections';

export const createHandler = (deps: Pick<CollectionsInputDeps, 'collections' | 'clock' | 'newId'> & { log: Logger }) =>
  staffRoute(deps.log, COLLECTIONS_OPERATORS, PutWeatherRequest, 200, (principal, input) => putWeather(deps, principal.username, { region: input.path.region, day: input.path.date, ...input.body }));

export const handler = lazyHandler(() => createHandler(collectionsDeps()));
