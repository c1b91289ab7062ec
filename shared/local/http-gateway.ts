/**
 * Local API Gateway HTTP API: routes, Lambda proxy integrations (payload format 2.0) and the JWT
 * authorizer are read from the template; requests become APIGatewayProxyEventV2 events for the
 * handler modules running in this process, and handler results become HTTP responses the way
 * API Gateway maps them.
 */
import { randomBytes } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { APIGatewayProxyEventV2WithJWTAuthorizer } from 'aws-lambda';
import { listenError, PlatformError } from './errors';
import { InvalidTokenError, issueToken, loadOrCreateSigningKey, TokenRequestError, verifyToken } from './local-auth';
import type { SigningKey } from './local-auth';
import { functionByArn, LOCAL_ACCOUNT, resourcesOfType } from './template';
import { serveStatic } from './web-static';
import type { FunctionHost, LocalResolver } from './template';

export const DEFAULT_MAX_BODY_BYTES = 10 * 1024 * 1024;
export const DEFAULT_INTEGRATION_TIMEOUT_MS = 30_000;

type Segment = { kind: 'literal'; value: string } | { kind: 'variable'; name: string } | { kind: 'greedy'; name: string };

export interface GatewayRoute {
  /** As in the template: `GET /staff/accounts/{accountId}`, `ANY /x/{proxy+}` or `$default`. */
  routeKey: string;
  /** Upper-case method, `ANY`, or undefined for `$default`. */
  method?: string;
  segments: Segment[];
  apiId: string;
  /** Logical id of the Lambda function the route's integration invokes. */
  functionId: string;
  authorizationType: 'NONE' | 'JWT';
}

interface CorsConfiguration {
  allowOrigins: string[];
  allowMethods: string[];
  allowHeaders: string[];
  exposeHeaders: string[];
  maxAge?: number;
  allowCredentials: boolean;
}

export interface HttpGatewayOptions {
  resolver: LocalResolver;
  host: FunctionHost;
  /** Port on 127.0.0.1 (0 picks a free one). */
  port: number;
  /** The data dir holding auth/signing-key.json (created if missing). */
  dataDir: string;
  log: (line: string) => void;
  /** Requests with a larger body get 413 (API Gateway's limit is 10 MB). */
  maxBodyBytes?: number;
  /** Integration timeout; a slower handler gets 503 (API Gateway: 30 s). */
  integrationTimeoutMs?: number;
  /**
   * The built web apps (`portal/` and `console/` inside): GET requests that match no API route
   * are served from them, the portal at `/` and the staff console at `/console/`.
   */
  webDir?: string;
  /** Answer `POST /local/sign-in` with a local token (the local platform only; Cognito in AWS). */
  localSignIn?: boolean;
}

export interface HttpGateway {
  url: string;
  port: number;
  routes: GatewayRoute[];
  stop(): Promise<void>;
}

function parseRouteKey(routeKey: string, owner: string): Pick<GatewayRoute, 'method' | 'segments'> {
  if (routeKey === '$default') return { method: undefined, segments: [] };
  const match = /^([A-Z]+) (\/\S*)$/.exec(routeKey);
  if (!match) throw new PlatformError(`route ${owner} has an unsupported RouteKey ${JSON.stringify(routeKey)}`);
  const [, method, routePath] = match as unknown as [string, string, string];
  const parts = routePath === '/' ? [] : routePath.slice(1).split('/');
  const segments = parts.map((part, index): Segment => {
    const variable = /^\{([A-Za-z0-9_.-]+)(\+?)\}$/.exec(part);
    if (!variable) return { kind: 'literal', value: part };
    if (variable[2] === '+') {
      if (index !== parts.length - 1) throw new PlatformError(`route ${owner}: a greedy path variable must be last in ${routeKey}`);
      return { kind: 'greedy', name: variable[1]! };
    }
    return { kind: 'variable', name: variable[1]! };
  });
  return { method, segments };
}

