import { adjustBalance, reverseEntry } from '../../../shared/app/payments/adjust-ledger';
import { EntryAlreadyReversed, EntryNotFound, EntryNotReversible, IdempotencyKeyReused, LedgerWriteRefused, PaymentNotReturnable, RefundExceedsCredit, RequestInProgress } from '../../../shared/app/payments/errors';
import { handlePaymentWebhook } from '../../../shared/app/payments/handle-webhook';
import { idempotent } from '../../../shared/app/payments/idempotent';
import { makePortalPayment, postCounterPayment } from '../../../shared/app/payments/post-payment';
import { refundCredit } from '../../../shared/app/payments/refund-credit';
import { returnPayment } from '../../../shared/app/payments/return-payment';
import type { Account } from '../../../shared/domain/accounts';
import { Forbidden } from '../../../shared/domain/errors';
import { ledgerEntryForBill } from '../../../shared/domain/ledger';
import { InvalidSignature, signWebhook } from '../../../shared/domain/payments';
import { clockAt, MemoryAccounts, silentLogger } from './fakes';
import { MemoryLedger, RecordingProvider } from './ledger-fakes';

const NOW = '2026-03-01T17:00:00.000Z';
const account = (accountId: string, customerId: string): Account => ({ accountId, customerId, name: 'n', serviceAddress: 'a', cycle: 'C1', tariffId: 'T', status: 'ACTIVE', meterIds: [], shard: 1, createdAt: 't' });

function setup(options: { provider?: RecordingProvider; fee?: string } = {}) {
  const ledger = new MemoryLedger();
  let ids = 0;
  const deps = {
    ledger,
    accounts: new MemoryAccounts([account('A1', 'C1'), account('A2', 'C2')]),
    provider: options.provider ?? new RecordingProvider(),
    clock: clockAt(NOW),
    newId: () => `E${++ids}`,
    timeZone: 'America/Denver',
    returnedPaymentFee: options.fee ?? '25.00',
    waitMs: 300,
    sleep: async () => undefined,
    log: silentLogger(),
  };
  // A bill of 100.00 for water due 2026-02-15.
  ledger.entries.push(ledgerEntryForBill({ billId: 'B1', accountId: 'A1', total: '100.00', periodStart: '2026-01-01', periodEnd: '2026-01-31', issuedAt: '2026-01-25T00:00:00.000Z', usage: { unit: 'gal' } }, '2026-01-25T00:00:00.000Z'));
  return { deps, ledger };
}

const customer = { customerId: 'C1', username: 'c1' };
const card = { accountId: 'A1', idempotencyKey: 'k1', amount: '30.00', method: 'CARD' as const, token: 'tok_sandbox_visa' };

