/**
 * Sign-in behind a small adapter: on the local platform the apps ask the gateway for a local
 * token (`POST /local/sign-in`); in AWS they sign in with the Cognito user pool (the PortalClient
 * and StaffConsoleClient app clients). The session lives in sessionStorage (this tab only) and is
 * dropped when the API answers 401.
 */
export type StaffRole = 'csr' | 'billing' | 'admin' | 'auditor';
export const STAFF_ROLES: readonly StaffRole[] = ['csr', 'billing', 'admin', 'auditor'];

export type SignInRequest = { customerId: string } | { staff: string; role: StaffRole };

export interface Session {
  token: string;
  expiresAt: string;
  /** The customer id (portal) or the staff user name (console). */
  user: string;
  role?: StaffRole;
}

export interface AuthAdapter {
  readonly kind: 'local' | 'cognito';
  signIn(request: SignInRequest): Promise<Session>;
}

export class SignInError extends Error {
  override name = 'SignInError';
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

/**
 * Cognito sign-in for a deployment. TODO(issue 8): the hosted UI (authorization code with PKCE on
 * the user pool domain) or SRP with the app client id; until then a deployed app says so.
 */
export function cognitoAuth(config: { userPoolId: string; clientId: string }): AuthAdapter {
  return {
    kind: 'cognito',
    async signIn() {
      throw new SignInError(`Cognito sign-in (user pool ${config.userPoolId}, client ${config.clientId}) is not available in this version of the app.`);
    },
  };
}

/** The adapter for this build: Cognito when the build names a user pool, else the local platform's. */
export function authForBuild(): AuthAdapter {
  const userPoolId = import.meta.env['VITE_COGNITO_USER_POOL_ID'] as string | undefined;
  const clientId = import.meta.env['VITE_COGNITO_CLIENT_ID'] as string | undefined;
  return userPoolId && clientId ? cognitoAuth({ userPoolId, clientId }) : localAuth();
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
