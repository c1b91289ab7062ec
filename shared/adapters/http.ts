/**
 * API Gateway HTTP API (payload 2.0, JWT authorizer) adapter: middy middlewares that authorize
 * from the token claims, parse query/path/body with a zod schema, and map named errors to JSON
 * responses {"message", "code", "reason"?, "details"?, "issues"?}; `staffRoute` and `portalRoute` chain them around
 * one use case.
 */
import middy, { type MiddlewareObj, type MiddyfiedHandler } from '@middy/core';
import type { APIGatewayProxyEventV2WithJWTAuthorizer, Context } from 'aws-lambda';
import type { z } from 'zod';
import { ConflictError, Forbidden, InvalidInput, NotFoundError, RuleViolation, Unauthenticated } from '../domain/errors';
import { requireCustomer, requireStaff, type Claims, type CustomerPrincipal, type StaffPrincipal, type StaffRole } from '../domain/identity';
import { DependencyUnavailable, TransientStoreError } from '../app/errors';
import type { Logger } from '../app/ports';
import { parseOrThrow } from '../schemas/issues';

export type HttpEvent = APIGatewayProxyEventV2WithJWTAuthorizer;

export interface HttpResponse {
  statusCode: number;
  headers: Record<string, string>;
  body: string;
  /** A binary body (a PDF), base64-encoded as API Gateway expects. */
  isBase64Encoded?: boolean;
}

/** The event after `authorize` and `parseRequest` ran. */
export type Routed<P, I> = HttpEvent & { principal: P; input: I };

/** What API Gateway calls: a raw event in, a response out. */
export type ApiHandler = (event: HttpEvent, context: Context) => Promise<HttpResponse>;

/**
 * Types a middy chain for its caller. Inside the chain the event is `Routed` (the `authorize`
 * and `parseRequest` middlewares add `principal` and `input`); API Gateway passes a raw event.
 */
export function apiHandler<E extends HttpEvent>(chain: MiddyfiedHandler<E, HttpResponse>): ApiHandler {
  return chain as unknown as ApiHandler;
}

export function json(statusCode: number, body: unknown): HttpResponse {
  return { statusCode, headers: { 'content-type': 'application/json', 'cache-control': 'no-store' }, body: JSON.stringify(body) };
}

export function claimsOf(event: HttpEvent): Claims | undefined {
  return event.requestContext?.authorizer?.jwt?.claims;
}

/** Runs `check` on the token claims (requireStaff, requireCustomer) and puts the principal on the event. */
export function authorize<P>(check: (claims: Claims | undefined) => P): MiddlewareObj<Routed<P, unknown>, HttpResponse> {
  return {
    before: (request) => {
      request.event.principal = check(claimsOf(request.event));
    },
  };
}

function lowerCaseHeaders(headers: HttpEvent['headers'] | undefined): Record<string, string> {
  return Object.fromEntries(Object.entries(headers ?? {}).flatMap(([name, value]) => (value === undefined ? [] : [[name.toLowerCase(), value]])));
}

function bodyOf(event: HttpEvent): unknown {
  if (event.body === undefined || event.body === null || event.body === '') return undefined;
  const text = event.isBase64Encoded ? Buffer.from(event.body, 'base64').toString('utf8') : event.body;
  try {
    return JSON.parse(text);
  } catch {
    throw new InvalidInput('the request body is not valid JSON', [{ path: 'body', message: 'not valid JSON' }]);
  }
}

/** Parses {query, path, body, headers} (header names lower case) with `schema` and puts the result on the event as `input`. */
export function parseRequest<S extends z.ZodType>(schema: S): MiddlewareObj<Routed<unknown, z.output<S>>, HttpResponse> {
  return {
    before: (request) => {
      const event = request.event;
      request.event.input = parseOrThrow(schema, { query: event.queryStringParameters ?? {}, path: event.pathParameters ?? {}, body: bodyOf(event), headers: lowerCaseHeaders(event.headers) }, 'request');
    },
  };
}

export function statusOf(error: unknown): number {
  if (error instanceof InvalidInput) return 400;
  if (error instanceof Unauthenticated) return 401;
  if (error instanceof Forbidden) return 403;
  if (error instanceof NotFoundError) return 404;
  if (error instanceof ConflictError) return 409;
  if (error instanceof RuleViolation) return 422;
  if (error instanceof DependencyUnavailable || error instanceof TransientStoreError) return 503;
  return 500;
}

