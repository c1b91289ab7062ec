import { Forbidden, Unauthenticated } from '../../../shared/domain/errors';
import { parseClaims, parseGroups, requireCustomer, requireStaff } from '../../../shared/domain/identity';

const base = { iss: 'cis-local', aud: 'cis-local', sub: 'sub-1', token_use: 'id', 'cognito:username': 'dana' };

describe('identity', () => {
  it.each<[string, unknown, string[]]>([
    ['a JWT array', ['csr', 'billing'], ['csr', 'billing']],
    ['the API Gateway string', '[csr billing]', ['csr', 'billing']],
    ['the API Gateway string with one group', '[admin]', ['admin']],
    ['an empty API Gateway string', '[]', []],
    ['a JSON array string', '["auditor","csr"]', ['auditor', 'csr']],
    ['a comma list', 'csr,billing', ['csr', 'billing']],
    ['nothing', undefined, []],
    ['a number', 42, []],
  ])('parses cognito:groups as %s', (_name, groups, expected) => {
    expect(parseGroups(groups)).toEqual(expected);
  });

  it('keeps only known staff roles and falls back to sub for the user name', () => {
    expect(parseClaims({ sub: 's', 'cognito:groups': '[csr superuser]' })).toEqual({ subject: 's', username: 's', roles: ['csr'] });
  });

  it.each([
    ['API Gateway string', '[csr billing]'],
    ['array', ['csr', 'billing']],
  ])('requireStaff with groups as %s', (_name, groups) => {
    const claims = { ...base, 'cognito:groups': groups };
    expect(requireStaff(claims)).toMatchObject({ kind: 'staff', username: 'dana', roles: ['csr', 'billing'] });
    expect(requireStaff(claims, ['billing', 'admin']).roles).toContain('billing');
    expect(() => requireStaff(claims, ['admin'])).toThrow(Forbidden);
  });

  it('tells staff from customers', () => {
    const customer = { ...base, 'custom:customerId': 'C0001' };
    expect(requireCustomer(customer)).toMatchObject({ kind: 'customer', customerId: 'C0001' });
    expect(() => requireStaff(customer)).toThrow(Forbidden);
    expect(() => requireCustomer({ ...base, 'cognito:groups': ['csr'] })).toThrow(Forbidden);
  });

  it.each([undefined, {}, { sub: '' }, { sub: 42 }])('is Unauthenticated without a subject (%j)', (claims) => {
    expect(() => requireStaff(claims)).toThrow(Unauthenticated);
    expect(() => requireCustomer(claims)).toThrow(Unauthenticated);
  });

  it('names its errors', () => {
    expect(new Forbidden('x').name).toBe('Forbidden');
    expect(new Unauthenticated('x').name).toBe('Unauthenticated');
  });
});
