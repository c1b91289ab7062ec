/**
 * Who is calling: Cognito ID token claims (the API Gateway JWT authorizer validated the token;
 * roles are checked here). Staff roles are Cognito groups; customers carry custom:customerId.
 */
import { Forbidden, Unauthenticated } from './errors';

export const STAFF_ROLES = ['csr', 'billing', 'admin', 'auditor'] as const;
export type StaffRole = (typeof STAFF_ROLES)[number];
export const ANY_STAFF: readonly StaffRole[] = STAFF_ROLES;

export type Claims = Readonly<Record<string, unknown>>;

export interface Principal {
  subject: string;
  username: string;
  roles: StaffRole[];
  customerId?: string;
}

export interface StaffPrincipal extends Principal {
  kind: 'staff';
}

export interface CustomerPrincipal extends Principal {
  kind: 'customer';
  customerId: string;
}

function isStaffRole(value: string): value is StaffRole {
  return (STAFF_ROLES as readonly string[]).includes(value);
}

/**
 * `cognito:groups` as the JWT carries it (an array) or as API Gateway HTTP APIs pass it to
 * the Lambda (the string "[csr billing]"); a JSON array string and commas are accepted too.
 */
export function parseGroups(value: unknown): string[] {
  if (Array.isArray(value)) return value.filter((group): group is string => typeof group === 'string' && group.length > 0);
  if (typeof value !== 'string') return [];
  const text = value.trim();
  if (text.startsWith('[') && text.includes('"')) {
    try {
      return parseGroups(JSON.parse(text));
    } catch {
      // not JSON: fall through to the API Gateway form
    }
  }
  return text
    .replace(/^\[|\]$/g, '')
    .split(/[\s,]+/)
    .filter((group) => group.length > 0);
}

/** The principal behind the claims; Unauthenticated when there are no claims or no subject. */
export function parseClaims(claims: Claims | undefined): Principal {
  const subject = claims?.['sub'];
  if (typeof subject !== 'string' || subject.length === 0) throw new Unauthenticated('a valid token is required');
  const username = claims?.['cognito:username'];
  const customerId = claims?.['custom:customerId'];
  return {
    subject,
    username: typeof username === 'string' && username.length > 0 ? username : subject,
    roles: parseGroups(claims?.['cognito:groups']).filter(isStaffRole),
    ...(typeof customerId === 'string' && customerId.length > 0 ? { customerId } : {}),
  };
}

/** A staff member with one of `allowed` roles, or Forbidden. */
export function requireStaff(claims: Claims | undefined, allowed: readonly StaffRole[] = ANY_STAFF): StaffPrincipal {
  const principal = parseClaims(claims);
  if (principal.roles.length === 0) throw new Forbidden('this operation is for staff');
  if (!principal.roles.some((role) => allowed.includes(role))) throw new Forbidden(`this operation needs one of the roles ${allowed.join(', ')}`);
  return { ...principal, kind: 'staff' };
}

/** A customer (a token with custom:customerId), or Forbidden. */
export function requireCustomer(claims: Claims | undefined): CustomerPrincipal {
  const principal = parseClaims(claims);
  if (!principal.customerId) throw new Forbidden('this operation is for customers');
  return { ...principal, customerId: principal.customerId, kind: 'customer' };
}

/**
 * The account when it is the customer's own, or Forbidden. An account that does not exist gets
 * the same answer as someone else's, so account ids cannot be probed.
 */
export function requireOwnAccount<A extends { customerId: string }>(account: A | undefined, customerId: string, accountId: string): A {
  if (account?.customerId !== customerId) throw new Forbidden(`account ${accountId} is not one of your accounts`);
  return account;
}
