import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { decodeJwt, decodeProtectedHeader, SignJWT } from 'jose';
import {
  InvalidTokenError,
  issueToken,
  LOCAL_AUDIENCE,
  LOCAL_ISSUER,
  loadOrCreateSigningKey,
  signingKeyFile,
  TokenRequestError,
  verifyToken,
} from '../../shared/local/local-auth';
import type { SigningKey } from '../../shared/local/local-auth';

let dataDir: string;

beforeEach(async () => {
  dataDir = await fs.mkdtemp(path.join(os.tmpdir(), 'cis-auth-'));
});

afterEach(async () => {
  await fs.rm(dataDir, { recursive: true, force: true });
});

async function expectInvalid(promise: Promise<unknown>, reason: InvalidTokenError['reason']): Promise<void> {
  const error = await promise.then(
    () => undefined,
    (thrown: unknown) => thrown,
  );
  expect(error).toBeInstanceOf(InvalidTokenError);
  expect((error as InvalidTokenError).reason).toBe(reason);
}

describe('loadOrCreateSigningKey', () => {
  it('creates an RS256 JWK key file with mode 0600 and reuses it', async () => {
    const first = await loadOrCreateSigningKey(dataDir);
    const file = signingKeyFile(dataDir);
    expect(first.file).toBe(file);
    const content = JSON.parse(await fs.readFile(file, 'utf8')) as { alg: string; kid: string; privateKey: { kty: string; d?: string } };
    expect(content.alg).toBe('RS256');
    expect(content.kid).toBe(first.kid);
    expect(content.privateKey.kty).toBe('RSA');
    expect(content.privateKey.d).toEqual(expect.any(String));
    if (process.platform !== 'win32') expect((await fs.stat(file)).mode & 0o777).toBe(0o600);
    expect(await fs.readdir(path.dirname(file))).toEqual(['signing-key.json']);

    const second = await loadOrCreateSigningKey(dataDir);
    expect(second.kid).toBe(first.kid);
    expect(second.publicJwk).toEqual(first.publicJwk);
    expect(second.publicJwk).not.toHaveProperty('d');
  });

  it('is race-safe: concurrent first starts all end up with the same key', async () => {
    const keys = await Promise.all(Array.from({ length: 6 }, () => loadOrCreateSigningKey(dataDir)));
    expect(new Set(keys.map((key) => key.kid)).size).toBe(1);
    expect(await fs.readdir(path.dirname(signingKeyFile(dataDir)))).toEqual(['signing-key.json']);
    const token = await issueToken(keys[0]!, { staff: 'ana', role: 'csr' });
    await expect(verifyToken(keys[5]!, token)).resolves.toMatchObject({ 'cognito:username': 'ana' });
  });

  it('tightens the mode of a key file readable by others', async () => {
    if (process.platform === 'win32') return;
    await loadOrCreateSigningKey(dataDir);
    await fs.chmod(signingKeyFile(dataDir), 0o644);
    await loadOrCreateSigningKey(dataDir);
    expect((await fs.stat(signingKeyFile(dataDir))).mode & 0o777).toBe(0o600);
  });

  it.each([
    ['not JSON', 'not json at all'],
    ['not a key file', JSON.stringify({ kid: 'x', alg: 'HS256', privateKey: {} })],
  ])('rejects a key file that is %s with a one-line message', async (_label, text) => {
    await fs.mkdir(path.dirname(signingKeyFile(dataDir)), { recursive: true });
    await fs.writeFile(signingKeyFile(dataDir), text);
    await expect(loadOrCreateSigningKey(dataDir)).rejects.toThrow(/delete it to create a new one/);
  });
});

