/** Every customer-record route checks the role (or the customer) and the body before it touches the table. */
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { DynamoCustomerRecordStore } from '../../../shared/adapters/customer-record-store';
import { DynamoLedgerStore } from '../../../shared/adapters/ledger-store';
import type { ApiHandler } from '../../../shared/adapters/http';
import { bodyOf, context, customerClaims, httpEvent, staffClaims, TABLE, tableDeps } from '../helpers';

const ddb = mockClient(DynamoDBDocumentClient);
const deps = () => {
  const table = tableDeps();
  return { ...table, records: new DynamoCustomerRecordStore(table.documentClient, TABLE), ledger: new DynamoLedgerStore(table.documentClient, TABLE) };
};
type Module = { createHandler: (d: ReturnType<typeof deps>) => ApiHandler };
const load = (entry: string): Module => require(`../../../functions/${entry}`) as Module;

const address = { line1: '1 Main St', city: 'Springfield', state: 'IL', zip: '62701' };
/** route, handler, path parameters, a valid body, who may, who may not. */
const ROUTES: Array<[string, string, Record<string, string>, unknown, string[], string[]]> = [
  ['POST /staff/premises', 'staff/create-premise', {}, { address, serviceTypes: ['water'] }, ['csr', 'admin'], ['auditor', 'billing']],
  ['POST /staff/meters', 'staff/register-meter', {}, { meterId: 'M1', serviceType: 'water', unit: 'gal' }, ['admin'], ['csr', 'auditor', 'billing']],
  ['POST /staff/service-applications', 'staff/apply-for-service', {}, { customerId: 'C1', premiseId: 'P1', services: [{ serviceType: 'water' }] }, ['csr', 'admin'], ['auditor', 'billing']],
  ['POST /staff/move-ins', 'staff/move-in', {}, { customerId: 'C1', premiseId: 'P1', startDate: '2026-03-01', services: [{ serviceType: 'water' }] }, ['csr', 'admin'], ['auditor', 'billing']],
  ['POST /staff/accounts/{accountId}/activation', 'staff/activate-service', { accountId: 'A1' }, { startDate: '2026-03-01' }, ['csr', 'admin'], ['auditor', 'billing']],
  ['POST /staff/accounts/{accountId}/move-out', 'staff/move-out', { accountId: 'A1' }, { endDate: '2026-03-01' }, ['csr', 'admin'], ['auditor', 'billing']],
  ['POST /staff/accounts/{accountId}/transfer', 'staff/transfer-service', { accountId: 'A1' }, { date: '2026-03-01', toPremiseId: 'P2' }, ['csr', 'admin'], ['auditor', 'billing']],
  ['POST /staff/accounts/{accountId}/stop', 'staff/stop-service', { accountId: 'A1' }, { endDate: '2026-03-01' }, ['csr', 'admin'], ['auditor', 'billing']],
  ['POST /staff/accounts/{accountId}/reopen', 'staff/reopen-account', { accountId: 'A1' }, { startDate: '2026-03-01' }, ['csr', 'admin'], ['auditor', 'billing']],
  ['POST /staff/accounts/{accountId}/notes', 'staff/add-account-note', { accountId: 'A1' }, { text: 'hello' }, ['csr', 'billing', 'admin'], ['auditor']],
  ['POST /staff/service-orders', 'staff/create-service-order', {}, { type: 'RE_READ', servicePointId: 'P1-WATER' }, ['csr', 'admin'], ['auditor', 'billing']],
  ['POST /staff/service-orders/{orderId}/transitions', 'staff/transition-service-order', { orderId: 'O1' }, { action: 'cancel' }, ['csr', 'admin'], ['auditor', 'billing']],
  ['PATCH /staff/customers/{customerId}', 'staff/update-customer', { customerId: 'C1' }, { billDelivery: 'PAPER' }, ['csr', 'admin'], ['auditor', 'billing']],
  ['GET /staff/accounts/{accountId}/overview', 'staff/get-account-overview', { accountId: 'A1' }, undefined, ['csr', 'billing', 'admin', 'auditor'], []],
  ['GET /staff/service-orders/{orderId}', 'staff/get-service-order', { orderId: 'O1' }, undefined, ['csr', 'billing', 'admin', 'auditor'], []],
];

