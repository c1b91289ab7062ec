/** The payment handlers over API Gateway events: headers, roles, 400s naming the field, the webhook's raw body. */
import type { Context } from 'aws-lambda';
import { createHandler as makePayment } from '../../../functions/portal/make-payment';
import { createHandler as postPayment } from '../../../functions/staff/post-payment';
import { createHandler as refund } from '../../../functions/staff/refund-credit';
import { createHandler as paymentEvents } from '../../../functions/webhooks/payment-events';
import type { Account } from '../../../shared/domain/accounts';
import { signWebhook } from '../../../shared/domain/payments';
import { UnconfiguredPaymentProvider } from '../../../shared/adapters/sandbox-payments';
import { clockAt, MemoryAccounts, silentLogger } from '../../unit/app/fakes';
import { MemoryLedger, RecordingProvider } from '../../unit/app/ledger-fakes';
import { bodyOf, customerClaims, httpEvent, NOW, staffClaims } from '../helpers';

const context = {} as Context;
const account = (accountId: string, customerId: string): Account => ({ accountId, customerId, name: 'n', serviceAddress: 'a', cycle: 'C1', tariffId: 'T', status: 'ACTIVE', meterIds: [], shard: 1, createdAt: 't' });

function deps() {
  let ids = 0;
  return {
    ledger: new MemoryLedger(),
    accounts: new MemoryAccounts([account('A0001', 'C0001')]),
    provider: new RecordingProvider(),
    clock: clockAt(NOW),
    newId: () => `id-${++ids}`,
    timeZone: 'America/Denver',
    returnedPaymentFee: '25.00',
    log: silentLogger(),
  };
}

const withHeaders = (event: ReturnType<typeof httpEvent>, headers: Record<string, string>) => ({ ...event, headers: { ...event.headers, ...headers } });

describe('POST /portal/accounts/{accountId}/payments', () => {
  const event = (body: unknown, headers: Record<string, string> = { 'Idempotency-Key': 'key-1' }, claims: Record<string, unknown> = customerClaims('C0001')) =>
    withHeaders(httpEvent({ routeKey: 'POST /portal/accounts/{accountId}/payments', claims, pathParameters: { accountId: 'A0001' }, body }), headers);
  const card = { amount: '12.50', method: 'CARD', token: 'tok_sandbox_visa' };

  it('posts with the Idempotency-Key header in any letter case and answers 201', async () => {
    const d = deps();
    const response = await makePayment(d)(event(card), context);
    expect(response.statusCode).toBe(201);
    expect(bodyOf(response)['payment']).toMatchObject({ amount: '12.50', credit: '12.50', status: 'POSTED' });
    expect(d.ledger.entries).toHaveLength(1);
  });

  it.each([
    ['no Idempotency-Key header', card, {}, 'headers.idempotency-key'],
    ['an amount with 3 decimals', { ...card, amount: '1.005' }, undefined, 'body.amount'],
    ['a number amount', { ...card, amount: 12.5 }, undefined, 'body.amount'],
    ['a zero amount', { ...card, amount: '0' }, undefined, 'body.amount'],
    ['an amount over the maximum', { ...card, amount: '100000.01' }, undefined, 'body.amount'],
    ['an unknown method', { ...card, method: 'BITCOIN' }, undefined, 'body.method'],
    ['an unknown service', { ...card, service: 'cable' }, undefined, 'body.service'],
    ['a token with spaces', { ...card, token: 'tok visa' }, undefined, 'body.token'],
  ])('answers 400 for %s, naming the field, and posts nothing', async (_what, body, headers, field) => {
    const d = deps();
    const response = await makePayment(d)(event(body, headers), context);
    expect(response.statusCode).toBe(400);
    expect(String(bodyOf(response)['message'])).toContain(field);
    expect(d.ledger.entries).toHaveLength(0);
    expect(d.provider.calls).toHaveLength(0);
  });

  it('answers 503 and posts nothing while the deployment has no payment provider; a retry with the key can run later', async () => {
    const d = { ...deps(), provider: new UnconfiguredPaymentProvider() };
    const response = await makePayment(d)(event(card), context);
    expect(response.statusCode).toBe(503);
    expect(bodyOf(response)).toMatchObject({ code: 'DependencyUnavailable', message: expect.stringContaining('no payment provider is configured') });
    expect(d.ledger.entries).toHaveLength(0);
    const retried = await makePayment({ ...d, provider: new RecordingProvider() })(event(card), context);
    expect(retried.statusCode).toBe(201);
  });

  it('refuses staff tokens on the portal route', async () => {
    expect((await makePayment(deps())(event(card, undefined, staffClaims('admin')), context)).statusCode).toBe(403);
  });
});

describe('staff money routes', () => {
  it('let csr take counter payments but not refund; auditors do neither', async () => {
    const payment = (groups: string) => withHeaders(httpEvent({ routeKey: 'POST /staff/accounts/{accountId}/payments', claims: staffClaims(groups), pathParameters: { accountId: 'A0001' }, body: { amount: '5.00', method: 'CASH' } }), { 'idempotency-key': `k-${groups}` });
    const refundOf = (groups: string) => withHeaders(httpEvent({ routeKey: 'POST /staff/accounts/{accountId}/refunds', claims: staffClaims(groups), pathParameters: { accountId: 'A0001' }, body: { amount: '5.00', reason: 'r' } }), { 'idempotency-key': `r-${groups}` });
    const d = deps();
    expect((await postPayment(d)(payment('auditor'), context)).statusCode).toBe(403);
    expect((await postPayment(d)(payment('csr'), context)).statusCode).toBe(201);
    expect(d.ledger.audit.map((a) => [a.action, a.actor])).toEqual([['payment.posted', 'dana']]);
    expect((await refund(d)(refundOf('csr'), context)).statusCode).toBe(403);
    expect((await refund(d)(refundOf('billing'), context)).statusCode).toBe(201);
  });
});

describe('POST /webhooks/payments', () => {
  const secret = 'handler-test-secret-01';
  const nowSec = Date.parse(NOW) / 1000;

  it('checks the signature over the raw body, also when API Gateway passes it base64-encoded', async () => {
    const d = { ...deps(), webhookSecret: secret, providerName: 'sandbox' };
    const body = JSON.stringify({ id: 'evt_1', type: 'payment.updated', created: nowSec, data: {} });
    const base = httpEvent({ routeKey: 'POST /webhooks/payments' });
    const signed = { ...base, body: Buffer.from(body).toString('base64'), isBase64Encoded: true, headers: { 'Cis-Signature': signWebhook(secret, nowSec, body) } };
    const response = await paymentEvents(d)(signed, context);
    expect(response.statusCode).toBe(200);
    expect(bodyOf(response)).toEqual({ received: true, eventId: 'evt_1', effect: 'ignored' });
    const unsigned = await paymentEvents(d)({ ...base, body, headers: {} }, context);
    expect(unsigned.statusCode).toBe(403);
    expect(bodyOf(unsigned)['code']).toBe('InvalidSignature');
  });
});
