/**
 * Invites portal customers and staff into the deployment's Cognito user pool (the utility has
 * no self sign-up: a customer's user carries `custom:customerId`, which the portal authorizes on,
 * and staff belong to one of the role groups). Every invitation is checked before any is sent;
 * Cognito e-mails each new user a temporary password. Running it again is safe: a user that
 * exists already with the same customer id (or in the group) is reported as such, and one linked
 * to another customer is never changed.
 */
import {
  AdminAddUserToGroupCommand,
  AdminCreateUserCommand,
  AdminGetUserCommand,
  type CognitoIdentityProviderClient,
} from '@aws-sdk/client-cognito-identity-provider';
import { z } from 'zod';
import { columnKey, parseCsv } from '../domain/customers/csv';
import { STAFF_ROLES } from '../domain/identity';
import { Id } from '../schemas/common';
import { Email } from '../schemas/customers';

const CustomerInvitation = z.strictObject({ email: Email, customerId: Id('customerId') });
const StaffInvitation = z.strictObject({ email: Email, role: z.enum(STAFF_ROLES, { error: 'role must be csr, billing, admin or auditor' }) });
export type Invitation = z.infer<typeof CustomerInvitation> | z.infer<typeof StaffInvitation>;

/** Checks one invitation: a customer's when it names a customer id, else a staff member's. */
export function checkInvitation(candidate: { email?: string; customerId?: string; role?: string }): { ok: true; invitation: Invitation } | { ok: false; message: string } {
  const parsed = candidate.customerId ? CustomerInvitation.safeParse({ email: candidate.email, customerId: candidate.customerId }) : StaffInvitation.safeParse({ email: candidate.email, role: candidate.role });
  return parsed.success ? { ok: true, invitation: parsed.data } : { ok: false, message: parsed.error.issues.map((issue) => issue.message).join('; ') };
}

export type InvitationOutcome = 'invited' | 'already-invited' | 'linked-to-another-customer' | 'failed';

export interface InvitationResult {
  email: string;
  outcome: InvitationOutcome;
  detail?: string;
}

export class InvitationFileError extends Error {
  override name = 'InvitationFileError';
}

/**
 * Reads a CSV of invitations (columns `email` and `customer_id`, or `email` and `role`); throws
 * InvitationFileError listing every bad line, so nothing is sent from a file with a mistake.
 */
export function parseInvitations(text: string): Invitation[] {
  const table = parseCsv(text);
  const problems = table.problems.map((problem) => `line ${problem.line}: ${problem.message}`);
  const key = (name: string) => (columnKey(name) === 'e_mail' ? 'email' : columnKey(name));
  const columns = new Set(table.columns.map(key));
  if (!columns.has('email') || !(columns.has('customer_id') || columns.has('role'))) {
    throw new InvitationFileError('the file needs an email column and a customer_id or role column');
  }
  const invitations: Invitation[] = [];
  const seen = new Map<string, number>();
  for (const row of table.rows) {
    const values = Object.fromEntries(Object.entries(row.values).map(([name, value]) => [key(name), value.trim()]));
    const checked = checkInvitation({ email: values['email'], customerId: values['customer_id'], role: values['role'] });
    if (!checked.ok) {
      problems.push(`line ${row.line}: ${checked.message}`);
      continue;
    }
    const email = checked.invitation.email.toLowerCase();
    const earlier = seen.get(email);
    if (earlier !== undefined) problems.push(`line ${row.line}: ${email} is also on line ${earlier}`);
    seen.set(email, row.line);
    invitations.push(checked.invitation);
  }
  if (problems.length > 0) throw new InvitationFileError(`nothing was sent; fix these lines:\n${problems.join('\n')}`);
  return invitations;
}

function errorName(error: unknown): string {
  return error instanceof Error ? error.name : '';
}

async function inviteOne(cognito: CognitoIdentityProviderClient, userPoolId: string, invitation: Invitation): Promise<InvitationResult> {
  const email = invitation.email;
  const attributes = [
    { Name: 'email', Value: email },
    { Name: 'email_verified', Value: 'true' },
    ...('customerId' in invitation ? [{ Name: 'custom:customerId', Value: invitation.customerId }] : []),
  ];
  let outcome: InvitationOutcome = 'invited';
  try {
    await cognito.send(new AdminCreateUserCommand({ UserPoolId: userPoolId, Username: email, UserAttributes: attributes, DesiredDeliveryMediums: ['EMAIL'] }));
  } catch (error) {
    if (errorName(error) !== 'UsernameExistsException') throw error;
    outcome = 'already-invited';
    if ('customerId' in invitation) {
      const user = await cognito.send(new AdminGetUserCommand({ UserPoolId: userPoolId, Username: email }));
      const linked = user.UserAttributes?.find((attribute) => attribute.Name === 'custom:customerId')?.Value;
      if (linked !== invitation.customerId) {
        return { email, outcome: 'linked-to-another-customer', detail: linked ? `the user is linked to customer ${linked}; left unchanged` : 'the user exists without a customer id; left unchanged' };
      }
    }
  }
  if ('role' in invitation) await cognito.send(new AdminAddUserToGroupCommand({ UserPoolId: userPoolId, Username: email, GroupName: invitation.role }));
  return { email, outcome };
}

/** Sends the invitations one by one; a failure of one is reported and the others still go. */
export async function inviteUsers(cognito: CognitoIdentityProviderClient, userPoolId: string, invitations: readonly Invitation[]): Promise<InvitationResult[]> {
  const results: InvitationResult[] = [];
  for (const invitation of invitations) {
    try {
      results.push(await inviteOne(cognito, userPoolId, invitation));
    } catch (error) {
      results.push({ email: invitation.email, outcome: 'failed', detail: error instanceof Error ? `${error.name}: ${error.message}` : String(error) });
    }
  }
  return results;
}
