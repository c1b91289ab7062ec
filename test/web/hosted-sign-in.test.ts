/**
 * The apps' sign-in in a deployment, in a real browser: config.json names a Cognito user pool and
 * the apps use its hosted UI with the authorization code flow and PKCE. A small OpenID provider on
 * this machine stands in for Cognito's /oauth2/authorize, /oauth2/token and /logout endpoints and
 * answers with ID tokens the local gateway accepts (signed by the local key, with Cognito's claims).
 */
import { createHash, randomBytes } from 'node:crypto';
import { createServer } from 'node:http';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Page } from 'playwright-core';
import { issueToken } from '../../shared/local/local-auth';
import { startTestPlatform } from '../local/platform-harness';
import type { TestPlatform } from '../local/platform-harness';
import { DESKTOP, launchBrowser, PHONE } from './browser';
import type { WebBrowser } from './browser';

interface Authorization {
  clientId: string;
  redirectUri: string;
  challenge: string;
  method: string;
  scope: string;
}

/** Who the provider signs in next, and what it saw. */
interface Provider {
  url: string;
  next: { customerId: string } | { staff: string; role: 'csr' | 'billing' | 'admin' | 'auditor' } | { deny: true };
  authorizations: Authorization[];
  tokenRequests: Array<{ clientId: string; verifierMatched: boolean; redirectUri: string }>;
  logouts: Array<{ clientId: string; logoutUri: string }>;
  server: Server;
}

let local: TestPlatform;
let web: WebBrowser;
let provider: Provider;

async function body(request: IncomingMessage): Promise<URLSearchParams> {
  let text = '';
  for await (const chunk of request) text += String(chunk);
  return new URLSearchParams(text);
}

async function startProvider(authDir: string): Promise<Provider> {
  const codes = new Map<string, Authorization & { next: Provider['next'] }>();
  const state: Omit<Provider, 'url' | 'server'> = { next: { customerId: 'C0001' }, authorizations: [], tokenRequests: [], logouts: [] };
  const server = createServer((request: IncomingMessage, response: ServerResponse) => {
    void (async () => {
      const url = new URL(request.url ?? '/', 'http://provider');
      response.setHeader('access-control-allow-origin', '*');
      if (request.method === 'GET' && url.pathname === '/oauth2/authorize') {
        const redirectUri = url.searchParams.get('redirect_uri') ?? '';
        const authorization: Authorization = { clientId: url.searchParams.get('client_id') ?? '', redirectUri, challenge: url.searchParams.get('code_challenge') ?? '', method: url.searchParams.get('code_challenge_method') ?? '', scope: url.searchParams.get('scope') ?? '' };
        state.authorizations.push(authorization);
        const back = new URL(redirectUri);
        back.searchParams.set('state', url.searchParams.get('state') ?? '');
        if ('deny' in state.next) {
          back.searchParams.set('error', 'access_denied');
          back.searchParams.set('error_description', 'The user cancelled the sign-in');
        } else {
          const code = randomBytes(12).toString('hex');
          codes.set(code, { ...authorization, next: state.next });
          back.searchParams.set('code', code);
        }
        response.writeHead(302, { location: back.href }).end();
        return;
      }
      if (request.method === 'POST' && url.pathname === '/oauth2/token') {
        const form = await body(request);
        const code = codes.get(form.get('code') ?? '');
        codes.delete(form.get('code') ?? '');
        if (!code || form.get('grant_type') !== 'authorization_code') {
          response.writeHead(400, { 'content-type': 'application/json' }).end(JSON.stringify({ error: 'invalid_grant' }));
          return;
        }
        const verifierMatched = createHash('sha256').update(form.get('code_verifier') ?? '').digest('base64url') === code.challenge;
        state.tokenRequests.push({ clientId: form.get('client_id') ?? '', verifierMatched, redirectUri: form.get('redirect_uri') ?? '' });
        const idToken = 'deny' in code.next ? '' : await issueToken(authDir, code.next);
        response.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ id_token: idToken, access_token: idToken, token_type: 'Bearer', expires_in: 3600 }));
        return;
      }
      if (request.method === 'GET' && url.pathname === '/logout') {
        state.logouts.push({ clientId: url.searchParams.get('client_id') ?? '', logoutUri: url.searchParams.get('logout_uri') ?? '' });
        response.writeHead(302, { location: url.searchParams.get('logout_uri') ?? '/' }).end();
        return;
      }
      response.writeHead(404).end();
    })();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  return Object.assign(state, { url: `http://127.0.0.1:${port}`, server });
}

