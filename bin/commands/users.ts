/**
 * `cis users invite` invites portal customers (`--email E --customer C0001`) and staff (`--email E
 * --role csr`), or a CSV of them (`--file users.csv`: email plus customer_id or role), into the
 * deployment's Cognito user pool (`--outputs cdk-outputs.json` or `--user-pool-id`), with the AWS
 * credentials of the environment. A file with a bad line sends nothing.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { Command } from 'commander';
import { readStackOutputs } from './outputs-file';

interface InviteOptions {
  outputs?: string;
  stack?: string;
  userPoolId?: string;
  email?: string;
  customer?: string;
  role?: string;
  file?: string;
}

function userPoolIdOf(options: InviteOptions): string {
  if (options.userPoolId) return options.userPoolId;
  if (!options.outputs) throw new Error('name the user pool: --outputs cdk-outputs.json or --user-pool-id ID');
  return String(readStackOutputs(options.outputs, options.stack)['UserPoolId']);
}

export function registerUsers(program: Command): void {
  const users = program.command('users').description('portal and staff users of a deployment (Cognito)');
  users
    .command('invite')
    .description('invite a customer (--customer) or a staff member (--role), or a CSV of them (--file), into the user pool')
    .option('--outputs <file>', 'outputs file of `cdk deploy --outputs-file` (for the UserPoolId output)')
    .option('--stack <name>', 'the stack in the outputs file (when it holds several)')
    .option('--user-pool-id <id>', 'the user pool, instead of --outputs')
    .option('--email <address>', 'the user\'s e-mail address (their sign-in name)')
    .option('--customer <customerId>', 'the customer the portal user may see')
    .option('--role <role>', 'the staff role: csr, billing, admin or auditor')
    .option('--file <csv>', 'a CSV with an email column and a customer_id or role column')
    .action(async (options: InviteOptions) => {
      const { checkInvitation, inviteUsers, parseInvitations } = require('../../shared/adapters/cognito-users') as typeof import('../../shared/adapters/cognito-users');
      let invitations: Array<import('../../shared/adapters/cognito-users').Invitation>;
      if (options.file) {
        if (options.email || options.customer || options.role) throw new Error('give either --file or --email with --customer or --role, not both');
        invitations = parseInvitations(readFileSync(path.resolve(options.file), 'utf8'));
      } else {
        if (!options.email || (options.customer === undefined) === (options.role === undefined)) throw new Error('give --email with either --customer CUSTOMER_ID or --role ROLE (or --file users.csv)');
        const checked = checkInvitation({ email: options.email, customerId: options.customer, role: options.role });
        if (!checked.ok) throw new Error(checked.message);
        invitations = [checked.invitation];
      }
      const userPoolId = userPoolIdOf(options);
      const { CognitoIdentityProviderClient } = require('@aws-sdk/client-cognito-identity-provider') as typeof import('@aws-sdk/client-cognito-identity-provider');
      const results = await inviteUsers(new CognitoIdentityProviderClient({}), userPoolId, invitations);
      for (const result of results) console.log(`${result.email}: ${result.outcome}${result.detail ? ` (${result.detail})` : ''}`);
      const failed = results.filter((result) => result.outcome === 'failed' || result.outcome === 'linked-to-another-customer').length;
      if (failed > 0) throw new Error(`${failed} of ${results.length} invitations were not made (see above); running it again is safe`);
    });
}