describe('staff routes of the customer record', () => {
  beforeEach(() => {
    ddb.reset();
    ddb.onAnyCommand().resolves({});
  });

  it.each(ROUTES.flatMap(([routeKey, entry, pathParameters, body, , denied]) => [...denied.map((role) => [routeKey, entry, pathParameters, body, role] as const)]))('%s refuses %s', async (routeKey, entry, pathParameters, body, role) => {
    const response = await load(entry).createHandler(deps())(httpEvent({ routeKey, claims: staffClaims(`[${role === 'billing' ? 'billing' : role}]`), pathParameters, body }), context);
    expect(response.statusCode).toBe(403);
    expect(ddb.calls()).toHaveLength(0);
  });

  it.each(ROUTES.map(([routeKey, entry, pathParameters, body]) => [routeKey, entry, pathParameters, body] as const))('%s refuses customers and tokens without roles', async (routeKey, entry, pathParameters, body) => {
    for (const claims of [customerClaims('C1'), { sub: 'x', 'cognito:username': 'x' }]) {
      expect((await load(entry).createHandler(deps())(httpEvent({ routeKey, claims, pathParameters, body }), context)).statusCode).toBe(403);
    }
    expect(ddb.calls()).toHaveLength(0);
  });

  it.each(ROUTES.filter(([, , , body]) => body !== undefined).map(([routeKey, entry, pathParameters, , allowed]) => [routeKey, entry, pathParameters, allowed[0]!] as const))('%s answers 400 naming the field for a bad body', async (routeKey, entry, pathParameters, role) => {
    const response = await load(entry).createHandler(deps())(httpEvent({ routeKey, claims: staffClaims(`[${role}]`), pathParameters, body: { unexpected: 1 } }), context);
    expect(response.statusCode).toBe(400);
    expect(JSON.stringify(bodyOf(response))).toContain('unexpected');
    expect(ddb.calls()).toHaveLength(0);
  });

  it.each(ROUTES.flatMap(([routeKey, entry, pathParameters, body, allowed]) => allowed.map((role) => [routeKey, entry, pathParameters, body, role] as const)))('%s lets %s through to the table', async (routeKey, entry, pathParameters, body, role) => {
    const response = await load(entry).createHandler(deps())(httpEvent({ routeKey, claims: staffClaims(`[${role}]`), pathParameters, body }), context);
    expect(response.statusCode).not.toBe(403);
    expect(ddb.calls().length).toBeGreaterThan(0);
  });
});

describe('portal routes of the customer record', () => {
  beforeEach(() => {
    ddb.reset();
    ddb.onAnyCommand().resolves({});
  });

  it.each([
    ['GET /portal/accounts/{accountId}/service-orders', 'portal/list-service-orders', { accountId: 'A1' }, undefined],
    ['POST /portal/accounts/{accountId}/service-orders', 'portal/request-service-order', { accountId: 'A1' }, { type: 'RE_READ', description: 'please' }],
    ['PATCH /portal/preferences', 'portal/update-my-preferences', {}, { billDelivery: 'PAPER' }],
    ['GET /portal/preferences', 'portal/get-my-preferences', {}, undefined],
  ] as const)('%s is for customers only', async (routeKey, entry, pathParameters, body) => {
    const response = await load(entry).createHandler(deps())(httpEvent({ routeKey, claims: staffClaims('[admin]'), pathParameters, body }), context);
    expect(response.statusCode).toBe(403);
    expect(ddb.calls()).toHaveLength(0);
  });

  it("answers 403 for someone else's (or an unknown) account", async () => {
    const response = await load('portal/request-service-order').createHandler(deps())(httpEvent({ routeKey: 'POST /portal/accounts/{accountId}/service-orders', claims: customerClaims('C1'), pathParameters: { accountId: 'A9' }, body: { type: 'RE_READ', description: 'x' } }), context);
    expect(response.statusCode).toBe(403);
  });

  it('refuses order types a customer may not request', async () => {
    const response = await load('portal/request-service-order').createHandler(deps())(httpEvent({ routeKey: 'POST /portal/accounts/{accountId}/service-orders', claims: customerClaims('C1'), pathParameters: { accountId: 'A1' }, body: { type: 'DISCONNECT', description: 'x' } }), context);
    expect(response.statusCode).toBe(400);
    expect(JSON.stringify(bodyOf(response))).toContain('type');
  });
});
