/**
 * The signed-in session of an app and its API client: a 401 from the API clears the session and
 * asks to sign in again; signing out clears it too.
 */
import { useMemo, useState } from 'react';
import { createApiClient } from './api';
import type { ApiClient } from './api';
import { authForBuild } from './auth';
import type { Session, SessionStore } from './auth';

export const SESSION_EXPIRED = 'Your session expired. Please sign in again.';
export const SIGNED_OUT = 'You are signed out.';

export interface AppSession {
  session: Session | undefined;
  /** What the sign-in screen says (session expired, signed out). */
  notice: string | undefined;
  api: ApiClient;
  signedIn(next: Session): void;
  signOut(): void;
}

export function useAppSession(store: SessionStore): AppSession {
  const [session, setSession] = useState<Session | undefined>(() => store.load());
  const [notice, setNotice] = useState<string | undefined>();
  const api = useMemo(
    () =>
      createApiClient({
        baseUrl: '',
        token: () => store.load()?.token,
        onSessionExpired: () => {
          store.clear();
          setSession(undefined);
          setNotice(SESSION_EXPIRED);
        },
      }),
    [store],
  );
  return {
    session,
    notice,
    api,
    signedIn: (next) => {
      store.save(next);
      setNotice(undefined);
      setSession(next);
    },
    signOut: () => {
      store.clear();
      setSession(undefined);
      setNotice(SIGNED_OUT);
      // A deployment's hosted UI keeps its own session: end it too (this leaves the page).
      authForBuild().signOut?.();
    },
  };
}
