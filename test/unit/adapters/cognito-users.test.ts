/** Inviting portal customers and staff into the user pool: checks first, safe to run again. */
import {
  AdminAddUserToGroupCommand,
  AdminCreateUserCommand,
  AdminGetUserCommand,
  CognitoIdentityProviderClient,
  UsernameExistsException,
} from '@aws-sdk/client-cognito-identity-provider';
import { mockClient } from 'aws-sdk-client-mock';
import { InvitationFileError, inviteUsers, parseInvitations } from '../../../shared/adapters/cognito-users';

const cognito = mockClient(CognitoIdentityProviderClient);
const exists = () => new UsernameExistsException({ message: 'User account already exists', $metadata: {} });

beforeEach(() => cognito.reset());

describe('parseInvitations', () => {
  it('reads customers and staff, with loosely named columns', () => {
    const text = 'E-mail,Customer ID,Role\r\npat@example.com,C0001,\r\n"casey@utility.gov",,csr\r\n';
    expect(parseInvitations(text)).toEqual([
      { email: 'pat@example.com', customerId: 'C0001' },
      { email: 'casey@utility.gov', role: 'csr' },
    ]);
  });

  it('lists every bad line and sends nothing', () => {
    const text = 'email,customer_id,role\nnot-an-email,C0001,\nok@example.com,C 2,\nboss@utility.gov,,root\ndup@example.com,C0003,\nDUP@example.com,C0004,\n';
    let message = '';
    try {
      parseInvitations(text);
    } catch (error) {
      expect(error).toBeInstanceOf(InvitationFileError);
      message = (error as Error).message;
    }
    expect(message).toContain('line 2: email is not a valid address');
    expect(message).toContain('line 3: customerId may contain only letters');
    expect(message).toContain('line 4: role must be csr, billing, admin or auditor');
    expect(message).toContain('line 6: dup@example.com is also on line 5');
  });

  it('needs an email column and a customer_id or role column', () => {
    expect(() => parseInvitations('name,customer_id\nPat,C0001\n')).toThrow(/email column/);
  });
});

describe('inviteUsers', () => {
  it('creates a portal user with its customer id, and a staff user in the role group', async () => {
    cognito.on(AdminCreateUserCommand).resolves({}).on(AdminAddUserToGroupCommand).resolves({});
    const results = await inviteUsers(new CognitoIdentityProviderClient({}), 'us-west-2_pool', [
      { email: 'pat@example.com', customerId: 'C0001' },
      { email: 'casey@utility.gov', role: 'billing' },
    ]);
    expect(results).toEqual([
      { email: 'pat@example.com', outcome: 'invited' },
      { email: 'casey@utility.gov', outcome: 'invited' },
    ]);
    const created = cognito.commandCalls(AdminCreateUserCommand).map((call) => call.args[0].input);
    expect(created[0]).toMatchObject({ UserPoolId: 'us-west-2_pool', Username: 'pat@example.com', DesiredDeliveryMediums: ['EMAIL'] });
    expect(created[0]?.UserAttributes).toContainEqual({ Name: 'custom:customerId', Value: 'C0001' });
    expect(created[1]?.UserAttributes?.some((attribute) => attribute.Name === 'custom:customerId')).toBe(false);
    expect(cognito.commandCalls(AdminAddUserToGroupCommand).map((call) => call.args[0].input)).toEqual([{ UserPoolId: 'us-west-2_pool', Username: 'casey@utility.gov', GroupName: 'billing' }]);
  });

  it('reports a user invited before as such, and never re-links one that belongs to another customer', async () => {
    cognito.on(AdminCreateUserCommand).rejects(exists());
    cognito.on(AdminGetUserCommand, { Username: 'pat@example.com' }).resolves({ Username: 'x', UserAttributes: [{ Name: 'custom:customerId', Value: 'C0001' }] });
    cognito.on(AdminGetUserCommand, { Username: 'lee@example.com' }).resolves({ Username: 'y', UserAttributes: [{ Name: 'custom:customerId', Value: 'C0009' }] });
    cognito.on(AdminAddUserToGroupCommand).resolves({});
    const results = await inviteUsers(new CognitoIdentityProviderClient({}), 'pool', [
      { email: 'pat@example.com', customerId: 'C0001' },
      { email: 'lee@example.com', customerId: 'C0002' },
      { email: 'casey@utility.gov', role: 'csr' },
    ]);
    expect(results).toEqual([
      { email: 'pat@example.com', outcome: 'already-invited' },
      { email: 'lee@example.com', outcome: 'linked-to-another-customer', detail: 'the user is linked to customer C0009; left unchanged' },
      { email: 'casey@utility.gov', outcome: 'already-invited' },
    ]);
    expect(cognito.commandCalls(AdminAddUserToGroupCommand)).toHaveLength(1);
  });

  it('reports a failed invitation and still sends the others', async () => {
    cognito.on(AdminCreateUserCommand).resolves({}).on(AdminCreateUserCommand, { Username: 'bad@example.com' }).rejects(Object.assign(new Error('Rate exceeded'), { name: 'TooManyRequestsException' }));
    const results = await inviteUsers(new CognitoIdentityProviderClient({}), 'pool', [
      { email: 'bad@example.com', customerId: 'C0001' },
      { email: 'good@example.com', customerId: 'C0002' },
    ]);
    expect(results).toEqual([
      { email: 'bad@example.com', outcome: 'failed', detail: 'TooManyRequestsException: Rate exceeded' },
      { email: 'good@example.com', outcome: 'invited' },
    ]);
  });
});
