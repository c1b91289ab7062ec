/** The arrangement, dispute and late-fee handlers over API Gateway events: roles, 400s naming the field, own accounts only. */
import type { Context } from 'aws-lambda';
import { createHandler as getArrangement } from '../../../functions/portal/get-arrangement';
import { createHandler as assessLateFees } from '../../../functions/staff/assess-late-fees';
import { createHandler as cancelArrangement } from '../../../functions/staff/cancel-arrangement';
import { createHandler as closeDispute } from '../../../functions/staff/close-dispute';
import { createHandler as createArrangement } from '../../../functions/staff/create-arrangement';
import { createHandler as openDispute } from '../../../functions/staff/open-dispute';
import type { Account } from '../../../shared/domain/accounts';
import { DEFAULT_LATE_FEE_POLICY } from '../../../shared/domain/late-fees';
import { ledgerEntryForBill } from '../../../shared/domain/ledger';
import { clockAt, MemoryAccounts, silentLogger } from '../../unit/app/fakes';
import { MemoryLedger, RecordingProvider } from '../../unit/app/ledger-fakes';
import { bodyOf, customerClaims, httpEvent, NOW, staffClaims } from '../helpers';

const context = {} as Context;
const account = (accountId: string, customerId: string): Account => ({ accountId, customerId, name: 'n', serviceAddress: 'a', cycle: 'C1', tariffId: 'T', status: 'ACTIVE', meterIds: [], shard: 1, createdAt: 't' });

function deps() {
  let ids = 0;
  const ledger = new MemoryLedger();
  ledger.entries.push(ledgerEntryForBill({ billId: 'B1', accountId: 'A0001', total: '90.00', periodStart: '2025-12-01', periodEnd: '2025-12-31', dueDate: '2026-01-20', usage: { unit: 'gal' } }, '2026-01-01T00:00:00.000Z'));
  return {
    ledger,
    accounts: new MemoryAccounts([account('A0001', 'C0001')]),
    provider: new RecordingProvider(),
    clock: clockAt(NOW),
    newId: () => `id-${++ids}`,
    timeZone: 'America/Denver',
    returnedPaymentFee: '25.00',
    arrangementGraceDays: 5,
    log: silentLogger(),
  };
}

const today = NOW.slice(0, 10);
const later = (days: number) => new Date(Date.parse(`${today}T00:00:00Z`) + days * 86_400_000).toISOString().slice(0, 10);

describe('POST /staff/accounts/{accountId}/arrangements', () => {
  const event = (body: unknown, groups = 'csr') => httpEvent({ routeKey: 'POST /staff/accounts/{accountId}/arrangements', claims: staffClaims(groups), pathParameters: { accountId: 'A0001' }, body });
  const good = { installments: 3, firstDueDate: later(10), reason: 'hardship' };

  it.each(['csr', 'billing', 'admin'])('lets %s make one (201, audited)', async (groups) => {
    const d = deps();
    const response = await createArrangement(d)(event(good, groups), context);
    expect(response.statusCode).toBe(201);
    expect(bodyOf(response)['arrangement']).toMatchObject({ amount: '90.00', installments: [{ amount: '30.00' }, { amount: '30.00' }, { amount: '30.00' }] });
    expect(d.ledger.audit.map((a) => [a.action, a.actor])).toEqual([['arrangement.created', 'dana']]);
  });

  it('refuses auditors and customers', async () => {
    const d = deps();
    expect((await createArrangement(d)(event(good, 'auditor'), context)).statusCode).toBe(403);
    expect((await createArrangement(d)({ ...event(good), requestContext: httpEvent({ routeKey: 'x', claims: customerClaims('C0001') }).requestContext }, context)).statusCode).toBe(403);
    expect(d.ledger.arrangements.size).toBe(0);
  });

  it.each([
    ['no installments', { ...good, installments: 0 }, 'body.installments'],
    ['installments as a string', { ...good, installments: '3' }, 'body.installments'],
    ['a fractional count', { ...good, installments: 2.5 }, 'body.installments'],
    ['too many installments', { ...good, installments: 37 }, 'body.installments'],
    ['a bad date', { ...good, firstDueDate: '2026-02-30' }, 'body.firstDueDate'],
    ['a down payment with 3 decimals', { ...good, downPayment: '1.005' }, 'body.downPayment'],
    ['no reason', { installments: 3, firstDueDate: later(10) }, 'body.reason'],
    ['an unknown field', { ...good, amount: '5.00' }, 'body'],
  ])('answers 400 for %s naming the field, and writes nothing', async (_what, body, field) => {
    const d = deps();
    const response = await createArrangement(d)(event(body), context);
    expect(response.statusCode).toBe(400);
    expect(String(bodyOf(response)['message'])).toContain(field);
    expect(d.ledger.arrangements.size).toBe(0);
  });

  it('answers 422 for a first due date in the past and 409 for a second running arrangement', async () => {
    const d = deps();
    expect((await createArrangement(d)(event({ ...good, firstDueDate: later(-1) }), context)).statusCode).toBe(422);
    expect((await createArrangement(d)(event(good), context)).statusCode).toBe(201);
    const again = await createArrangement(d)(event(good), context);
    expect(again.statusCode).toBe(409);
    expect(bodyOf(again)['code']).toBe('ArrangementExists');
  });
});