describe('portal payments', () => {
  it('charge the provider with the payment id as its idempotency key and post one balanced entry with its audit event', async () => {
    const { deps, ledger } = setup();
    const answer = await makePortalPayment(deps, customer, card);
    expect(answer.statusCode).toBe(201);
    const payment = (answer.body as { payment: { paymentId: string; allocations: unknown; credit: string } }).payment;
    expect(deps.provider.calls).toEqual([{ idempotencyKey: payment.paymentId, amount: '30.00', token: 'tok_sandbox_visa' }]);
    expect(payment).toMatchObject({ allocations: [{ service: 'water', amount: '30.00' }], credit: '0.00' });
    expect(ledger.entries.filter((e) => e.kind === 'PAYMENT')).toHaveLength(1);
    expect(ledger.audit.map((a) => a.action)).toEqual(['payment.posted']);
  });

  it('replay the first answer for the same key and body without charging again; another body is 409', async () => {
    const { deps, ledger } = setup();
    const first = await makePortalPayment(deps, customer, card);
    expect(await makePortalPayment(deps, customer, { ...card })).toEqual(first);
    expect(deps.provider.calls).toHaveLength(1);
    await expect(makePortalPayment(deps, customer, { ...card, amount: '31.00' })).rejects.toThrow(IdempotencyKeyReused);
    expect(ledger.entries.filter((e) => e.kind === 'PAYMENT')).toHaveLength(1);
  });

  it("refuse another customer's account before charging anything", async () => {
    const { deps } = setup();
    await expect(makePortalPayment(deps, { customerId: 'C2', username: 'c2' }, card)).rejects.toThrow(Forbidden);
    await expect(makePortalPayment(deps, customer, { ...card, accountId: 'A404' })).rejects.toThrow(Forbidden);
    expect(deps.provider.calls).toHaveLength(0);
  });

  it('store a decline as the answer of its key: the retry gets the same 422 and nothing is posted', async () => {
    const provider = new RecordingProvider(() => ({ status: 'declined', reason: 'insufficient_funds' }));
    const { deps, ledger } = setup({ provider });
    const first = await makePortalPayment(deps, customer, card);
    expect(first).toMatchObject({ statusCode: 422, body: { code: 'PaymentDeclined', reason: 'insufficient_funds' } });
    expect(await makePortalPayment(deps, customer, card)).toEqual(first);
    expect(provider.calls).toHaveLength(1);
    expect(ledger.entries.filter((e) => e.kind === 'PAYMENT')).toHaveLength(0);
  });

  it('release the key when the provider fails, so the retry charges with the same payment id and posts once', async () => {
    let fail = true;
    const provider = new RecordingProvider((_token, key) => {
      if (fail) throw new Error('provider timed out');
      return { status: 'succeeded', reference: `ref-${key}` };
    });
    const { deps, ledger } = setup({ provider });
    await expect(makePortalPayment(deps, customer, card)).rejects.toThrow('provider timed out');
    fail = false;
    expect((await makePortalPayment(deps, customer, card)).statusCode).toBe(201);
    expect(new Set(provider.calls.map((c) => c.idempotencyKey)).size).toBe(1);
    expect(ledger.entries.filter((e) => e.kind === 'PAYMENT')).toHaveLength(1);
  });
});

describe('idempotent requests', () => {
  it('make a concurrent request wait for the holder and answer the same; 409 when the holder does not finish in time', async () => {
    const { deps, ledger } = setup();
    const slot = await ledger.beginRequest('key', 'f', new Date(NOW), 30_000);
    expect(slot.state).toBe('started');
    let polls = 0;
    const waiting = idempotent({ ...deps, sleep: async () => {
      if (++polls === 2) await ledger.completeRequest({ key: 'key', token: (slot as { token: string }).token, outcome: { statusCode: 201, body: { done: true } } });
    } }, 'key', 'f', async () => ({ statusCode: 500, body: 'must not run' }));
    await expect(waiting).resolves.toEqual({ statusCode: 201, body: { done: true } });
    await ledger.beginRequest('other', 'f', new Date(NOW), 30_000);
    await expect(idempotent(deps, 'other', 'f', async () => ({ statusCode: 500, body: 'must not run' }))).rejects.toThrow(RequestInProgress);
  });

  it('let a retry take over a key whose holder died once its lease ran out, and refuse the late holder', async () => {
    const { deps, ledger } = setup();
    const dead = await ledger.beginRequest('key', 'f', new Date('2026-03-01T16:00:00.000Z'), 30_000);
    const answer = await idempotent(deps, 'key', 'f', async (token) => {
      await ledger.completeRequest({ key: 'key', token, outcome: { statusCode: 201, body: 'second' } });
      return { statusCode: 201, body: 'second' };
    });
    expect(answer.body).toBe('second');
    await expect(ledger.completeRequest({ key: 'key', token: (dead as { token: string }).token, outcome: { statusCode: 201, body: 'first' } })).rejects.toThrow(LedgerWriteRefused);
  });
});