/** The Lambda function ARN inside an integration URI (plain ARN or the apigateway invocation URI). */
function functionArnOf(integrationUri: string): string {
  const wrapped = /:lambda:path\/[^/]+\/functions\/(.+)\/invocations$/.exec(integrationUri);
  return wrapped ? wrapped[1]! : integrationUri;
}

/** Reads the HTTP API routes and their Lambda integrations from the template. */
export function routesOf(resolver: LocalResolver, host: FunctionHost): GatewayRoute[] {
  const template = resolver.template;
  const routes: GatewayRoute[] = [];
  for (const [logicalId, resource] of resourcesOfType(template, 'AWS::ApiGatewayV2::Route')) {
    const properties = resource.Properties ?? {};
    const routeKey = resolver.resolveString(properties['RouteKey']);
    if (properties['Target'] === undefined) throw new PlatformError(`route ${logicalId} (${routeKey}) has no Target integration`);
    const target = resolver.resolveString(properties['Target']);
    const integrationId = /^integrations\/(.+)$/.exec(target)?.[1];
    const integration = integrationId ? template.Resources[integrationId] : undefined;
    if (!integrationId || integration?.Type !== 'AWS::ApiGatewayV2::Integration') {
      throw new PlatformError(`route ${logicalId} (${routeKey}) targets ${target}, which is not an integration of the template`);
    }
    const integrationProperties = integration.Properties ?? {};
    const integrationType = String(integrationProperties['IntegrationType'] ?? '');
    const payloadFormat = String(integrationProperties['PayloadFormatVersion'] ?? '');
    if (integrationType !== 'AWS_PROXY' || payloadFormat !== '2.0') {
      throw new PlatformError(`integration ${integrationId} is ${integrationType} with payload format ${payloadFormat || 'unset'}: the local gateway runs AWS_PROXY Lambda integrations with payload format 2.0 only`);
    }
    const arn = functionArnOf(resolver.resolveString(integrationProperties['IntegrationUri']));
    const fn = functionByArn(host.functions, arn);
    if (!fn) throw new PlatformError(`integration ${integrationId} invokes ${arn}, which is not a function with cis:entry metadata`);
    const authorizationType = String(properties['AuthorizationType'] ?? 'NONE');
    if (authorizationType !== 'NONE' && authorizationType !== 'JWT') {
      throw new PlatformError(`route ${logicalId} (${routeKey}) uses ${authorizationType} authorization: the local gateway supports NONE and JWT`);
    }
    routes.push({
      routeKey,
      ...parseRouteKey(routeKey, logicalId),
      apiId: properties['ApiId'] === undefined ? 'local' : resolver.resolveString(properties['ApiId']),
      functionId: fn.logicalId,
      authorizationType,
    });
  }
  return routes;
}

function corsOf(resolver: LocalResolver): CorsConfiguration | undefined {
  for (const [, resource] of resourcesOfType(resolver.template, 'AWS::ApiGatewayV2::Api')) {
    const cors = resource.Properties?.['CorsConfiguration'];
    if (!cors) continue;
    const config = resolver.resolve(cors) as Record<string, unknown>;
    const list = (value: unknown) => (Array.isArray(value) ? value.map(String) : []);
    return {
      allowOrigins: list(config['AllowOrigins']),
      allowMethods: list(config['AllowMethods']).map((method) => method.toUpperCase()),
      allowHeaders: list(config['AllowHeaders']).map((header) => header.toLowerCase()),
      exposeHeaders: list(config['ExposeHeaders']),
      maxAge: config['MaxAge'] === undefined ? undefined : Number(config['MaxAge']),
      allowCredentials: config['AllowCredentials'] === true,
    };
  }
  return undefined;
}

function safeDecode(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}

export interface RouteMatch {
  route: GatewayRoute;
  pathParameters?: Record<string, string>;
}

/**
 * Selects a route like API Gateway: the most specific path wins (literal over variable over
 * greedy, segment by segment), a route for the method over ANY, and `$default` last.
 */
