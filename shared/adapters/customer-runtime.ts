/** Lazily wired dependencies of the customer-record handlers, and the route helper they share. */
import middy from '@middy/core';
import type { z } from 'zod';
import type { Logger } from '../app/ports';
import { requireCustomer, requireStaff, type CustomerPrincipal, type StaffPrincipal, type StaffRole } from '../domain/identity';
import { DynamoCustomerRecordStore } from './customer-record-store';
import { apiHandler, authorize, httpErrors, json, parseRequest, type ApiHandler, type HttpResponse, type Routed } from './http';
import { lazy, tableDeps } from './runtime';

export const customerDeps = lazy(() => {
  const table = tableDeps();
  return { ...table, records: new DynamoCustomerRecordStore(table.documentClient, table.tableName) };
});
export type CustomerDeps = ReturnType<typeof customerDeps>;

/** Staff roles that may change the customer record; auditors read only. */
export const RECORD_WRITERS: readonly StaffRole[] = ['csr', 'admin'];
/** Notes and the interaction log: every role that talks to customers. */
export const NOTE_WRITERS: readonly StaffRole[] = ['csr', 'billing', 'admin'];

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
