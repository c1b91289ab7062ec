/** POST /staff/collections-runs {runDate?} : 202 {runDate, executionArn, status} (billing, admin; audited). A rerun of a day creates nothing twice. */
import { startCollectionsRun } from '../../shared/app/collections/run';
import { COLLECTIONS_OPERATORS, startCollectionsDeps } from '../../shared/adapters/collections-runtime';
import { staffRoute } from '../../shared/adapters/http';
import { lazyHandler } from '../../shared/adapters/runtime';
import { StartCollectionsRunRequest } from '../../shared/schemas/collections';

export const createHandler = (deps: Parameters<typeof startCollectionsRun>[0]) =>
  staffRoute(deps.log, COLLECTIONS_OPERATORS, StartCollectionsRunRequest, 202, (principal, input) => startCollectionsRun(deps, principal.username, { runDate: input.body.runDate }));

export const handler = lazyHandler(() => createHandler(startCollectionsDeps()));
