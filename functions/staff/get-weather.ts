/** GET /staff/weather/{region}/{date} : the forecast on file (null when missing: collections then block) (any staff role). */
import { getWeather, type CollectionsInputDeps } from '../../shared/app/collections/inputs';
import type { Logger } from '../../shared/app/ports';
import { collectionsDeps } from '../../shared/adapters/collections-runtime';
import { staffRoute } from '../../shared/adapters/http';
import { lazyHandler } from '../../shared/adapters/runtime';
import { GetWeatherRequest } from '../../shared/schemas/collections';

export const createHandler = (deps: Pick<CollectionsInputDeps, 'collections'> & { log: Logger }) => staffRoute(deps.log, undefined, GetWeatherRequest, 200, (_principal, input) => getWeather(deps, input.path.region, input.path.date));

export const handler = lazyHandler(() => createHandler(collectionsDeps()));