/** Serves each app a deployment's config.json that names the provider. */
async function deploymentConfig(page: Page): Promise<void> {
  for (const [app, clientId] of [['', 'portalclient'], ['console/', 'staffclient']] as const) {
    await page.route(`**/${app}config.json`, (route) =>
      route.fulfill({ contentType: 'application/json', body: JSON.stringify({ auth: { kind: 'cognito', authority: `${provider.url}/us-west-2_pool`, clientId, domain: provider.url } }) }),
    );
  }
}

beforeAll(async () => {
  for (const level of ['log', 'warn', 'error'] as const) jest.spyOn(console, level).mockImplementation(() => undefined);
  web = await launchBrowser();
  local = await startTestPlatform('cis-web-hosted-', { accounts: 2, web: true });
  provider = await startProvider(local.authDir);
}, 180_000);

afterAll(async () => {
  await web?.close();
  await local?.stop();
  if (provider) await new Promise((resolve) => provider.server.close(resolve));
});

describe.each([
  ['phone', PHONE],
  ['desktop', DESKTOP],
])('hosted UI sign-in on a %s', (_size, viewport) => {
  it('signs a customer in with the code flow and PKCE, shows their accounts and signs out at the hosted UI too', async () => {
    const context = await web.context(viewport);
    const page = await context.newPage();
    await deploymentConfig(page);
    provider.next = { customerId: 'C0001' };
    const before = provider.authorizations.length;
    await page.goto(`${local.platform.httpUrl}/`);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('heading', { name: 'My accounts' }).waitFor();
    // Back at the app's root without the code in the address bar.
    expect(new URL(page.url()).search).toBe('');
    const authorization = provider.authorizations[before]!;
    expect(authorization).toMatchObject({ clientId: 'portalclient', redirectUri: `${local.platform.httpUrl}/`, method: 'S256' });
    expect(authorization.scope.split(' ').sort()).toEqual(['email', 'openid', 'profile']);
    expect(provider.tokenRequests.at(-1)).toEqual({ clientId: 'portalclient', verifierMatched: true, redirectUri: `${local.platform.httpUrl}/` });
    // The ID token works against the API: the customer's accounts are listed.
    await page.getByRole('link', { name: /^Account / }).first().waitFor();
    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.getByRole('button', { name: 'Sign in' }).waitFor();
    expect(provider.logouts.at(-1)).toEqual({ clientId: 'portalclient', logoutUri: `${local.platform.httpUrl}/` });
    // Signed out for real: a reload does not bring the session back.
    await page.reload();
    await page.getByRole('button', { name: 'Sign in' }).waitFor();
    await context.close();
  }, 60_000);

  it('signs staff into the console with the role of their group', async () => {
    const context = await web.context(viewport);
    const page = await context.newPage();
    await deploymentConfig(page);
    provider.next = { staff: 'casey', role: 'billing' };
    await page.goto(`${local.platform.httpUrl}/console/`);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByText('casey (billing)').waitFor();
    expect(provider.authorizations.at(-1)).toMatchObject({ clientId: 'staffclient', redirectUri: `${local.platform.httpUrl}/console/` });
    expect(provider.tokenRequests.at(-1)?.verifierMatched).toBe(true);
    await context.close();
  }, 60_000);

  it('says why when the hosted UI answers with an error or the user is not a customer', async () => {
    const context = await web.context(viewport);
    const page = await context.newPage();
    await deploymentConfig(page);
    provider.next = { deny: true };
    await page.goto(`${local.platform.httpUrl}/`);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByText('Sign-in did not complete: The user cancelled the sign-in').waitFor();
    provider.next = { staff: 'casey', role: 'csr' };
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByText('This sign-in is not linked to a customer account yet').waitFor();
    await context.close();
  }, 60_000);
});
