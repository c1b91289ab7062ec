/** PUT /staff/accounts/{accountId}/collections-profile {incomePercentOfFpl?, lifeSupport?, weatherRegion?} : 200 {profile} (csr, admin; audited). */
import { putCollectionsProfile, type CollectionsInputDeps } from '../../shared/app/collections/inputs';
import type { Logger } from '../../shared/app/ports';
import { COLLECTIONS_RECORDERS, collectionsDeps } from '../../shared/adapters/collections-runtime';
import { staffRoute } from '../../shared/adapters/http';
import { lazyHandler } from '../../shared/adapters/runtime';
import { PutCollectionsProfileRequest } from '../../shared/schemas/collections';

export const createHandler = (deps: CollectionsInputDeps & { log: Logger }) =>
  staffRoute(deps.log, COLLECTIONS_RECORDERS, PutCollectionsProfileRequest, 200, (principal, input) => putCollectionsProfile(deps, principal.username, { accountId: input.path.accountId, ...input.body }));

export const handler = lazyHandler(() => createHandler(collectionsDeps()));