export function errorResponse(error: unknown): HttpResponse {
  const status = statusOf(error);
  if (status === 500 || !(error instanceof Error)) return json(500, { message: 'Internal server error' });
  const body: { message: string; code: string; reason?: string; details?: Record<string, unknown>; issues?: ReadonlyArray<{ path: string; message: string }> } = { message: error.message, code: error.name };
  if (error instanceof RuleViolation || error instanceof ConflictError) body.reason = error.reason;
  if (error instanceof ConflictError && error.details) body.details = error.details;
  if (error instanceof InvalidInput && error.issues.length > 0) body.issues = error.issues;
  if (status === 503) body.message = `${error.message} (temporary; try again)`;
  return json(status, body);
}

/** Maps named errors to JSON responses; anything else is a logged 500 without internals. */
export function httpErrors(log: Logger): MiddlewareObj<HttpEvent, HttpResponse> {
  return {
    onError: (request) => {
      const error = request.error;
      const response = errorResponse(error);
      const fields = { status: response.statusCode, route: request.event?.routeKey, error: error instanceof Error ? `${error.name}: ${error.message}` : String(error) };
      if (response.statusCode >= 500) log.error('request failed', { ...fields, stack: error instanceof Error ? error.stack : undefined });
      else log.info('request refused', fields);
      request.response = response;
    },
  };
}

/** A staff route: role check, zod parse, one use case, JSON out. */
export function staffRoute<S extends z.ZodType, R>(log: Logger, roles: readonly StaffRole[] | undefined, schema: S, status: number, run: (principal: StaffPrincipal, input: z.output<S>) => Promise<R>): ApiHandler {
  const chain = middy<Routed<StaffPrincipal, z.output<S>>, HttpResponse>()
    .use(httpErrors(log))
    .use(authorize((claims) => requireStaff(claims, roles)))
    .use(parseRequest(schema))
    .handler(async ({ principal, input }) => json(status, await run(principal, input)));
  return apiHandler(chain);
}

/** A portal route: a customer token, zod parse, one use case. */
export function portalRoute<S extends z.ZodType, R>(log: Logger, schema: S, status: number, run: (principal: CustomerPrincipal, input: z.output<S>) => Promise<R>): ApiHandler {
  const chain = middy<Routed<CustomerPrincipal, z.output<S>>, HttpResponse>()
    .use(httpErrors(log))
    .use(authorize(requireCustomer))
    .use(parseRequest(schema))
    .handler(async ({ principal, input }) => json(status, await run(principal, input)));
  return apiHandler(chain);
}

/** What a use case answers when it picks the status itself (an idempotent request replays its first answer). */
export interface Answer {
  statusCode: number;
  body: unknown;
}

/** A staff route whose use case returns the status code with the body. */
export function staffAnswerRoute<S extends z.ZodType>(log: Logger, roles: readonly StaffRole[] | undefined, schema: S, run: (principal: StaffPrincipal, input: z.output<S>) => Promise<Answer>): ApiHandler {
  const chain = middy<Routed<StaffPrincipal, z.output<S>>, HttpResponse>()
    .use(httpErrors(log))
    .use(authorize((claims) => requireStaff(claims, roles)))
    .use(parseRequest(schema))
    .handler(async ({ principal, input }) => {
      const answer = await run(principal, input);
      return json(answer.statusCode, answer.body);
    });
  return apiHandler(chain);
}

/** A portal route whose use case returns the status code with the body. */
export function portalAnswerRoute<S extends z.ZodType>(log: Logger, schema: S, run: (principal: CustomerPrincipal, input: z.output<S>) => Promise<Answer>): ApiHandler {
  const chain = middy<Routed<CustomerPrincipal, z.output<S>>, HttpResponse>()
    .use(httpErrors(log))
    .use(authorize(requireCustomer))
    .use(parseRequest(schema))
    .handler(async ({ principal, input }) => {
      const answer = await run(principal, input);
      return json(answer.statusCode, answer.body);
    });
  return apiHandler(chain);
}
