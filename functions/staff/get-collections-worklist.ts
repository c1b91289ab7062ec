/** GET /staff/collections/worklist?runDate&limit&cursor : the accounts of a run day with a notice, an order or a block, and the rules that blocked (any staff role). */
import { collectionsWorklist, type CollectionsInputDeps } from '../../shared/app/collections/inputs';
import type { Logger } from '../../shared/app/ports';
import { collectionsDeps } from '../../shared/adapters/collections-runtime';
import { staffRoute } from '../../shared/adapters/http';
import { lazyHandler } from '../../shared/adapters/runtime';
import { WorklistRequest } from '../../shared/schemas/collections';

export const createHandler = (deps: Pick<CollectionsInputDeps, 'collections' | 'clock' | 'timeZone'> & { log: Logger }) => staffRoute(deps.log, undefined, WorklistRequest, 200, (_principal, input) => collectionsWorklist(deps, input.query));

export const handler = lazyHandler(() => createHandler(collectionsDeps()));
