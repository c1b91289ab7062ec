/** GET /staff/accounts/{accountId}/collections?limit : every evaluation with all rule results, notices, certificates, the open disconnection (any staff role, auditors included). */
import { accountCollections, type CollectionsInputDeps } from '../../shared/app/collections/inputs';
import type { Logger } from '../../shared/app/ports';
import { collectionsDeps } from '../../shared/adapters/collections-runtime';
import { staffRoute } from '../../shared/adapters/http';
import { lazyHandler } from '../../shared/adapters/runtime';
import { AccountCollectionsRequest } from '../../shared/schemas/collections';

export const createHandler = (deps: CollectionsInputDeps & { log: Logger }) => staffRoute(deps.log, undefined, AccountCollectionsRequest, 200, (_principal, input) => accountCollections(deps, input.path.accountId, input.query.limit));

export const handler = lazyHandler(() => createHandler(collectionsDeps()));
