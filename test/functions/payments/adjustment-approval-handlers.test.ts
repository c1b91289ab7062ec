/** The adjustment approval routes over API Gateway events: 201 or 202 by role and limit, 400s naming the field, 403s for the wrong decider. */
import type { Context } from 'aws-lambda';
import { createHandler as adjust } from '../../../functions/staff/adjust-balance';
import { createHandler as decide } from '../../../functions/staff/decide-adjustment-request';
import { createHandler as list } from '../../../functions/staff/list-adjustment-requests';
import { createHandler as listOrders } from '../../../functions/staff/list-service-orders';
import { clockAt, MemoryAccounts, silentLogger } from '../../unit/app/fakes';
import { MemoryLedger } from '../../unit/app/ledger-fakes';
import { bodyOf, httpEvent, NOW, staffClaims, testAccount } from '../helpers';

const context = {} as Context;

function deps() {
  let ids = 0;
  return { ledger: new MemoryLedger(), accounts: new MemoryAccounts([testAccount()]), clock: clockAt(NOW), newId: () => `id-${++ids}`, approvalLimit: '100.00', log: silentLogger() };
}

const adjustEvent = (body: unknown, claims = staffClaims('csr', 'cara'), key = 'key-1') => {
  const event = httpEvent({ routeKey: 'POST /staff/accounts/{accountId}/adjustments', claims, pathParameters: { accountId: 'A0001' }, body });
  return { ...event, headers: { ...event.headers, 'Idempotency-Key': key } };
};
const decideEvent = (requestId: string, body: unknown, claims: Record<string, unknown>) =>
  httpEvent({ routeKey: 'POST /staff/adjustment-requests/{accountId}/{requestId}/decision', claims, pathParameters: { accountId: 'A0001', requestId }, body });
const credit = { amount: '25.01', direction: 'credit', reason: 'leak allowance' };

describe('POST /staff/accounts/{accountId}/adjustments', () => {
  it('answers 202 with the pending request for a CSR above the CSR limit and 201 with the entry for billing within the approval limit', async () => {
    const d = deps();
    const pending = await adjust(d)(adjustEvent(credit), context);
    expect(pending.statusCode).toBe(202);
    expect(bodyOf(pending)['request']).toMatchObject({ status: 'PENDING', requestedBy: 'cara', amount: '25.01' });
    const posted = await adjust(d)(adjustEvent(credit, staffClaims('billing', 'bill'), 'key-2'), context);
    expect(posted.statusCode).toBe(201);
    expect(d.ledger.entries).toHaveLength(1);
    expect((await adjust(d)(adjustEvent(credit, staffClaims('auditor', 'aud'), 'key-3'), context)).statusCode).toBe(403);
  });
});

describe('POST /staff/adjustment-requests/{accountId}/{requestId}/decision', () => {
  it.each([
    ['an unknown decision', { decision: 'maybe' }, 'body.decision'],
    ['a rejection without a reason', { decision: 'reject' }, 'body.reason'],
    ['a reason with control characters', { decision: 'reject', reason: 'no\u0007' }, 'body.reason'],
    ['an unknown field', { decision: 'approve', amount: '1.00' }, 'body'],
  ])('answers 400 for %s, naming the field, and changes nothing', async (_what, body, field) => {
    const d = deps();
    const requestId = (bodyOf(await adjust(d)(adjustEvent(credit), context))['request'] as { requestId: string }).requestId;
    const response = await decide(d)(decideEvent(requestId, body, staffClaims('billing', 'bill')), context);
    expect(response.statusCode).toBe(400);
    expect(String(bodyOf(response)['message'])).toContain(field);
    expect((await d.ledger.getAdjustmentRequest('A0001', requestId))?.status).toBe('PENDING');
  });

  it('refuses the requester and a CSR with 403, approves for billing, and answers 409 to a second decision', async () => {
    const d = deps();
    const requestId = (bodyOf(await adjust(d)(adjustEvent(credit), context))['request'] as { requestId: string }).requestId;
    const own = await decide(d)(decideEvent(requestId, { decision: 'approve' }, staffClaims('admin', 'cara')), context);
    expect(own.statusCode).toBe(403);
    expect(bodyOf(own)['message']).toMatch(/requester cannot decide/);
    expect((await decide(d)(decideEvent(requestId, { decision: 'approve' }, staffClaims('csr', 'casey')), context)).statusCode).toBe(403);
    const approved = await decide(d)(decideEvent(requestId, { decision: 'approve' }, staffClaims('billing', 'bea')), context);
    expect(approved.statusCode).toBe(200);
    expect(bodyOf(approved)['request']).toMatchObject({ status: 'APPROVED', decidedBy: 'bea' });
    expect((await decide(d)(decideEvent(requestId, { decision: 'reject', reason: 'late' }, staffClaims('admin', 'ada')), context)).statusCode).toBe(409);
    expect((await decide(d)(decideEvent('AR-none', { decision: 'approve' }, staffClaims('admin', 'ada')), context)).statusCode).toBe(404);
  });
});

describe('GET /staff/adjustment-requests and GET /staff/service-orders', () => {
  it('list by status for any staff role, and refuse an unknown status with 400 naming the field', async () => {
    const d = deps();
    await adjust(d)(adjustEvent(credit), context);
    const response = await list(d)(httpEvent({ routeKey: 'GET /staff/adjustment-requests', claims: staffClaims('auditor', 'aud') }), context);
    expect(response.statusCode).toBe(200);
    expect(bodyOf(response)).toMatchObject({ approvalLimit: '100.00', nextCursor: null, items: [{ status: 'PENDING', requestedBy: 'cara' }] });
    const bad = await list(d)(httpEvent({ routeKey: 'GET /staff/adjustment-requests', claims: staffClaims('auditor', 'aud'), queryStringParameters: { status: 'OPEN' } }), context);
    expect(bad.statusCode).toBe(400);
    expect(String(bodyOf(bad)['message'])).toContain('query.status');
    const records = { pageOrdersByState: async () => ({ items: [] }) } as never;
    const orders = await listOrders({ records, log: silentLogger() })(httpEvent({ routeKey: 'GET /staff/service-orders', claims: staffClaims('csr'), queryStringParameters: { status: 'DONE' } }), context);
    expect(orders.statusCode).toBe(400);
    expect(String(bodyOf(orders)['message'])).toContain('query.status');
  });
});
