/**
 * The local gateway's web side: the built apps served at `/` and `/console/` with the SPA
 * fallback (never over API paths), and the local-only sign-in endpoint.
 */
import { promises as fs, readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startHttpGateway } from '../../shared/local/http-gateway';
import type { HttpGateway } from '../../shared/local/http-gateway';
import { verifyToken } from '../../shared/local/local-auth';
import { FunctionHost, functionsOf, LocalResolver } from '../../shared/local/template';
import type { CfnTemplate } from '../../shared/local/template';

const rootDir = path.resolve(__dirname, '../..');
const template = (): CfnTemplate => JSON.parse(readFileSync(path.join(rootDir, 'test/fixtures/local/http-gateway/template.json'), 'utf8')) as CfnTemplate;

let dataDir: string;
let webDir: string;
let gateway: HttpGateway;
let plain: HttpGateway;

function start(options: { web: boolean; signIn: boolean }): Promise<HttpGateway> {
  const resolver = new LocalResolver(template());
  return startHttpGateway({
    resolver,
    host: new FunctionHost(functionsOf(resolver), rootDir),
    port: 0,
    dataDir,
    log: () => undefined,
    ...(options.web ? { webDir } : {}),
    localSignIn: options.signIn,
  });
}

beforeAll(async () => {
  dataDir = await fs.mkdtemp(path.join(os.tmpdir(), 'cis-web-gateway-'));
  webDir = path.join(dataDir, 'web');
  await fs.mkdir(path.join(webDir, 'portal', 'assets'), { recursive: true });
  await fs.mkdir(path.join(webDir, 'console'), { recursive: true });
  await fs.writeFile(path.join(webDir, 'portal', 'index.html'), '<title>portal</title>');
  await fs.writeFile(path.join(webDir, 'portal', 'assets', 'app-1a2b.js'), 'console.log(1)');
  await fs.writeFile(path.join(webDir, 'console', 'index.html'), '<title>console</title>');
  await fs.writeFile(path.join(dataDir, 'secret.txt'), 'not served');
  gateway = await start({ web: true, signIn: true });
  plain = await start({ web: false, signIn: false });
});

afterAll(async () => {
  await gateway.stop();
  await plain.stop();
  await fs.rm(dataDir, { recursive: true, force: true });
});

const signIn = (body: string, target = gateway) => fetch(`${target.url}/local/sign-in`, { method: 'POST', headers: { 'content-type': 'application/json' }, body });

describe('the local sign-in endpoint', () => {
  it('issues a customer token that the JWT routes accept', async () => {
    const response = await signIn(JSON.stringify({ customerId: 'C0001' }));
    expect(response.status).toBe(200);
    expect(response.headers.get('cache-control')).toBe('no-store');
    const { token, expiresAt } = (await response.json()) as { token: string; expiresAt: string };
    const claims = await verifyToken(dataDir, token);
    expect(claims['custom:customerId']).toBe('C0001');
    expect(new Date(expiresAt).getTime()).toBe(claims.exp * 1000);
    const routed = await fetch(`${gateway.url}/staff/accounts/A1`, { headers: { authorization: `Bearer ${token}` } });
    expect(routed.status).toBe(200);
  });

  it('issues a staff token with the chosen role', async () => {
    const { token } = (await (await signIn(JSON.stringify({ staff: 'casey', role: 'csr' }))).json()) as { token: string };
    const claims = await verifyToken(dataDir, token);
    expect(claims['cognito:groups']).toEqual(['csr']);
    expect(claims['cognito:username']).toBe('casey');
  });

  it.each([
    ['not JSON', '{', /not JSON/],
    ['an array', '[]', /not a JSON object/],
    ['a staff user without a role', JSON.stringify({ staff: 'casey' }), /role/],
    ['an unknown role', JSON.stringify({ staff: 'casey', role: 'root' }), /role/],
    ['a bad customer id', JSON.stringify({ customerId: '../x' }), /customer id/],
  ])('refuses %s with 400 saying why', async (_what, body, message) => {
    const response = await signIn(body);
    expect(response.status).toBe(400);
    expect(((await response.json()) as { message: string }).message).toMatch(message);
  });

  it('answers only POST, and only where local sign-in is on', async () => {
    expect((await fetch(`${gateway.url}/local/sign-in`)).status).toBe(405);
    expect((await signIn(JSON.stringify({ customerId: 'C0001' }), plain)).status).toBe(404);
  });
});

describe('the web apps', () => {
  async function get(route: string, target = gateway): Promise<{ status: number; type: string | null; cache: string | null; text: string }> {
    const response = await fetch(`${target.url}${route}`);
    return { status: response.status, type: response.headers.get('content-type'), cache: response.headers.get('cache-control'), text: await response.text() };
  }

  it('serves the portal at / and its client-side routes from its index.html', async () => {
    for (const route of ['/', '/accounts/A0002', '/sign-in']) {
      expect(await get(route)).toMatchObject({ status: 200, type: 'text/html; charset=utf-8', cache: 'no-cache', text: '<title>portal</title>' });
    }
  });

  it('serves the console at /console/', async () => {
    for (const route of ['/console/', '/console', '/console/accounts/A0001']) {
      expect(await get(route)).toMatchObject({ status: 200, text: '<title>console</title>' });
    }
  });

  it('serves hashed assets with a long cache and their content type', async () => {
    expect(await get('/assets/app-1a2b.js')).toMatchObject({ status: 200, type: 'text/javascript; charset=utf-8', cache: 'public, max-age=31536000, immutable', text: 'console.log(1)' });
  });

  it('answers 404 for missing files, paths outside the app and API paths, and keeps API routes', async () => {
    expect((await get('/assets/missing.js')).status).toBe(404);
    expect((await get('/..%2Fsecret.txt')).status).toBe(404);
    expect((await get('/%2e%2e/secret.txt')).status).toBe(404);
    expect(await get('/staff/nothing/here')).toMatchObject({ status: 404, type: 'application/json' });
    expect(await get('/portal/nothing')).toMatchObject({ status: 404, type: 'application/json' });
    expect((await get('/public/items/7')).status).toBe(200);
  });

  it('serves nothing without a web dir', async () => {
    expect((await get('/', plain)).status).toBe(404);
  });
});

describe('the apps\' config.json on the local platform', () => {
  it('always says local sign-in, even over a deployment build\'s file', async () => {
    await fs.writeFile(path.join(webDir, 'console', 'config.json'), JSON.stringify({ auth: { kind: 'cognito', authority: 'https://cognito-idp.us-east-1.amazonaws.com/us-east-1_abc', clientId: 'abc', domain: 'https://x.auth.us-east-1.amazoncognito.com' } }));
    for (const route of ['/config.json', '/console/config.json']) {
      const response = await fetch(`${gateway.url}${route}`);
      expect(response.status).toBe(200);
      expect(response.headers.get('content-type')).toBe('application/json');
      expect(await response.json()).toEqual({ auth: { kind: 'local' } });
    }
  });

  it('serves the apps with the deployment\'s Content-Security-Policy (no inline scripts, no framing)', async () => {
    const response = await fetch(`${gateway.url}/accounts/A1`);
    const csp = response.headers.get('content-security-policy') ?? '';
    expect(csp).toContain("script-src 'self'");
    expect(csp).toContain("frame-ancestors 'none'");
    expect(csp).toContain('object-src blob:');
  });
});
