import { promises as fs, readFileSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import type { APIGatewayProxyEventV2WithJWTAuthorizer } from 'aws-lambda';
import { SignJWT } from 'jose';
import { PlatformError } from '../../shared/local/errors';
import { apiGatewayClaims, matchRoute, routesOf, startHttpGateway } from '../../shared/local/http-gateway';
import type { HttpGateway } from '../../shared/local/http-gateway';
import { issueToken, LOCAL_AUDIENCE, LOCAL_ISSUER, loadOrCreateSigningKey } from '../../shared/local/local-auth';
import type { SigningKey } from '../../shared/local/local-auth';
import { FunctionHost, functionsOf, LocalResolver } from '../../shared/local/template';
import type { CfnTemplate } from '../../shared/local/template';

const rootDir = path.resolve(__dirname, '../..');
const fixtureTemplate = (): CfnTemplate =>
  JSON.parse(readFileSync(path.join(rootDir, 'test/fixtures/local/http-gateway/template.json'), 'utf8')) as CfnTemplate;

type Event = APIGatewayProxyEventV2WithJWTAuthorizer;

let dataDir: string;
let key: SigningKey;
let gateway: HttpGateway;
let log: jest.Mock<void, [string]>;

function platformFor(template: CfnTemplate) {
  const resolver = new LocalResolver(template);
  return { resolver, host: new FunctionHost(functionsOf(resolver), rootDir) };
}

beforeAll(async () => {
  dataDir = await fs.mkdtemp(path.join(os.tmpdir(), 'cis-gateway-'));
  key = await loadOrCreateSigningKey(dataDir);
  log = jest.fn<void, [string]>();
  gateway = await startHttpGateway({ ...platformFor(fixtureTemplate()), port: 0, dataDir, log, maxBodyBytes: 64 * 1024 });
});

afterAll(async () => {
  await gateway.stop();
  await fs.rm(dataDir, { recursive: true, force: true });
});

async function echo(response: Response): Promise<Event> {
  expect(response.status).toBe(200);
  return (await response.json()) as Event;
}

/** A raw request with repeated header lines (fetch would merge them). */
function rawRequest(pathAndQuery: string, headers: http.OutgoingHttpHeaders): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = http.request(`${gateway.url}${pathAndQuery}`, { headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }));
    });
    req.on('error', reject);
    req.end();
  });
}

describe('routes from the template', () => {
  it('reads route keys, integrations (Fn::Join target, GetAtt URI) and authorization', () => {
    const { resolver, host } = platformFor(fixtureTemplate());
    expect(routesOf(resolver, host).map(({ routeKey, functionId, authorizationType, apiId }) => ({ routeKey, functionId, authorizationType, apiId }))).toEqual([
      { routeKey: 'GET /public/items/{itemId}', functionId: 'EchoFunction', authorizationType: 'NONE', apiId: 'HttpApi' },
      { routeKey: 'GET /staff/accounts/{accountId}', functionId: 'EchoFunction', authorizationType: 'JWT', apiId: 'HttpApi' },
      { routeKey: 'ANY /files/{proxy+}', functionId: 'EchoFunction', authorizationType: 'NONE', apiId: 'HttpApi' },
      { routeKey: 'POST /files/special', functionId: 'EchoFunction', authorizationType: 'NONE', apiId: 'HttpApi' },
    ]);
  });

  it('selects the most specific route, the method over ANY, and $default last', () => {
    const { resolver, host } = platformFor(fixtureTemplate());
    const routes = routesOf(resolver, host);
    expect(matchRoute(routes, 'POST', '/files/special')?.route.routeKey).toBe('POST /files/special');
    expect(matchRoute(routes, 'GET', '/files/special')).toEqual({ route: expect.objectContaining({ routeKey: 'ANY /files/{proxy+}' }), pathParameters: { proxy: 'special' } });
    expect(matchRoute(routes, 'GET', '/files/a/b%20c')?.pathParameters).toEqual({ proxy: 'a/b c' });
    expect(matchRoute(routes, 'GET', '/files')).toBeUndefined();
    expect(matchRoute(routes, 'GET', '/public/items')).toBeUndefined();
    expect(matchRoute(routes, 'GET', '/public/items/1/extra')).toBeUndefined();
    expect(matchRoute(routes, 'DELETE', '/public/items/1')).toBeUndefined();
    const withDefault = [...routes, { ...routes[0]!, routeKey: '$default', method: undefined, segments: [] }];
    expect(matchRoute(withDefault, 'DELETE', '/nowhere')?.route.routeKey).toBe('$default');
    expect(matchRoute(withDefault, 'GET', '/public/items/7')?.route.routeKey).toBe('GET /public/items/{itemId}');
  });

  it('refuses integrations it cannot run, with a one-line message', () => {
    const template = fixtureTemplate();
    template.Resources['EchoIntegration']!.Properties!['PayloadFormatVersion'] = '1.0';
    expect(() => routesOf(...(Object.values(platformFor(template)) as [LocalResolver, FunctionHost]))).toThrow(/payload format 2.0 only/);
    const other = fixtureTemplate();
    other.Resources['EchoIntegration']!.Properties!['IntegrationUri'] = { 'Fn::GetAtt': ['UnrelatedFunction', 'Arn'] };
    expect(() => routesOf(...(Object.values(platformFor(other)) as [LocalResolver, FunctionHost]))).toThrow(/not a function with cis:entry metadata/);
  });

  it('passes claims as API Gateway does: every value a string, arrays as [a b]', () => {
    expect(apiGatewayClaims({ 'cognito:groups': ['csr', 'admin'], exp: 1700000000, email_verified: true, sub: 'x', nested: { b: 1, a: ['y'] } })).toEqual({
      'cognito:groups': '[csr admin]',
      exp: '1700000000',
      email_verified: 'true',
      sub: 'x',
      nested: 'map[a:[y] b:1]',
    });
  });
});

