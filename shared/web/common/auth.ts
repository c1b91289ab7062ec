/**
 * Sign-in behind a small adapter chosen by the app's `config.json` (shared/web/common/web-config.ts):
 * on the local platform the apps ask the gateway for a local token (`POST /local/sign-in`); in a
 * deployment they send the user to the Cognito hosted UI (authorization code with PKCE, by
 * oidc-client-ts) and come back with an ID token, whose `custom:customerId` (portal) or
 * `cognito:groups` (console) the API authorizes on. The session lives in sessionStorage (this tab
 * only) and is dropped when the API answers 401.
 */
import { UserManager, WebStorageStateStore } from 'oidc-client-ts';
import type { User } from 'oidc-client-ts';
import { LOCAL_WEB_CONFIG, parseWebConfig, WebConfigError } from './web-config';
import type { CognitoWebAuth, WebAppName, WebConfig } from './web-config';
import { SignInError, sessionOfUser } from './claims';
import type { Session, SignInRequest } from './claims';

export { SignInError, STAFF_ROLES, sessionOfUser } from './claims';
export type { Session, SignInRequest, StaffRole } from './claims';

export interface AuthAdapter {
  readonly kind: 'local' | 'cognito';
  /** Local: a token for the request. Cognito: leaves for the hosted UI (the request is not used). */
  signIn(request: SignInRequest): Promise<Session>;
  /** Cognito: finishes a sign-in the hosted UI sent back (`?code=&state=`), else undefined. */
  completeSignIn?(): Promise<Session | undefined>;
  /** Cognito: ends the hosted UI's session too (leaves the page). */
  signOut?(): void;
}

/** The local platform's sign-in: a token signed by the local key, accepted by the local gateway. */
export function localAuth(baseUrl = ''): AuthAdapter {
  return {
    kind: 'local',
    async signIn(request) {
      let response: Response;
      try {
        response = await fetch(`${baseUrl}/local/sign-in`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(request) });
      } catch {
        throw new SignInError('The sign-in service cannot be reached.');
      }
      const body = (await response.json().catch(() => ({}))) as { token?: string; expiresAt?: string; message?: string };
      if (!response.ok || !body.token || !body.expiresAt) throw new SignInError(body.message ?? `Sign-in failed (${response.status}).`);
      return 'customerId' in request
        ? { token: body.token, expiresAt: body.expiresAt, user: request.customerId }
        : { token: body.token, expiresAt: body.expiresAt, user: request.staff, role: request.role };
    },
  };
}

function appBase(app: WebAppName): string {
  return app === 'console' ? '/console/' : '/';
}

/**
 * Cognito's hosted UI with the authorization code flow and PKCE. The endpoints are set from the
 * config (no discovery request); the ID token goes to the API (its audience is the app client).
 */
export function cognitoAuth(config: CognitoWebAuth, app: WebAppName, location: Pick<Location, 'origin' | 'href' | 'assign'> = window.location): AuthAdapter {
  const redirectUri = `${location.origin}${appBase(app)}`;
  const manager = new UserManager({
    authority: config.authority,
    client_id: config.clientId,
    redirect_uri: redirectUri,
    post_logout_redirect_uri: redirectUri,
    response_type: 'code',
    scope: 'openid email profile',
    loadUserInfo: false,
    automaticSilentRenew: false,
    userStore: new WebStorageStateStore({ store: window.sessionStorage }),
    stateStore: new WebStorageStateStore({ store: window.sessionStorage }),
    metadata: {
      issuer: config.authority,
      authorization_endpoint: `${config.domain}/oauth2/authorize`,
      token_endpoint: `${config.domain}/oauth2/token`,
      revocation_endpoint: `${config.domain}/oauth2/revoke`,
      end_session_endpoint: `${config.domain}/logout`,
      jwks_uri: `${config.authority}/.well-known/jwks.json`,
    },
  });
  return {
    kind: 'cognito',
    async signIn() {
      try {
        await manager.signinRedirect();
      } catch {
        throw new SignInError('The sign-in service cannot be reached.');
      }
      // The page is leaving for the hosted UI.
      return new Promise<Session>(() => undefined);
    },
    async completeSignIn() {
      const url = new URL(location.href);
      if (!url.searchParams.has('state') || !(url.searchParams.has('code') || url.searchParams.has('error'))) return undefined;
      window.history.replaceState(null, '', appBase(app));
      let user: User;
      try {
        user = await manager.signinRedirectCallback(url.href);
      } catch (error) {
        const description = url.searchParams.get('error_description') ?? (error instanceof Error ? error.message : String(error));
        throw new SignInError(`Sign-in did not complete: ${description}`);
      }
      await manager.removeUser();
      return sessionOfUser(app, user);
    },
    signOut() {
      const logout = new URL(`${config.domain}/logout`);
      logout.searchParams.set('client_id', config.clientId);
      logout.searchParams.set('logout_uri', redirectUri);
      location.assign(logout.href);
    },
  };
}

let current: { auth: AuthAdapter; signInError?: string } = { auth: localAuth() };

/**
 * Loads the app's `config.json`, picks the adapter and finishes a hosted UI sign-in the URL
 * carries (saving the session under `sessionKey`). Call once before the first render.
 */
export async function startAuth(app: WebAppName, store: SessionStore): Promise<void> {
  let config: WebConfig = LOCAL_WEB_CONFIG;
  try {
    const response = await fetch(`${appBase(app)}config.json`, { cache: 'no-cache' });
    if (response.ok) config = parseWebConfig(await response.json());
  } catch (error) {
    current = { auth: localAuth(), signInError: error instanceof WebConfigError ? `This app is misconfigured: ${error.message}.` : undefined };
    return;
  }
  const auth = config.auth.kind === 'cognito' ? cognitoAuth(config.auth, app) : localAuth();
  current = { auth };
  try {
    const session = await auth.completeSignIn?.();
    if (session) store.save(session);
  } catch (error) {
    current = { auth, signInError: error instanceof Error ? error.message : String(error) };
  }
}

/** The app's adapter (set by startAuth from config.json; the local platform's until then). */
export function authForBuild(): AuthAdapter {
  return {
    get kind() {
      return current.auth.kind;
    },
    signIn: (request) => current.auth.signIn(request),
    completeSignIn: () => current.auth.completeSignIn?.() ?? Promise.resolve(undefined),
    signOut: () => current.auth.signOut?.(),
  };
}

/** Why the last hosted UI sign-in failed (shown once on the sign-in screen), if it did. */
export function takeSignInError(): string | undefined {
  const message = current.signInError;
  current = { auth: current.auth };
  return message;
}

export interface SessionStore {
  load(): Session | undefined;
  save(session: Session): void;
  clear(): void;
}

export function sessionStore(key: string, storage: Storage = sessionStorage): SessionStore {
  return {
    load() {
      const text = storage.getItem(key);
      if (!text) return undefined;
      try {
        const session = JSON.parse(text) as Session;
        return typeof session.token === 'string' && typeof session.user === 'string' ? session : undefined;
      } catch {
        return undefined;
      }
    },
    save(session) {
      storage.setItem(key, JSON.stringify(session));
    },
    clear() {
      storage.removeItem(key);
    },
  };
}
