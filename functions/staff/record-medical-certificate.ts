/** POST /staff/accounts/{accountId}/medical-certificates {certifiedBy, receivedOn?, days?, note?} : 201 {certificate} (csr, admin; audited; renewals counted). */
import { recordMedicalCertificate, type CollectionsInputDeps } from '../../shared/app/collections/inputs';
import type { Logger } from '../../shared/app/ports';
import { COLLECTIONS_RECORDERS, collectionsDeps } from '../../shared/adapters/collections-runtime';
import { staffRoute } from '../../shared/adapters/http';
import { lazyHandler } from '../../shared/adapters/runtime';
import { RecordMedicalCertificateRequest } from '../../shared/schemas/collections';

export const createHandler = (deps: CollectionsInputDeps & { log: Logger }) =>
  staffRoute(deps.log, COLLECTIONS_RECORDERS, RecordMedicalCertificateRequest, 201, (principal, input) => recordMedicalCertificate(deps, principal.username, { accountId: input.path.accountId, ...input.body }));

export const handler = lazyHandler(() => createHandler(collectionsDeps()));
