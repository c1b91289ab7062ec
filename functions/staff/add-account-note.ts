/** POST /staff/accounts/{accountId}/notes {kind: NOTE|INTERACTION, text, channel?, direction?, outcome?} : 201 (csr, billing, admin). */
import { addNote } from '../../shared/app/customers/notes';
import { customerDeps, NOTE_WRITERS, type CustomerDeps } from '../../shared/adapters/customer-runtime';
import { staffRoute } from '../../shared/adapters/http';
import { lazyHandler } from '../../shared/adapters/runtime';
import { AddNoteRequest } from '../../shared/schemas/customers';

export const createHandler = (deps: CustomerDeps) => staffRoute(deps.log, NOTE_WRITERS, AddNoteRequest, 201, (principal, input) => addNote(deps, principal.username, input.path.accountId, input.body));

export const handler = lazyHandler(() => createHandler(customerDeps()));
