/**
 * The session of a signed-in user and how a hosted UI sign-in's ID token claims become one:
 * `custom:customerId` for the portal, the strongest of `cognito:groups` for the console. No DOM
 * or Node APIs (the apps and the unit tests share it).
 */
import type { WebAppName } from './web-config';

export type StaffRole = 'csr' | 'billing' | 'admin' | 'auditor';
export const STAFF_ROLES: readonly StaffRole[] = ['csr', 'billing', 'admin', 'auditor'];
/** The role a console session shows buttons for when the user is in several groups (the API checks them all). */
const ROLE_PRECEDENCE: readonly StaffRole[] = ['admin', 'billing', 'csr', 'auditor'];

export type SignInRequest = { customerId: string } | { staff: string; role: StaffRole };

export interface Session {
  token: string;
  expiresAt: string;
  /** The customer id (portal) or the staff user name (console). */
  user: string;
  role?: StaffRole;
}

export class SignInError extends Error {
  override name = 'SignInError';
}

/** The app's session from the hosted UI's answer: the ID token and what it says of the user. */
export function sessionOfUser(app: WebAppName, user: { id_token?: string; profile: object }): Session {
  const profile = user.profile as Record<string, unknown>;
  const token = user.id_token;
  const exp = typeof profile['exp'] === 'number' ? profile['exp'] : undefined;
  if (!token || exp === undefined) throw new SignInError('The sign-in service answered without an ID token.');
  const expiresAt = new Date(exp * 1000).toISOString();
  const name = [profile['cognito:username'], profile['email'], profile['sub']].find((value): value is string => typeof value === 'string' && value !== '') ?? 'unknown';
  if (app === 'portal') {
    const customerId = profile['custom:customerId'];
    if (typeof customerId !== 'string' || customerId === '') throw new SignInError('This sign-in is not linked to a customer account yet. Please call customer service to link it.');
    return { token, expiresAt, user: customerId };
  }
  const groups = Array.isArray(profile['cognito:groups']) ? (profile['cognito:groups'] as unknown[]) : [];
  const role = ROLE_PRECEDENCE.find((candidate) => groups.includes(candidate));
  if (!role) throw new SignInError('This user is not in a staff group (csr, billing, admin or auditor). Ask an administrator for access.');
  return { token, expiresAt, user: name, role };
}