export function matchRoute(routes: GatewayRoute[], method: string, rawPath: string): RouteMatch | undefined {
  const parts = rawPath === '/' ? [] : rawPath.replace(/^\//, '').split('/');
  let best: { match: RouteMatch; score: number[] } | undefined;
  for (const route of routes) {
    if (route.method === undefined) continue;
    if (route.method !== 'ANY' && route.method !== method) continue;
    const score: number[] = [];
    const parameters: Record<string, string> = {};
    let matched = true;
    for (let index = 0; index < route.segments.length && matched; index++) {
      const segment = route.segments[index]!;
      const part = parts[index];
      if (part === undefined || part === '') {
        matched = false;
      } else if (segment.kind === 'literal') {
        matched = safeDecode(part) === segment.value;
        score.push(3);
      } else if (segment.kind === 'variable') {
        parameters[segment.name] = safeDecode(part);
        score.push(2);
      } else {
        parameters[segment.name] = parts.slice(index).map(safeDecode).join('/');
        score.push(1);
      }
    }
    const greedy = route.segments.at(-1)?.kind === 'greedy';
    if (!matched || (!greedy && parts.length !== route.segments.length)) continue;
    score.push(route.method === 'ANY' ? 0 : 1);
    if (!best || compareScores(score, best.score) > 0) {
      best = { match: { route, ...(Object.keys(parameters).length ? { pathParameters: parameters } : {}) }, score };
    }
  }
  if (best) return best.match;
  const fallback = routes.find((route) => route.method === undefined);
  return fallback ? { route: fallback } : undefined;
}

function compareScores(a: number[], b: number[]): number {
  for (let index = 0; index < Math.max(a.length, b.length); index++) {
    const difference = (a[index] ?? -1) - (b[index] ?? -1);
    if (difference !== 0) return difference;
  }
  return 0;
}

/** A claim value the way the API Gateway JWT authorizer passes it to Lambda: always a string. */
function claimString(value: unknown): string {
  if (typeof value === 'string') return value;
  if (Array.isArray(value)) return `[${value.map(claimString).join(' ')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `map[${entries.map(([key, item]) => `${key}:${claimString(item)}`).join(' ')}]`;
  }
  return String(value);
}

/** Converts verified JWT claims to API Gateway's form (`cognito:groups` ["csr","admin"] -> "[csr admin]"). */
export function apiGatewayClaims(claims: Record<string, unknown>): Record<string, string> {
  return Object.fromEntries(Object.entries(claims).map(([name, value]) => [name, claimString(value)]));
}

/** Whether API Gateway passes a body of this content type as text (otherwise base64). */
function isTextContentType(contentType: string | undefined): boolean {
  if (!contentType) return false;
  const type = contentType.split(';')[0]!.trim().toLowerCase();
  return (
    type.startsWith('text/') ||
    type === 'application/json' ||
    type.endsWith('+json') ||
    type === 'application/xml' ||
    type.endsWith('+xml') ||
    type === 'application/javascript'
  );
}

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/** `12/Mar/2020:19:03:58 +0000`, the requestContext.time format. */
function requestTime(date: Date): string {
  const pad = (value: number) => String(value).padStart(2, '0');
  return `${pad(date.getUTCDate())}/${MONTHS[date.getUTCMonth()]}/${date.getUTCFullYear()}:${pad(date.getUTCHours())}:${pad(date.getUTCMinutes())}:${pad(date.getUTCSeconds())} +0000`;
}

function parseQuery(rawQueryString: string): Record<string, string> | undefined {
  if (!rawQueryString) return undefined;
  const parameters: Record<string, string> = {};
  for (const [name, value] of new URLSearchParams(rawQueryString)) {
    parameters[name] = name in parameters ? `${parameters[name]},${value}` : value;
  }
  return Object.keys(parameters).length ? parameters : undefined;
}

interface RequestParts {
  rawPath: string;
  rawQueryString: string;
  headers: Record<string, string>;
  cookies?: string[];
}

function requestParts(req: http.IncomingMessage): RequestParts {
  let target = req.url ?? '/';
  if (!target.startsWith('/')) {
    try {
      const url = new URL(target);
      target = `${url.pathname}${url.search}`;
    } catch {
      target = '/';
    }
  }
  const hash = target.indexOf('#');
  if (hash >= 0) target = target.slice(0, hash);
  const question = target.indexOf('?');
  const rawPath = question >= 0 ? target.slice(0, question) : target;
  const rawQueryString = question >= 0 ? target.slice(question + 1) : '';
  const headers: Record<string, string> = {};
  const cookies: string[] = [];
  for (let index = 0; index + 1 < req.rawHeaders.length; index += 2) {
    const name = req.rawHeaders[index]!.toLowerCase();
    const value = req.rawHeaders[index + 1]!;
    if (name === 'cookie') {
      cookies.push(...value.split(';').map((cookie) => cookie.trim()).filter(Boolean));
    } else {
      headers[name] = name in headers ? `${headers[name]},${value}` : value;
    }
  }
  return { rawPath: rawPath || '/', rawQueryString, headers, ...(cookies.length ? { cookies } : {}) };
}

function sourceIpOf(req: http.IncomingMessage): string {
  const address = req.socket.remoteAddress ?? '127.0.0.1';
  return address.startsWith('::ffff:') ? address.slice(7) : address;
}

function newRequestId(): string {
  return randomBytes(10).toString('base64');
}

function traceId(now: number): string {
  return `Root=1-${Math.floor(now / 1000).toString(16)}-${randomBytes(12).toString('hex')}`;
}

export interface HttpResult {
  status: number;
  headers: Array<[string, string]>;
  body: Buffer;
}

function jsonResult(status: number, value: unknown, headers: Array<[string, string]> = []): HttpResult {
  return { status, headers: [['content-type', 'application/json'], ...headers], body: Buffer.from(JSON.stringify(value)) };
}

class ResponseFormatError extends Error {
  override name = 'ResponseFormatError';
}

/** Maps a handler's return value to an HTTP response like API Gateway (payload format 2.0). */
export function mapHandlerResult(result: unknown): HttpResult {
  if (result !== null && typeof result === 'object' && !Array.isArray(result) && 'statusCode' in result) {
    const response = result as { statusCode: unknown; headers?: unknown; cookies?: unknown; body?: unknown; isBase64Encoded?: unknown };
    const status = Number(response.statusCode);
    if (!Number.isInteger(status) || status < 100 || status > 599) throw new ResponseFormatError(`statusCode ${JSON.stringify(response.statusCode)} is not an HTTP status`);
    const headers: Array<[string, string]> = [];
    if (response.headers !== undefined && response.headers !== null) {
      if (typeof response.headers !== 'object' || Array.isArray(response.headers)) throw new ResponseFormatError('headers is not an object');
      for (const [name, value] of Object.entries(response.headers as Record<string, unknown>)) {
        if (value === undefined || value === null) continue;
        headers.push([name.toLowerCase(), String(value)]);
      }
    }
    if (response.cookies !== undefined && response.cookies !== null) {
      if (!Array.isArray(response.cookies)) throw new ResponseFormatError('cookies is not an array');
      for (const cookie of response.cookies) headers.push(['set-cookie', String(cookie)]);
    }
    if (response.body !== undefined && response.body !== null && typeof response.body !== 'string') {
      throw new ResponseFormatError(`body is a ${typeof response.body}, not a string`);
    }
    const text = (response.body as string | undefined) ?? '';
    const body = response.isBase64Encoded === true ? Buffer.from(text, 'base64') : Buffer.from(text, 'utf8');
    return { status, headers, body };
  }
  return jsonResult(200, result === undefined ? null : result);
}

function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T | typeof TIMED_OUT> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<typeof TIMED_OUT>((resolve) => {
    timer = setTimeout(() => resolve(TIMED_OUT), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}
const TIMED_OUT = Symbol('timed out');

class BodyTooLarge extends Error {}

function readBody(req: http.IncomingMessage, limit: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const declared = Number(req.headers['content-length']);
    if (Number.isFinite(declared) && declared > limit) {
      reject(new BodyTooLarge());
      return;
    }
    const chunks: Buffer[] = [];
    let size = 0;
    let failed = false;
    req.on('data', (chunk: Buffer) => {
      if (failed) return;
      size += chunk.length;
      if (size > limit) {
        failed = true;
        reject(new BodyTooLarge());
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => {
      if (!failed) resolve(Buffer.concat(chunks));
    });
    req.on('error', (error) => {
      if (!failed) reject(error);
    });
  });
}

/** Starts the local HTTP API on 127.0.0.1:port. */
export async function startHttpGateway(options: HttpGatewayOptions): Promise<HttpGateway> {
  const { resolver, host, log } = options;
  const maxBodyBytes = options.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES;
  const integrationTimeoutMs = options.integrationTimeoutMs ?? DEFAULT_INTEGRATION_TIMEOUT_MS;
  const routes = routesOf(resolver, host);
  const cors = corsOf(resolver);
  const signingKey: SigningKey | undefined = routes.some((route) => route.authorizationType === 'JWT') ? await loadOrCreateSigningKey(options.dataDir) : undefined;

  function corsHeaders(origin: string | undefined): Array<[string, string]> {
    if (!cors || !origin) return [];
    const allowed = cors.allowOrigins.includes('*') || cors.allowOrigins.includes(origin);
    if (!allowed) return [];
    const headers: Array<[string, string]> = [
      ['access-control-allow-origin', cors.allowCredentials || !cors.allowOrigins.includes('*') ? origin : '*'],
      ['vary', 'origin'],
    ];
    if (cors.allowCredentials) headers.push(['access-control-allow-credentials', 'true']);
    if (cors.exposeHeaders.length) headers.push(['access-control-expose-headers', cors.exposeHeaders.join(',')]);
    return headers;
  }

  function preflight(req: http.IncomingMessage): HttpResult | undefined {
    if (!cors || req.method !== 'OPTIONS') return undefined;
    const origin = req.headers.origin;
    const requestedMethod = req.headers['access-control-request-method'];
    if (!origin || !requestedMethod) return undefined;
    const headers = corsHeaders(origin);
    if (headers.length) {
      const methods = cors.allowMethods.includes('*') ? String(requestedMethod).toUpperCase() : cors.allowMethods.join(',');
      headers.push(['access-control-allow-methods', methods]);
      const requestedHeaders = req.headers['access-control-request-headers'];
      const allowHeaders = cors.allowHeaders.includes('*') ? String(requestedHeaders ?? '') : cors.allowHeaders.join(',');
      if (allowHeaders) headers.push(['access-control-allow-headers', allowHeaders]);
      if (cors.maxAge !== undefined) headers.push(['access-control-max-age', String(cors.maxAge)]);
    }
    return { status: 204, headers, body: Buffer.alloc(0) };
  }

  async function authorize(headers: Record<string, string>): Promise<{ claims: Record<string, string> } | { denied: HttpResult }> {
    const header = headers['authorization'];
    const unauthorized = (description: string) => ({
      denied: jsonResult(401, { message: 'Unauthorized' }, [['www-authenticate', `Bearer error="invalid_token" error_description="${description}"`]]),
    });
    if (!header) return unauthorized('the Authorization header is missing');
    // Like the JWT authorizer, accept the token with or without the Bearer prefix.
    const token = header.replace(/^Bearer\s+/i, '').trim();
    try {
      return { claims: apiGatewayClaims(await verifyToken(signingKey!, token)) };
    } catch (error) {
      if (error instanceof InvalidTokenError) return unauthorized(error.message);
      throw error;
    }
  }

  /** POST /local/sign-in {customerId} or {staff, role}: a signed local token, like Cognito's sign-in. */
  async function localSignIn(req: http.IncomingMessage): Promise<HttpResult> {
    let body: Buffer;
    try {
      body = await readBody(req, 16 * 1024);
    } catch (error) {
      if (error instanceof BodyTooLarge) return jsonResult(413, { message: 'Request Entity Too Large' }, [['connection', 'close']]);
      throw error;
    }
    let request: unknown;
    try {
      request = JSON.parse(body.toString('utf8'));
    } catch {
      return jsonResult(400, { message: 'the body is not JSON: give {"customerId"} or {"staff","role"}', code: 'BadRequest' });
    }
    if (request === null || typeof request !== 'object' || Array.isArray(request)) return jsonResult(400, { message: 'the body is not a JSON object: give {"customerId"} or {"staff","role"}', code: 'BadRequest' });
    try {
      const key = signingKey ?? (await loadOrCreateSigningKey(options.dataDir));
      const token = await issueToken(key, request as Parameters<typeof issueToken>[1]);
      const { exp } = JSON.parse(Buffer.from(token.split('.')[1]!, 'base64url').toString('utf8')) as { exp: number };
      return jsonResult(200, { token, expiresAt: new Date(exp * 1000).toISOString() }, [['cache-control', 'no-store']]);
    } catch (error) {
      if (error instanceof TokenRequestError) return jsonResult(400, { message: error.message, code: 'BadRequest' });
      throw error;
    }
  }

  async function handle(req: http.IncomingMessage, requestId: string, started: number): Promise<{ result: HttpResult; routeKey?: string }> {
    const method = (req.method ?? 'GET').toUpperCase();
    const parts = requestParts(req);
    if (options.localSignIn && parts.rawPath === '/local/sign-in') {
      if (method === 'POST') return { result: await localSignIn(req), routeKey: 'POST /local/sign-in' };
      req.resume();
      return { result: jsonResult(405, { message: 'Method Not Allowed' }, [['allow', 'POST']]) };
    }
    const match = matchRoute(routes, method, parts.rawPath);
    if (!match) {
      req.resume();
      const page = options.webDir && (method === 'GET' || method === 'HEAD') ? await serveStatic(options.webDir, parts.rawPath) : undefined;
      return { result: page ?? jsonResult(404, { message: 'Not Found' }) };
    }
    const { route } = match;
    let claims: Record<string, string> | undefined;
    if (route.authorizationType === 'JWT') {
      const authorized = await authorize(parts.headers);
      if ('denied' in authorized) {
        req.resume();
        return { result: authorized.denied, routeKey: route.routeKey };
      }
      claims = authorized.claims;
    }
    let body: Buffer;
    try {
      body = await readBody(req, maxBodyBytes);
    } catch (error) {
      if (error instanceof BodyTooLarge) return { result: jsonResult(413, { message: 'Request Entity Too Large' }, [['connection', 'close']]), routeKey: route.routeKey };
      throw error;
    }
    const localPort = req.socket.localPort ?? 0;
    const headers = {
      ...parts.headers,
      'x-forwarded-for': parts.headers['x-forwarded-for'] ? `${parts.headers['x-forwarded-for']},${sourceIpOf(req)}` : sourceIpOf(req),
      'x-forwarded-port': String(localPort),
      'x-forwarded-proto': 'http',
      'x-amzn-trace-id': parts.headers['x-amzn-trace-id'] ?? traceId(started),
    };
    const domainName = parts.headers['host'] ?? `127.0.0.1:${localPort}`;
    const text = isTextContentType(parts.headers['content-type']);
    const queryStringParameters = parseQuery(parts.rawQueryString);
    const event: APIGatewayProxyEventV2WithJWTAuthorizer = {
      version: '2.0',
      routeKey: route.routeKey,
      rawPath: parts.rawPath,
      rawQueryString: parts.rawQueryString,
      ...(parts.cookies ? { cookies: parts.cookies } : {}),
      headers,
      ...(queryStringParameters ? { queryStringParameters } : {}),
      requestContext: {
        accountId: LOCAL_ACCOUNT,
        apiId: route.apiId,
        domainName,
        domainPrefix: domainName.split('.')[0]!,
        http: {
          method,
          path: parts.rawPath,
          protocol: `HTTP/${req.httpVersion}`,
          sourceIp: sourceIpOf(req),
          userAgent: parts.headers['user-agent'] ?? '',
        },
        requestId,
        routeKey: route.routeKey,
        stage: '$default',
        time: requestTime(new Date(started)),
        timeEpoch: started,
        ...(claims ? { authorizer: { jwt: { claims, scopes: null } } } : {}),
      } as APIGatewayProxyEventV2WithJWTAuthorizer['requestContext'],
      ...(match.pathParameters ? { pathParameters: match.pathParameters } : {}),
      ...(body.length ? { body: text ? body.toString('utf8') : body.toString('base64') } : {}),
      isBase64Encoded: body.length > 0 && !text,
    };
    let outcome: unknown;
    try {
      outcome = await withTimeout(host.invoke(route.functionId, event), integrationTimeoutMs);
    } catch (error) {
      log(`http: ${method} ${parts.rawPath} (${route.routeKey}) -> ${route.functionId} threw: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
      return { result: jsonResult(500, { message: 'Internal Server Error' }), routeKey: route.routeKey };
    }
    if (outcome === TIMED_OUT) {
      log(`http: ${method} ${parts.rawPath} (${route.routeKey}) -> ${route.functionId} did not answer within ${integrationTimeoutMs} ms`);
      return { result: jsonResult(503, { message: 'Service Unavailable' }), routeKey: route.routeKey };
    }
    try {
      return { result: mapHandlerResult(outcome), routeKey: route.routeKey };
    } catch (error) {
      log(`http: ${method} ${parts.rawPath} (${route.routeKey}) -> ${route.functionId} returned a malformed response: ${(error as Error).message}`);
      return { result: jsonResult(500, { message: 'Internal Server Error' }), routeKey: route.routeKey };
    }
  }

  const server = http.createServer((req, res) => {
    const started = Date.now();
    const requestId = newRequestId();
    const preflightResult = preflight(req);
    const preflighted = preflightResult !== undefined;
    (preflightResult ? Promise.resolve<{ result: HttpResult; routeKey?: string }>({ result: preflightResult }) : handle(req, requestId, started))
      .catch((error: unknown): { result: HttpResult; routeKey?: string } => {
        log(`http: ${req.method} ${req.url} failed in the gateway: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
        return { result: jsonResult(500, { message: 'Internal Server Error' }) };
      })
      .then(({ result, routeKey }) => {
        // With a CorsConfiguration, API Gateway replaces the backend's CORS headers with its own.
        const own = preflighted ? result.headers : cors ? [...result.headers.filter(([name]) => !name.startsWith('access-control-')), ...corsHeaders(req.headers.origin)] : result.headers;
        const headers: Array<[string, string]> = [...own, ['apigw-requestid', requestId]];
        const grouped = new Map<string, string[]>();
        for (const [name, value] of headers) grouped.set(name, [...(grouped.get(name) ?? []), value]);
        if (!res.headersSent && !res.destroyed) {
          for (const [name, values] of grouped) res.setHeader(name, name === 'set-cookie' ? values : values.join(','));
          res.statusCode = result.status;
          res.end(req.method === 'HEAD' ? undefined : result.body);
          if (result.status === 413) res.on('finish', () => req.socket.destroy());
        }
        log(`http: ${req.method} ${req.url} ${routeKey ? `(${routeKey}) ` : ''}${result.status} ${Date.now() - started} ms`);
      });
  });

  await new Promise<void>((resolve, reject) => {
    const onError = (error: Error) => reject(listenError(error, options.port, '--port'));
    server.once('error', onError);
    server.listen(options.port, '127.0.0.1', () => {
      server.off('error', onError);
      resolve();
    });
  });
  server.on('error', (error) => log(`http: server error: ${error.message}`));
  const port = (server.address() as AddressInfo).port;

  let stopping: Promise<void> | undefined;
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    routes,
    stop() {
      stopping ??= new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeIdleConnections();
        // Requests still running get a moment to finish, then their connections are closed.
        setTimeout(() => server.closeAllConnections(), 1000).unref();
      });
      return stopping;
    },
  };
}
