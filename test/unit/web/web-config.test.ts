/** The web apps' runtime config (config.json) and the session a hosted UI sign-in gives. */
import { sessionOfUser, SignInError } from '../../../shared/web/common/claims';
import { parseWebConfig, webConfigsFromOutputs, WebConfigError } from '../../../shared/web/common/web-config';

const outputs = {
  Cis: {
    ApiUrl: 'https://abc123.execute-api.us-west-2.amazonaws.com/',
    UserPoolId: 'us-west-2_AbC123xyz',
    UserPoolClientId: '4portalclient0000000000000',
    StaffUserPoolClientId: '5staffclient00000000000000',
    AuthDomainUrl: 'https://cis-123456789012.auth.us-west-2.amazoncognito.com',
  },
};

describe('webConfigsFromOutputs', () => {
  it('gives each app its client, the pool\'s issuer and the hosted UI domain', () => {
    const configs = webConfigsFromOutputs(outputs);
    expect(configs.portal).toEqual({ auth: { kind: 'cognito', authority: 'https://cognito-idp.us-west-2.amazonaws.com/us-west-2_AbC123xyz', clientId: '4portalclient0000000000000', domain: 'https://cis-123456789012.auth.us-west-2.amazoncognito.com' } });
    expect(configs.console.auth).toMatchObject({ kind: 'cognito', clientId: '5staffclient00000000000000' });
  });

  it('picks the named stack when the file holds several', () => {
    const two = { ...outputs, Other: { ...outputs.Cis, UserPoolClientId: 'otherportal' } };
    expect(() => webConfigsFromOutputs(two)).toThrow(/several CIS stacks \(Cis, Other\).*--stack/);
    expect(webConfigsFromOutputs(two, 'Other').portal.auth).toMatchObject({ clientId: 'otherportal' });
    expect(() => webConfigsFromOutputs(two, 'Missing')).toThrow(/no stack Missing/);
  });

  it.each([
    ['a missing hosted UI output', { Cis: { ...outputs.Cis, AuthDomainUrl: undefined } }, /lack AuthDomainUrl/],
    ['a malformed user pool id', { Cis: { ...outputs.Cis, UserPoolId: 'nope' } }, /not a Cognito user pool id/],
    ['an http hosted UI', { Cis: { ...outputs.Cis, AuthDomainUrl: 'http://evil.example' } }, /auth.domain must be an https URL/],
    ['no stack', {}, /no stack with a UserPoolId/],
    ['not an object', 'x', /JSON object/],
  ])('refuses %s', (_what, file, message) => {
    expect(() => webConfigsFromOutputs(file)).toThrow(WebConfigError);
    expect(() => webConfigsFromOutputs(file)).toThrow(message);
  });
});

describe('parseWebConfig', () => {
  it('reads local and cognito configs and drops a trailing slash', () => {
    expect(parseWebConfig({ auth: { kind: 'local' } })).toEqual({ auth: { kind: 'local' } });
    expect(parseWebConfig({ auth: { kind: 'cognito', authority: 'https://cognito-idp.us-east-1.amazonaws.com/us-east-1_x/', clientId: 'abc', domain: 'https://d.auth.us-east-1.amazoncognito.com/' } }).auth).toMatchObject({ authority: 'https://cognito-idp.us-east-1.amazonaws.com/us-east-1_x', domain: 'https://d.auth.us-east-1.amazoncognito.com' });
  });

  it('allows plain http only for a provider on this machine', () => {
    expect(parseWebConfig({ auth: { kind: 'cognito', authority: 'http://127.0.0.1:9000/pool', clientId: 'abc', domain: 'http://localhost:9000' } }).auth.kind).toBe('cognito');
    expect(() => parseWebConfig({ auth: { kind: 'cognito', authority: 'http://10.0.0.1/pool', clientId: 'abc', domain: 'https://d.example' } })).toThrow(/auth.authority must be an https URL/);
  });

  it.each([
    [null, /JSON object/],
    [{}, /auth is required/],
    [{ auth: { kind: 'saml' } }, /auth.kind must be local or cognito/],
    [{ auth: { kind: 'cognito', authority: 'https://a.example', clientId: 'has space', domain: 'https://d.example' } }, /auth.clientId/],
    [{ auth: { kind: 'cognito', authority: 'javascript:alert(1)', clientId: 'abc', domain: 'https://d.example' } }, /auth.authority/],
  ])('refuses %j', (value, message) => {
    expect(() => parseWebConfig(value)).toThrow(message);
  });
});

describe('sessionOfUser', () => {
  const exp = 1_900_000_000;
  it('takes the customer id of a portal user and the ID token', () => {
    expect(sessionOfUser('portal', { id_token: 'id.token.here', profile: { sub: 's', iss: 'i', aud: 'a', iat: 1, exp, 'custom:customerId': 'C0042' } })).toEqual({ token: 'id.token.here', expiresAt: new Date(exp * 1000).toISOString(), user: 'C0042' });
  });

  it('takes the strongest staff group as the console role', () => {
    const session = sessionOfUser('console', { id_token: 't', profile: { sub: 's', iss: 'i', aud: 'a', iat: 1, exp, 'cognito:username': 'casey', 'cognito:groups': ['auditor', 'billing'] } as never });
    expect(session).toMatchObject({ user: 'casey', role: 'billing' });
  });

  it('refuses a portal user without a customer id and a console user without a staff group', () => {
    expect(() => sessionOfUser('portal', { id_token: 't', profile: { sub: 's', iss: 'i', aud: 'a', iat: 1, exp } })).toThrow(SignInError);
    expect(() => sessionOfUser('portal', { id_token: 't', profile: { sub: 's', iss: 'i', aud: 'a', iat: 1, exp } })).toThrow(/not linked to a customer account/);
    expect(() => sessionOfUser('console', { id_token: 't', profile: { sub: 's', iss: 'i', aud: 'a', iat: 1, exp, 'cognito:groups': ['customers'] } as never })).toThrow(/not in a staff group/);
    expect(() => sessionOfUser('portal', { id_token: undefined, profile: { sub: 's', iss: 'i', aud: 'a', iat: 1, exp, 'custom:customerId': 'C1' } as never })).toThrow(/without an ID token/);
  });
});