describe('the local HTTP API', () => {
  it('builds a payload format 2.0 event with path and query parameters, headers and cookies', async () => {
    const response = await fetch(`${gateway.url}/public/items/item%201?a=1&b=x%20y&a=2`, {
      headers: { 'X-Custom': 'Value', Cookie: 'session=abc; theme=dark', 'User-Agent': 'jest-test' },
    });
    expect(response.headers.get('apigw-requestid')).toEqual(expect.any(String));
    const event = await echo(response);
    expect(event).toMatchObject({
      version: '2.0',
      routeKey: 'GET /public/items/{itemId}',
      rawPath: '/public/items/item%201',
      rawQueryString: 'a=1&b=x%20y&a=2',
      cookies: ['session=abc', 'theme=dark'],
      queryStringParameters: { a: '1,2', b: 'x y' },
      pathParameters: { itemId: 'item 1' },
      isBase64Encoded: false,
      requestContext: {
        accountId: '000000000000',
        apiId: 'HttpApi',
        http: { method: 'GET', path: '/public/items/item%201', protocol: 'HTTP/1.1', sourceIp: '127.0.0.1', userAgent: 'jest-test' },
        routeKey: 'GET /public/items/{itemId}',
        stage: '$default',
        requestId: response.headers.get('apigw-requestid'),
      },
    });
    expect(event.headers).toMatchObject({ 'x-custom': 'Value', host: `127.0.0.1:${gateway.port}`, 'x-forwarded-proto': 'http' });
    expect(event.headers).not.toHaveProperty('cookie');
    expect(event.body).toBeUndefined();
    expect(event.requestContext.authorizer).toBeUndefined();
    expect(event.requestContext.time).toMatch(/^\d{2}\/[A-Z][a-z]{2}\/\d{4}:\d{2}:\d{2}:\d{2} \+0000$/);
    expect(Math.abs(event.requestContext.timeEpoch - Date.now())).toBeLessThan(10_000);
  });

  it('joins repeated headers with commas', async () => {
    const { status, body } = await rawRequest('/public/items/1', { 'x-multi': ['a', 'b'] });
    expect(status).toBe(200);
    expect((JSON.parse(body) as Event).headers['x-multi']).toBe('a,b');
  });

  it('passes JSON bodies as text and other bodies as base64', async () => {
    const json = await echo(await fetch(`${gateway.url}/files/special`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"n":1}' }));
    expect(json).toMatchObject({ routeKey: 'POST /files/special', body: '{"n":1}', isBase64Encoded: false });
    const binary = await echo(
      await fetch(`${gateway.url}/files/upload/x.bin`, { method: 'PUT', headers: { 'content-type': 'application/octet-stream' }, body: new Uint8Array([0, 159, 255]) }),
    );
    expect(binary).toMatchObject({ routeKey: 'ANY /files/{proxy+}', pathParameters: { proxy: 'upload/x.bin' }, isBase64Encoded: true });
    expect(Buffer.from(binary.body!, 'base64')).toEqual(Buffer.from([0, 159, 255]));
  });

  it('answers 413 for a body over the limit', async () => {
    const response = await fetch(`${gateway.url}/files/special`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: 'x'.repeat(65 * 1024) });
    expect(response.status).toBe(413);
    expect(await response.json()).toEqual({ message: 'Request Entity Too Large' });
  });

  it('answers 404 {"message":"Not Found"} when no route matches', async () => {
    for (const [method, url] of [
      ['GET', '/nowhere'],
      ['DELETE', '/public/items/1'],
      ['GET', '/public/items/1/extra'],
    ]) {
      const response = await fetch(`${gateway.url}${url}`, { method });
      expect(response.status).toBe(404);
      expect(await response.json()).toEqual({ message: 'Not Found' });
    }
  });

  describe('a JWT route', () => {
    const url = () => `${gateway.url}/staff/accounts/A-42`;

    it.each([
      ['no Authorization header', undefined],
      ['a garbage token', 'Bearer not-a-jwt'],
      ['an empty bearer', 'Bearer '],
    ])('answers 401 {"message":"Unauthorized"} with %s', async (_label, authorization) => {
      const response = await fetch(url(), authorization === undefined ? {} : { headers: { authorization } });
      expect(response.status).toBe(401);
      expect(await response.json()).toEqual({ message: 'Unauthorized' });
    });

    it('answers 401 for an expired token', async () => {
      const token = await issueToken(key, { staff: 'ana', role: 'csr', ttlSeconds: 60 }, { now: new Date(Date.now() - 7200_000) });
      const response = await fetch(url(), { headers: { authorization: `Bearer ${token}` } });
      expect(response.status).toBe(401);
      expect(response.headers.get('www-authenticate')).toMatch(/expired/);
    });

    it('answers 401 for a token signed by another key', async () => {
      const otherDir = await fs.mkdtemp(path.join(os.tmpdir(), 'cis-gateway-other-'));
      try {
        const token = await issueToken(otherDir, { staff: 'ana', role: 'admin' });
        expect((await fetch(url(), { headers: { authorization: `Bearer ${token}` } })).status).toBe(401);
      } finally {
        await fs.rm(otherDir, { recursive: true, force: true });
      }
    });

    it('invokes the handler with the claims in API Gateway string form for a valid token', async () => {
      const token = await issueToken(dataDir, { staff: 'ana', role: 'billing' });
      const event = await echo(await fetch(`${url()}?include=bills`, { headers: { authorization: `Bearer ${token}` } }));
      expect(event.pathParameters).toEqual({ accountId: 'A-42' });
      expect(event.queryStringParameters).toEqual({ include: 'bills' });
      expect(event.requestContext.authorizer.jwt.scopes).toBeNull();
      const claims = event.requestContext.authorizer.jwt.claims;
      expect(claims).toMatchObject({ 'cognito:username': 'ana', 'cognito:groups': '[billing]', iss: LOCAL_ISSUER, aud: LOCAL_AUDIENCE, token_use: 'id' });
      expect(claims['exp']).toMatch(/^\d+$/);
      expect(claims['iat']).toMatch(/^\d+$/);
      for (const value of Object.values(claims)) expect(typeof value).toBe('string');
    });

    it('passes several groups as "[csr admin]" and accepts a token without the Bearer prefix', async () => {
      const token = await new SignJWT({ 'cognito:username': 'root', 'cognito:groups': ['csr', 'admin'], token_use: 'id' })
        .setProtectedHeader({ alg: 'RS256', kid: key.kid })
        .setIssuer(LOCAL_ISSUER)
        .setAudience(LOCAL_AUDIENCE)
        .setSubject('s-1')
        .setIssuedAt()
        .setExpirationTime('5m')
        .sign(key.privateKey);
      const event = await echo(await fetch(url(), { headers: { authorization: token } }));
      expect(event.requestContext.authorizer.jwt.claims['cognito:groups']).toBe('[csr admin]');
    });

    it('gives customers custom:customerId', async () => {
      const token = await issueToken(key, { customerId: 'C-7' });
      const event = await echo(await fetch(url(), { headers: { authorization: `Bearer ${token}` } }));
      expect(event.requestContext.authorizer.jwt.claims['custom:customerId']).toBe('C-7');
      expect(event.requestContext.authorizer.jwt.claims['cognito:groups']).toBeUndefined();
    });
  });

  describe('handler results', () => {
    it('maps a thrown error to 500 {"message":"Internal Server Error"} and logs it', async () => {
      log.mockClear();
      const response = await fetch(`${gateway.url}/public/items/1?mode=throw`);
      expect(response.status).toBe(500);
      expect(await response.json()).toEqual({ message: 'Internal Server Error' });
      expect(log.mock.calls.flat().join('\n')).toMatch(/EchoFunction threw: FixtureStoreError: the fixture store is down/);
    });

    it('maps a value without statusCode to 200 JSON', async () => {
      const response = await fetch(`${gateway.url}/public/items/1?mode=plain`);
      expect(response.status).toBe(200);
      expect(response.headers.get('content-type')).toBe('application/json');
      expect(await response.json()).toEqual({ hello: 'world', items: [1, 2] });
    });

    it('honours statusCode, headers, cookies and isBase64Encoded', async () => {
      const response = await fetch(`${gateway.url}/public/items/1?mode=cookies`);
      expect(response.status).toBe(201);
      expect(response.headers.get('content-type')).toBe('application/octet-stream');
      expect(response.headers.get('x-count')).toBe('2');
      expect(response.headers.getSetCookie()).toEqual(['a=1; Path=/', 'b=2; HttpOnly']);
      expect(Buffer.from(await response.arrayBuffer())).toEqual(Buffer.from([0, 1, 2, 255]));
    });

    it('answers 500 for a malformed response and says why in the log', async () => {
      log.mockClear();
      const response = await fetch(`${gateway.url}/public/items/1?mode=malformed`);
      expect(response.status).toBe(500);
      expect(log.mock.calls.flat().join('\n')).toMatch(/malformed response: body is a object, not a string/);
    });
  });

  it('answers CORS preflights from the API CorsConfiguration and adds CORS headers', async () => {
    const preflight = await fetch(`${gateway.url}/staff/accounts/A-1`, {
      method: 'OPTIONS',
      headers: { origin: 'http://localhost:5173', 'access-control-request-method': 'GET', 'access-control-request-headers': 'authorization' },
    });
    expect(preflight.status).toBe(204);
    expect(preflight.headers.get('access-control-allow-origin')).toBe('http://localhost:5173');
    expect(preflight.headers.get('access-control-allow-methods')).toBe('GET,POST');
    expect(preflight.headers.get('access-control-allow-headers')).toBe('authorization,content-type');
    expect(preflight.headers.get('access-control-max-age')).toBe('600');
    const actual = await fetch(`${gateway.url}/public/items/1`, { headers: { origin: 'http://localhost:5173' } });
    expect(actual.headers.get('access-control-allow-origin')).toBe('http://localhost:5173');
    const foreign = await fetch(`${gateway.url}/public/items/1`, { headers: { origin: 'http://evil.example' } });
    expect(foreign.headers.get('access-control-allow-origin')).toBeNull();
  });
});