describe('counter payments, returns and refunds', () => {
  it('return a payment once: reversal, fee and the payment marked returned; the balance owes the payment and the fee again', async () => {
    const { deps, ledger } = setup();
    const posted = await postCounterPayment(deps, 'casey', { accountId: 'A1', idempotencyKey: 'c1', amount: '100.00', method: 'CHECK', reference: '1001' });
    const paymentId = (posted.body as { payment: { paymentId: string } }).payment.paymentId;
    const result = await returnPayment(deps, { paymentId, reason: 'NSF', actor: 'bill' });
    expect(result.payment).toMatchObject({ status: 'RETURNED', returnReason: 'NSF' });
    expect(ledger.entries.map((e) => e.kind)).toEqual(['BILL', 'PAYMENT', 'PAYMENT_RETURN', 'FEE']);
    await expect(returnPayment(deps, { paymentId, reason: 'again', actor: 'bill' })).rejects.toThrow(PaymentNotReturnable);
    expect(ledger.audit.map((a) => a.action)).toEqual(['payment.posted', 'payment.returned']);
  });

  it('charge no fee when the configured fee is zero', async () => {
    const { deps, ledger } = setup({ fee: '0' });
    const posted = await postCounterPayment(deps, 'casey', { accountId: 'A1', idempotencyKey: 'c1', amount: '10.00', method: 'CASH' });
    const result = await returnPayment(deps, { paymentId: (posted.body as { payment: { paymentId: string } }).payment.paymentId, reason: 'counterfeit', actor: 'bill' });
    expect(result.feeEntryId).toBeNull();
    expect(ledger.entries.map((e) => e.kind)).toEqual(['BILL', 'PAYMENT', 'PAYMENT_RETURN']);
  });

  it('refund at most the credit and release the key of a refused refund', async () => {
    const { deps, ledger } = setup();
    await postCounterPayment(deps, 'casey', { accountId: 'A1', idempotencyKey: 'c1', amount: '130.00', method: 'CASH' });
    await expect(refundCredit(deps, 'bill', { accountId: 'A1', idempotencyKey: 'r1', amount: '30.01', reason: 'moved' })).rejects.toThrow(RefundExceedsCredit);
    expect(ledger.requests.has('refund:A1:r1')).toBe(false);
    const refunded = await refundCredit(deps, 'bill', { accountId: 'A1', idempotencyKey: 'r1', amount: '30.00', reason: 'moved' });
    expect(refunded.statusCode).toBe(201);
    expect(await refundCredit(deps, 'bill', { accountId: 'A1', idempotencyKey: 'r1', amount: '30.00', reason: 'moved' })).toEqual(refunded);
    await expect(refundCredit(deps, 'bill', { accountId: 'A1', idempotencyKey: 'r2', amount: '0.01', reason: 'moved' })).rejects.toThrow(RefundExceedsCredit);
    expect(ledger.entries.filter((e) => e.kind === 'REFUND')).toHaveLength(1);
  });
});