describe('issueToken and verifyToken', () => {
  let key: SigningKey;

  beforeEach(async () => {
    key = await loadOrCreateSigningKey(dataDir);
  });

  it('issues a staff ID token with the Cognito claims', async () => {
    const token = await issueToken(dataDir, { staff: 'ana.lopez', role: 'billing', ttlSeconds: 600 });
    expect(decodeProtectedHeader(token)).toEqual({ alg: 'RS256', kid: key.kid, typ: 'JWT' });
    const claims = await verifyToken(dataDir, token);
    expect(claims).toMatchObject({
      iss: LOCAL_ISSUER,
      aud: LOCAL_AUDIENCE,
      token_use: 'id',
      'cognito:username': 'ana.lopez',
      'cognito:groups': ['billing'],
    });
    expect(claims['custom:customerId']).toBeUndefined();
    expect(claims.sub).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-8[0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(claims.exp - claims.iat).toBe(600);
    // The same user always gets the same subject, like a Cognito user.
    const again = decodeJwt(await issueToken(key, { staff: 'ana.lopez', role: 'admin' }));
    expect(again.sub).toBe(claims.sub);
    expect(again.exp! - again.iat!).toBe(12 * 3600);
  });

  it('issues a customer ID token with custom:customerId and no groups', async () => {
    const claims = await verifyToken(key, await issueToken(key, { customerId: 'C-1001' }));
    expect(claims['custom:customerId']).toBe('C-1001');
    expect(claims['cognito:groups']).toBeUndefined();
    expect(claims.token_use).toBe('id');
  });

  it.each([
    [{}, /either staff/],
    [{ staff: 'ana', customerId: 'C1' }, /not both/],
    [{ staff: 'ana' }, /needs a role/],
    [{ customerId: 'C1', role: 'csr' }, /staff tokens only/],
    [{ staff: 'ana', role: 'root' }, /role/],
    [{ staff: '', role: 'csr' }, /staff: a staff name/],
    [{ staff: 'ana smith', role: 'csr' }, /staff: a staff name/],
    [{ staff: 'a'.repeat(129), role: 'csr' }, /staff: a staff name/],
    [{ customerId: 'C#1' }, /customerId: a customer id/],
    [{ customerId: 'C1', ttlSeconds: 0 }, /ttlSeconds/],
    [{ customerId: 'C1', ttlSeconds: 1.5 }, /ttlSeconds/],
    [{ customerId: 'C1', ttlSeconds: 40 * 86400 }, /ttlSeconds/],
    [{ customerId: 'C1', extra: true }, /extra|unrecognized/i],
  ])('rejects the request %j', async (request, message) => {
    const error = await issueToken(key, request as never).catch((thrown: unknown) => thrown);
    expect(error).toBeInstanceOf(TokenRequestError);
    expect((error as Error).message).toMatch(/^invalid token request: /);
    expect((error as Error).message).toMatch(message);
  });

  it('rejects an expired token', async () => {
    const token = await issueToken(key, { staff: 'ana', role: 'csr', ttlSeconds: 60 }, { now: new Date(Date.now() - 3600_000) });
    await expectInvalid(verifyToken(key, token), 'expired');
  });

  it('rejects a token signed by another key', async () => {
    const otherDir = await fs.mkdtemp(path.join(os.tmpdir(), 'cis-auth-other-'));
    try {
      const token = await issueToken(otherDir, { staff: 'ana', role: 'csr' });
      await expectInvalid(verifyToken(key, token), 'bad-signature');
    } finally {
      await fs.rm(otherDir, { recursive: true, force: true });
    }
  });

  it('rejects a tampered token', async () => {
    const [header, , signature] = (await issueToken(key, { staff: 'ana', role: 'csr' })).split('.');
    const forged = Buffer.from(JSON.stringify({ iss: LOCAL_ISSUER, aud: LOCAL_AUDIENCE, sub: 'x', exp: 4102444800, 'cognito:groups': ['admin'] })).toString('base64url');
    await expectInvalid(verifyToken(key, `${header}.${forged}.${signature}`), 'bad-signature');
  });

  it.each([
    ['issuer', { iss: 'https://cognito-idp.us-east-1.amazonaws.com/other', aud: LOCAL_AUDIENCE }, 'wrong-issuer'],
    ['audience', { iss: LOCAL_ISSUER, aud: 'someone-else' }, 'wrong-audience'],
  ] as const)('rejects a token with the wrong %s', async (_label, claims, reason) => {
    const token = await new SignJWT({ ...claims, token_use: 'id' })
      .setProtectedHeader({ alg: 'RS256', kid: key.kid })
      .setSubject('s')
      .setIssuedAt()
      .setExpirationTime('1h')
      .sign(key.privateKey);
    await expectInvalid(verifyToken(key, token), reason);
  });

  it('rejects a token without exp', async () => {
    const token = await new SignJWT({ token_use: 'id' })
      .setProtectedHeader({ alg: 'RS256' })
      .setIssuer(LOCAL_ISSUER)
      .setAudience(LOCAL_AUDIENCE)
      .setSubject('s')
      .sign(key.privateKey);
    await expectInvalid(verifyToken(key, token), 'missing-claim');
  });

  it.each([['garbage'], ['a.b.c'], [''], ['eyJhbGciOiJub25lIn0.eyJzdWIiOiJ4In0.']])('rejects the malformed token %j', async (token) => {
    const error = await verifyToken(key, token).catch((thrown: unknown) => thrown);
    expect(error).toBeInstanceOf(InvalidTokenError);
    expect(['malformed', 'bad-signature']).toContain((error as InvalidTokenError).reason);
  });
});