describe('cancel and portal read', () => {
  it('cancels once (then 409), and shows the customer their own arrangement only', async () => {
    const d = deps();
    const created = bodyOf(await createArrangement(d)(httpEvent({ routeKey: 'POST /staff/accounts/{accountId}/arrangements', claims: staffClaims('csr'), pathParameters: { accountId: 'A0001' }, body: { installments: 2, firstDueDate: later(5), reason: 'r' } }), context))['arrangement'] as { arrangementId: string };
    const read = (customerId: string) => getArrangement(d)(httpEvent({ routeKey: 'GET /portal/accounts/{accountId}/arrangement', claims: customerClaims(customerId), pathParameters: { accountId: 'A0001' } }), context);
    const mine = await read('C0001');
    expect(mine.statusCode).toBe(200);
    expect(bodyOf(mine)['arrangement']).toMatchObject({ arrangementId: created.arrangementId, status: 'ACTIVE', tracking: { state: 'on-track', remaining: '90.00' } });
    expect((await read('C0002')).statusCode).toBe(403);
    const cancel = (groups: string) => cancelArrangement(d)(httpEvent({ routeKey: 'POST /staff/accounts/{accountId}/arrangements/{arrangementId}/cancel', claims: staffClaims(groups), pathParameters: { accountId: 'A0001', arrangementId: created.arrangementId }, body: { reason: 'asked' } }), context);
    expect((await cancel('auditor')).statusCode).toBe(403);
    expect((await cancel('billing')).statusCode).toBe(200);
    expect((await cancel('billing')).statusCode).toBe(409);
    expect(bodyOf(await read('C0001'))['arrangement']).toMatchObject({ status: 'CANCELLED' });
  });
});

