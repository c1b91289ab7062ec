/** Staff notes and the interaction log of an account (a CSR's call recorded with its outcome). */
import type { Channel, Note, NoteKind } from '../../domain/customers/model';
import { Session, type SessionDeps } from './session';

export interface NoteInput {
  kind: NoteKind;
  text: string;
  channel?: Channel | undefined;
  direction?: 'INBOUND' | 'OUTBOUND' | undefined;
  outcome?: string | undefined;
}

export async function addNote(deps: SessionDeps, actor: string, accountId: string, input: NoteInput): Promise<Note> {
  const session = new Session(deps, actor);
  await session.mustAccount(accountId);
  const note: Note = {
    noteId: session.newId('N'),
    accountId,
    kind: input.kind,
    text: input.text,
    ...(input.channel ? { channel: input.channel } : {}),
    ...(input.direction ? { direction: input.direction } : {}),
    ...(input.outcome ? { outcome: input.outcome } : {}),
    at: session.at,
    by: actor,
  };
  session.put('note', note);
  session.audit('ACCOUNT', accountId, input.kind === 'INTERACTION' ? 'interaction.logged' : 'note.added', { noteId: note.noteId, ...(input.channel ? { channel: input.channel } : {}), ...(input.outcome ? { outcome: input.outcome } : {}) });
  await session.commit();
  return note;
}
