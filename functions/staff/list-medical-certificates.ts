/** GET /staff/accounts/{accountId}/medical-certificates : the account's certificates, newest first, with inForce (any staff role). */
import { listMedicalCertificates, type CollectionsInputDeps } from '../../shared/app/collections/inputs';
import type { Logger } from '../../shared/app/ports';
import { collectionsDeps } from '../../shared/adapters/collections-runtime';
import { staffRoute } from '../../shared/adapters/http';
import { lazyHandler } from '../../shared/adapters/runtime';
import { AccountOnlyRequest } from '../../shared/schemas/collections';

export const createHandler = (deps: CollectionsInputDeps & { log: Logger }) => staffRoute(deps.log, undefined, AccountOnlyRequest, 200, (_principal, input) => listMedicalCertificates(deps, input.path.accountId));

export const handler = lazyHandler(() => createHandler(collectionsDeps()));