describe('disputes over HTTP', () => {
  const open = (d: ReturnType<typeof deps>, body: unknown, groups = 'csr') => openDispute(d)(httpEvent({ routeKey: 'POST /staff/accounts/{accountId}/disputes', claims: staffClaims(groups), pathParameters: { accountId: 'A0001' }, body }), context);

  it.each([
    ['no entryIds', { reason: 'r' }, 'body.entryIds'],
    ['an empty list', { entryIds: [], reason: 'r' }, 'body.entryIds'],
    ['a repeated entry', { entryIds: ['LEB1', 'LEB1'], reason: 'r' }, 'body.entryIds'],
    ['an entry id with a "#"', { entryIds: ['LE#1'], reason: 'r' }, 'body.entryIds'],
    ['an amount with 3 decimals', { entryIds: ['LEB1'], amount: '1.234', reason: 'r' }, 'body.amount'],
  ])('answers 400 for %s naming the field', async (_what, body, field) => {
    const d = deps();
    const response = await open(d, body);
    expect(response.statusCode).toBe(400);
    expect(String(bodyOf(response)['message'])).toContain(field);
    expect(d.ledger.disputes.size).toBe(0);
  });

  it('lets csr open and billing close (audited), refuses auditors, 422 for an unknown charge, 409 on a second close', async () => {
    const d = deps();
    expect((await open(d, { entryIds: ['LEB1'], reason: 'r' }, 'auditor')).statusCode).toBe(403);
    expect((await open(d, { entryIds: ['LEB9'], reason: 'r' })).statusCode).toBe(422);
    const opened = await open(d, { entryIds: ['LEB1'], amount: '20.00', reason: 'estimated read' });
    expect(opened.statusCode).toBe(201);
    const dispute = bodyOf(opened)['dispute'] as { disputeId: string };
    const close = () => closeDispute(d)(httpEvent({ routeKey: 'POST /staff/accounts/{accountId}/disputes/{disputeId}/close', claims: staffClaims('billing'), pathParameters: { accountId: 'A0001', disputeId: dispute.disputeId }, body: { resolution: 'credited' } }), context);
    expect((await close()).statusCode).toBe(200);
    expect((await close()).statusCode).toBe(409);
    expect(d.ledger.audit.map((a) => a.action)).toEqual(['dispute.opened', 'dispute.closed']);
  });
});

describe('POST /staff/accounts/{accountId}/late-fees', () => {
  const lateFeeDeps = () => ({ ...deps(), lateFeePolicy: DEFAULT_LATE_FEE_POLICY });
  const event = (body: unknown, headers: Record<string, string> = { 'Idempotency-Key': 'fees-1' }, groups = 'billing') => {
    const base = httpEvent({ routeKey: 'POST /staff/accounts/{accountId}/late-fees', claims: staffClaims(groups), pathParameters: { accountId: 'A0001' }, body });
    return { ...base, headers: { ...base.headers, ...headers } };
  };

  it('lets billing and admin assess (each fee audited), not csr or auditors', async () => {
    const d = lateFeeDeps();
    expect((await assessLateFees(d)(event(undefined, { 'Idempotency-Key': 'a' }, 'csr'), context)).statusCode).toBe(403);
    expect((await assessLateFees(d)(event(undefined, { 'Idempotency-Key': 'b' }, 'auditor'), context)).statusCode).toBe(403);
    const response = await assessLateFees(d)(event(undefined), context);
    expect(response.statusCode).toBe(200);
    // The 90.00 bill was due 2026-01-20: past the grace on 2026-02-01, 1.5 % = 1.35.
    expect(bodyOf(response)).toMatchObject({ accountId: 'A0001', asOf: '2026-02-01', posted: [{ chargeEntryId: 'LEB1', fee: '1.35' }] });
    expect(d.ledger.audit.map((a) => [a.action, a.actor])).toEqual([['late-fee.assessed', 'dana']]);
    expect((await assessLateFees(d)(event({ asOf: '2026-01-31' }, { 'Idempotency-Key': 'c' }, 'admin'), context)).statusCode).toBe(200);
    expect(d.ledger.entries.filter((e) => e.kind === 'FEE')).toHaveLength(1);
  });

  it.each([
    ['no Idempotency-Key', undefined, {}, 'headers.idempotency-key'],
    ['a bad asOf', { asOf: '2026-13-01' }, undefined, 'body.asOf'],
    ['an unknown field', { asOf: '2026-01-31', fee: '1.00' }, undefined, 'body'],
    ['a body that is not an object', [1], undefined, 'body'],
  ])('answers 400 for %s naming the field, and posts nothing', async (_what, body, headers, field) => {
    const d = lateFeeDeps();
    const response = await assessLateFees(d)(event(body, headers), context);
    expect(response.statusCode).toBe(400);
    expect(String(bodyOf(response)['message'])).toContain(field);
    expect(d.ledger.entries).toHaveLength(1);
  });
});
