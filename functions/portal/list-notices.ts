/** GET /portal/accounts/{accountId}/notices : the collection notices of one of the customer's own accounts, newest first. */
import { listMyNotices, type CollectionsInputDeps } from '../../shared/app/collections/inputs';
import type { Logger } from '../../shared/app/ports';
import { collectionsDeps } from '../../shared/adapters/collections-runtime';
import { portalRoute } from '../../shared/adapters/http';
import { lazyHandler } from '../../shared/adapters/runtime';
import { AccountOnlyRequest } from '../../shared/schemas/collections';

export const createHandler = (deps: Pick<CollectionsInputDeps, 'collections' | 'accounts'> & { log: Logger }) => portalRoute(deps.log, AccountOnlyRequest, 200, (principal, input) => listMyNotices(deps, principal.customerId, input.path.accountId));

export const handler = lazyHandler(() => createHandler(collectionsDeps()));