describe('payment webhooks', () => {
  const secret = 'test-webhook-secret-0001';
  const nowSec = Date.parse(NOW) / 1000;

  async function portalPayment() {
    const { deps, ledger } = setup();
    const webhookDeps = { ...deps, webhookSecret: secret, providerName: 'sandbox' };
    const posted = await makePortalPayment(deps, customer, card);
    const payment = (posted.body as { payment: { paymentId: string; reference: string } }).payment;
    return { webhookDeps, ledger, payment };
  }

  const event = (id: string, type: string, data: Record<string, string>) => JSON.stringify({ id, type, created: nowSec, data });

  it('refuses every event while no secret is configured (503), posting nothing', async () => {
    const { webhookDeps, ledger, payment } = await portalPayment();
    const body = event('evt_0', 'payment.returned', { paymentId: payment.paymentId, reference: payment.reference });
    const entries = ledger.entries.length;
    await expect(handlePaymentWebhook({ ...webhookDeps, webhookSecret: undefined }, { signature: signWebhook('cis-sandbox-webhook-secret', nowSec, body), body })).rejects.toMatchObject({ name: 'DependencyUnavailable' });
    expect(ledger.entries).toHaveLength(entries);
  });

  it('return the payment once per event id and answer replays as duplicates', async () => {
    const { webhookDeps, ledger, payment } = await portalPayment();
    const body = event('evt_1', 'payment.returned', { paymentId: payment.paymentId, reference: payment.reference });
    const signature = signWebhook(secret, nowSec, body);
    expect(await handlePaymentWebhook(webhookDeps, { signature, body })).toMatchObject({ effect: 'returned' });
    expect(await handlePaymentWebhook(webhookDeps, { signature, body })).toMatchObject({ effect: 'duplicate' });
    const again = event('evt_2', 'payment.returned', { paymentId: payment.paymentId, reference: payment.reference });
    expect(await handlePaymentWebhook(webhookDeps, { signature: signWebhook(secret, nowSec, again), body: again })).toMatchObject({ effect: 'already-returned' });
    expect(ledger.entries.filter((e) => e.kind === 'PAYMENT_RETURN')).toHaveLength(1);
  });

  it('ignore an event whose reference is not the payment\'s, and record other event types', async () => {
    const { webhookDeps, ledger, payment } = await portalPayment();
    const forged = event('evt_3', 'payment.returned', { paymentId: payment.paymentId, reference: 'someone-elses' });
    expect(await handlePaymentWebhook(webhookDeps, { signature: signWebhook(secret, nowSec, forged), body: forged })).toMatchObject({ effect: 'reference-mismatch' });
    const other = event('evt_4', 'payment.succeeded', { paymentId: payment.paymentId });
    expect(await handlePaymentWebhook(webhookDeps, { signature: signWebhook(secret, nowSec, other), body: other })).toMatchObject({ effect: 'ignored' });
    expect(ledger.entries.filter((e) => e.kind === 'PAYMENT_RETURN')).toHaveLength(0);
  });

  it('refuse unsigned and malformed events before touching the ledger', async () => {
    const { webhookDeps } = await portalPayment();
    await expect(handlePaymentWebhook(webhookDeps, { signature: undefined, body: '{}' })).rejects.toThrow(InvalidSignature);
    await expect(handlePaymentWebhook(webhookDeps, { signature: signWebhook(secret, nowSec, 'not json'), body: 'not json' })).rejects.toThrow('not valid JSON');
    const noType = JSON.stringify({ id: 'evt_5', created: nowSec, data: {} });
    await expect(handlePaymentWebhook(webhookDeps, { signature: signWebhook(secret, nowSec, noType), body: noType })).rejects.toThrow('body.type');
  });
});

describe('adjustments and reversals', () => {
  const billing = { username: 'bill', roles: ['billing'] as const };
  it('post an adjustment once per key and reverse it once; bills and payments are not reversible here', async () => {
    const { deps, ledger } = setup();
    const input = { accountId: 'A1', idempotencyKey: 'j1', amount: '15.00', direction: 'credit' as const, service: 'water', reason: 'leak allowance' };
    const first = await adjustBalance(deps, billing, input);
    expect(await adjustBalance(deps, billing, input)).toEqual(first);
    await expect(adjustBalance(deps, billing, { ...input, amount: '16.00' })).rejects.toThrow(IdempotencyKeyReused);
    const entry = (first.body as { entry: { entryId: string; postings: unknown } }).entry;
    expect(entry.postings).toEqual([
      { ledgerAccount: 'ACCOUNTS_RECEIVABLE', side: 'credit', amount: '15.00', service: 'water' },
      { ledgerAccount: 'ADJUSTMENTS', side: 'debit', amount: '15.00' },
    ]);
    const { reversal } = await reverseEntry(deps, 'bill', { accountId: 'A1', entryId: entry.entryId, reason: 'wrong account' });
    expect(reversal).toMatchObject({ kind: 'REVERSAL', reverses: entry.entryId });
    await expect(reverseEntry(deps, 'bill', { accountId: 'A1', entryId: entry.entryId, reason: 'again' })).rejects.toThrow(EntryAlreadyReversed);
    await expect(reverseEntry(deps, 'bill', { accountId: 'A1', entryId: reversal.entryId, reason: 'undo' })).rejects.toThrow(EntryNotReversible);
    await expect(reverseEntry(deps, 'bill', { accountId: 'A1', entryId: 'LEB1', reason: 'x' })).rejects.toThrow('rebilling');
    await expect(reverseEntry(deps, 'bill', { accountId: 'A1', entryId: 'nope', reason: 'x' })).rejects.toThrow(EntryNotFound);
    expect(ledger.audit.map((a) => a.action)).toEqual(['ledger.adjusted', 'ledger.reversed']);
  });
});
