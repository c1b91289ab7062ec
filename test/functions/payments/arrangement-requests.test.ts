/** The arrangement request handlers over API Gateway events: the Idempotency-Key, roles, 400s naming the field, own accounts only. */
import type { Context } from 'aws-lambda';
import { createHandler as listMine } from '../../../functions/portal/list-arrangement-requests';
import { createHandler as requestArrangement } from '../../../functions/portal/request-arrangement';
import { createHandler as decide } from '../../../functions/staff/decide-arrangement-request';
import { createHandler as listPending } from '../../../functions/staff/list-arrangement-requests';
import type { Account } from '../../../shared/domain/accounts';
import { ledgerEntryForBill } from '../../../shared/domain/ledger';
import { clockAt, MemoryAccounts, silentLogger } from '../../unit/app/fakes';
import { MemoryLedger } from '../../unit/app/ledger-fakes';
import { bodyOf, customerClaims, httpEvent, NOW, staffClaims } from '../helpers';

const context = {} as Context;
const account = (accountId: string, customerId: string): Account => ({ accountId, customerId, name: 'n', serviceAddress: 'a', cycle: 'C1', tariffId: 'T', status: 'ACTIVE', meterIds: [], shard: 1, createdAt: 't' });

function deps() {
  let ids = 0;
  const ledger = new MemoryLedger();
  // 90.00 that fell due 2026-01-20: past due on NOW (2026-02-01).
  ledger.entries.push(ledgerEntryForBill({ billId: 'B1', accountId: 'A0001', total: '90.00', periodStart: '2025-12-01', periodEnd: '2025-12-31', dueDate: '2026-01-20', usage: { unit: 'gal' } }, '2026-01-01T00:00:00.000Z'));
  return { ledger, accounts: new MemoryAccounts([account('A0001', 'C0001'), account('A0002', 'C0002')]), clock: clockAt(NOW), newId: () => `id${++ids}`, timeZone: 'America/Denver', arrangementGraceDays: 5, waitMs: 100, sleep: async () => undefined, log: silentLogger() };
}

const withHeaders = (event: ReturnType<typeof httpEvent>, headers: Record<string, string>) => ({ ...event, headers: { ...event.headers, ...headers } });
const ask = (body: unknown, options: { key?: string | null; accountId?: string; claims?: Record<string, unknown> } = {}) => {
  const event = httpEvent({ routeKey: 'POST /portal/accounts/{accountId}/arrangement-requests', claims: options.claims ?? customerClaims('C0001'), pathParameters: { accountId: options.accountId ?? 'A0001' }, body });
  return options.key === null ? event : withHeaders(event, { 'Idempotency-Key': options.key ?? 'key-1' });
};

describe('POST /portal/accounts/{accountId}/arrangement-requests', () => {
  it('stores a PENDING request (201) and answers a retry with the same key the same', async () => {
    const d = deps();
    const first = await requestArrangement(d)(ask({ installments: 4, reason: 'hours cut' }), context);
    expect(first.statusCode).toBe(201);
    expect(bodyOf(first)['request']).toMatchObject({ status: 'PENDING', installments: 4, pastDue: '90.00' });
    const again = await requestArrangement(d)(ask({ installments: 4, reason: 'hours cut' }), context);
    expect(again).toMatchObject({ statusCode: 201, body: first.body });
    expect(d.ledger.arrangementRequests.size).toBe(1);
  });

  it.each([
    ['too few installments', { installments: 1 }, 'body.installments'],
    ['installments as a string', { installments: '6' }, 'body.installments'],
    ['an unknown field', { installments: 6, firstDueDate: '2026-03-01' }, 'body'],
    ['a reason with control characters', { installments: 6, reason: 'a\u0007b' }, 'body.reason'],
  ])('answers 400 naming the field for %s, and stores nothing', async (_what, body, path) => {
    const d = deps();
    const response = await requestArrangement(d)(ask(body), context);
    expect(response.statusCode).toBe(400);
    expect((bodyOf(response)['issues'] as Array<{ path: string }>).map((i) => i.path)).toContain(path);
    expect(d.ledger.arrangementRequests.size).toBe(0);
  });

  it('needs the Idempotency-Key header', async () => {
    const response = await requestArrangement(deps())(ask({ installments: 6 }, { key: null }), context);
    expect(response.statusCode).toBe(400);
    expect(JSON.stringify(bodyOf(response))).toContain('Idempotency-Key');
  });

  it("refuses another customer's account (403), staff (403), and nothing past due (422 with the reason)", async () => {
    const d = deps();
    expect((await requestArrangement(d)(ask({ installments: 6 }, { accountId: 'A0002' }), context)).statusCode).toBe(403);
    expect((await requestArrangement(d)(ask({ installments: 6 }, { claims: staffClaims('admin') }), context)).statusCode).toBe(403);
    const nothing = await requestArrangement(d)(ask({ installments: 6 }, { accountId: 'A0002', claims: customerClaims('C0002') }), context);
    expect(nothing.statusCode).toBe(422);
    expect(bodyOf(nothing)).toMatchObject({ reason: 'nothing-past-due' });
    expect(d.ledger.arrangementRequests.size).toBe(0);
  });

  it('answers 409 with the reason while a request is pending', async () => {
    const d = deps();
    await requestArrangement(d)(ask({ installments: 6 }), context);
    const second = await requestArrangement(d)(ask({ installments: 3 }, { key: 'key-2' }), context);
    expect(second.statusCode).toBe(409);
    expect(bodyOf(second)).toMatchObject({ reason: 'arrangement-request-pending' });
  });
});

