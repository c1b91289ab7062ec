/**
 * One Lambda function serves several HTTP API routes: API Gateway names the matched route in the
 * event's `routeKey` ("GET /staff/accounts/{accountId}") and fills the path parameters, so the
 * function only picks the route's handler. The routers themselves are generated at synth from the
 * route table in lib/constructs/api.ts (one per function).
 */
import type { HttpEvent } from './http';

export type RouteHandler = (event: HttpEvent, context: unknown) => Promise<unknown>;

export function dispatchByRoute(routes: Readonly<Record<string, RouteHandler>>): RouteHandler {
  return async (event, context) => {
    const handler = Object.prototype.hasOwnProperty.call(routes, event.routeKey) ? routes[event.routeKey] : undefined;
    if (!handler) {
      // A route of the API that this function does not serve: a deployment mistake, never the caller's.
      return { statusCode: 500, headers: { 'content-type': 'application/json' }, body: JSON.stringify({ code: 'RouteNotServed', message: 'this function does not serve the route' }) };
    }
    return handler(event, context);
  };
}