describe('startHttpGateway', () => {
  it('answers 503 when a handler outlives the integration timeout', async () => {
    const slowLog = jest.fn<void, [string]>();
    const slow = await startHttpGateway({ ...platformFor(fixtureTemplate()), port: 0, dataDir, log: slowLog, integrationTimeoutMs: 100 });
    try {
      const response = await fetch(`${slow.url}/public/items/1?mode=slow`);
      expect(response.status).toBe(503);
      expect(await response.json()).toEqual({ message: 'Service Unavailable' });
    } finally {
      await slow.stop();
    }
    await new Promise((resolve) => setTimeout(resolve, 500)); // let the slow fixture handler finish
  });

  it('reports a port in use with the --port option', async () => {
    const blocker = http.createServer();
    await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
    const port = (blocker.address() as AddressInfo).port;
    try {
      const error = await startHttpGateway({ ...platformFor(fixtureTemplate()), port, dataDir, log: jest.fn() }).catch((thrown: unknown) => thrown);
      expect(error).toBeInstanceOf(PlatformError);
      expect((error as Error).message).toBe(`port ${port} is in use: stop what uses it or choose another with --port`);
    } finally {
      await new Promise((resolve) => blocker.close(resolve));
    }
  });

  it('stops idempotently and frees the port', async () => {
    const started = await startHttpGateway({ ...platformFor(fixtureTemplate()), port: 0, dataDir, log: jest.fn() });
    expect((await fetch(`${started.url}/public/items/1`)).status).toBe(200);
    await Promise.all([started.stop(), started.stop()]);
    await started.stop();
    await expect(fetch(`${started.url}/public/items/1`)).rejects.toThrow();
    const again = await startHttpGateway({ ...platformFor(fixtureTemplate()), port: started.port, dataDir, log: jest.fn() });
    await again.stop();
  });
});