describe('the staff queue and decisions', () => {
  async function pending() {
    const d = deps();
    const created = await requestArrangement(d)(ask({ installments: 3 }), context);
    return { d, requestId: (bodyOf(created)['request'] as { requestId: string }).requestId };
  }
  const decision = (requestId: string, body: unknown, groups = 'csr') =>
    httpEvent({ routeKey: 'POST /staff/arrangement-requests/{accountId}/{requestId}/decision', claims: staffClaims(groups), pathParameters: { accountId: 'A0001', requestId }, body });

  it('lists the pending requests for any staff role but not for customers', async () => {
    const { d, requestId } = await pending();
    const event = (claims: Record<string, unknown>) => httpEvent({ routeKey: 'GET /staff/arrangement-requests', claims, queryStringParameters: { status: 'PENDING' } });
    const listed = await listPending(d)(event(staffClaims('auditor')), context);
    expect(listed.statusCode).toBe(200);
    expect((bodyOf(listed)['items'] as Array<{ requestId: string }>).map((r) => r.requestId)).toEqual([requestId]);
    expect((await listPending(d)(event(customerClaims('C0001')), context)).statusCode).toBe(403);
    expect((await listPending(d)(httpEvent({ routeKey: 'GET /staff/arrangement-requests', claims: staffClaims('csr'), queryStringParameters: { status: 'APPROVED' } }), context)).statusCode).toBe(400);
  });

  it.each(['csr', 'billing', 'admin'])('lets %s approve: the arrangement is made and audited', async (groups) => {
    const { d, requestId } = await pending();
    const response = await decide(d)(decision(requestId, { decision: 'approve', reason: 'checked' }, groups), context);
    expect(response.statusCode).toBe(200);
    expect(bodyOf(response)).toMatchObject({ request: { status: 'APPROVED', decidedBy: 'dana' }, arrangement: { arrangementId: `AR${requestId}`, amount: '90.00' } });
    expect(d.ledger.audit.map((a) => a.action)).toEqual(['arrangement-request.created', 'arrangement.created']);
  });

  it('refuses auditors and customers, a decision without a reason, and an unknown decision; nothing changes', async () => {
    const { d, requestId } = await pending();
    expect((await decide(d)(decision(requestId, { decision: 'approve', reason: 'x' }, 'auditor'), context)).statusCode).toBe(403);
    const asCustomer = { ...decision(requestId, { decision: 'approve', reason: 'x' }), requestContext: httpEvent({ routeKey: 'x', claims: customerClaims('C0001') }).requestContext };
    expect((await decide(d)(asCustomer, context)).statusCode).toBe(403);
    const noReason = await decide(d)(decision(requestId, { decision: 'approve' }), context);
    expect(noReason.statusCode).toBe(400);
    expect(JSON.stringify(bodyOf(noReason))).toContain('body.reason');
    const unknown = await decide(d)(decision(requestId, { decision: 'maybe', reason: 'x' }), context);
    expect(JSON.stringify(bodyOf(unknown))).toContain('decision must be one of approve, decline');
    expect(d.ledger.arrangements.size).toBe(0);
    expect([...d.ledger.arrangementRequests.values()][0]!.status).toBe('PENDING');
  });

  it('declines with the reason the customer then sees, and refuses approving it afterwards (409)', async () => {
    const { d, requestId } = await pending();
    expect((await decide(d)(decision(requestId, { decision: 'decline', reason: 'pay 20.00 first' }), context)).statusCode).toBe(200);
    const late = await decide(d)(decision(requestId, { decision: 'approve', reason: 'x' }), context);
    expect(late.statusCode).toBe(409);
    expect(bodyOf(late)).toMatchObject({ reason: 'arrangement-request-decided' });
    const mine = await listMine(d)(httpEvent({ routeKey: 'GET /portal/accounts/{accountId}/arrangement-requests', claims: customerClaims('C0001'), pathParameters: { accountId: 'A0001' } }), context);
    expect(bodyOf(mine)['items']).toMatchObject([{ requestId, status: 'DECLINED', decisionReason: 'pay 20.00 first' }]);
    expect((await listMine(d)(httpEvent({ routeKey: 'GET /portal/accounts/{accountId}/arrangement-requests', claims: customerClaims('C0002'), pathParameters: { accountId: 'A0001' } }), context)).statusCode).toBe(403);
  });
});
