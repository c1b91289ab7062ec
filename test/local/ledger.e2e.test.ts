/**
 * End to end, the ledger and payments: starts the local platform, bills the demo accounts through
 * the billing state machine, then pays, retries and races payments over HTTP as customers and
 * staff would, returns a payment through the sandbox provider's signed webhook and by staff,
 * refunds a credit, and reads balances, aging, payment history, the ledger and the overview.
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { Decimal } from 'decimal.js';
import { SANDBOX_WEBHOOK_SECRET } from '../../lib/cis-stack';
import { DynamoLedgerStore } from '../../shared/adapters/ledger-store';
import { sandboxReturnEvent } from '../../shared/adapters/sandbox-payments';
import { ledgerEntryForBill } from '../../shared/domain/ledger';
import { signWebhook } from '../../shared/domain/payments';
import { issueToken } from '../../shared/local/local-auth';
import type { RunningPlatform } from '../../shared/local/platform';
import { LOCAL_REGION } from '../../shared/local/template';
import { eventually, startTestPlatform, type TestPlatform } from './platform-harness';

const TIME_ZONE = 'America/Denver';
let local: TestPlatform;
let platform: RunningPlatform;
const tokens: Record<'csr' | 'billing' | 'auditor' | 'customer1' | 'customer2', string> = {} as never;

function localDate(date: Date): string {
  return new Intl.DateTimeFormat('en-CA', { timeZone: TIME_ZONE, year: 'numeric', month: '2-digit', day: '2-digit' }).format(date);
}

async function api(method: string, route: string, token?: string, body?: unknown, headers: Record<string, string> = {}): Promise<{ status: number; json: any }> {
  const response = await fetch(`${platform.httpUrl}${route}`, {
    method,
    headers: { ...(token ? { authorization: `Bearer ${token}` } : {}), ...(body !== undefined ? { 'content-type': 'application/json' } : {}), ...headers },
    body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
  });
  const text = await response.text();
  return { status: response.status, json: text ? JSON.parse(text) : undefined };
}

const pay = (accountId: string, token: string, key: string, body: unknown) => api('POST', `/portal/accounts/${accountId}/payments`, token, body, { 'idempotency-key': key });
const counter = (accountId: string, token: string, key: string, body: unknown) => api('POST', `/staff/accounts/${accountId}/payments`, token, body, { 'idempotency-key': key });

async function balance(accountId = 'A0001', token = tokens.customer1): Promise<any> {
  const response = await api('GET', `/portal/accounts/${accountId}/balance`, token);
  expect(response.status).toBe(200);
  return response.json;
}

async function webhook(body: string, signature: string | undefined): Promise<{ status: number; json: any }> {
  return api('POST', '/webhooks/payments', undefined, body, signature ? { 'cis-signature': signature } : {});
}

beforeAll(async () => {
  for (const level of ['log', 'warn', 'error'] as const) jest.spyOn(console, level).mockImplementation(() => undefined);
  local = await startTestPlatform('cis-ledger-', { accounts: 2 });
  platform = local.platform;
  tokens.csr = await issueToken(local.authDir, { staff: 'casey', role: 'csr' });
  tokens.billing = await issueToken(local.authDir, { staff: 'bill', role: 'billing' });
  tokens.auditor = await issueToken(local.authDir, { staff: 'audra', role: 'auditor' });
  tokens.customer1 = await issueToken(local.authDir, { customerId: 'C0001' });
  tokens.customer2 = await issueToken(local.authDir, { customerId: 'C0002' });
  const periodEnd = localDate(new Date());
  const periodStart = localDate(new Date(Date.now() - 4 * 86_400_000));
  const started = await api('POST', '/staff/billing-runs', tokens.billing, { cycle: 'C1', periodStart, periodEnd });
  expect(started.status).toBe(202);
  const run = await eventually(`run ${started.json.runId}`, async () => {
    const { json } = await api('GET', `/staff/billing-runs/${started.json.runId}`, tokens.auditor);
    return json.status === 'RUNNING' ? undefined : json;
  }, 60_000);
  expect(run).toMatchObject({ status: 'SUCCEEDED', counts: { billed: 2, failed: 0 } });
}, 180_000);

afterAll(async () => {
  await local?.stop();
});

describe('the ledger and payments over HTTP', () => {
  let billTotal: Decimal;

  it('shows the billed balance, per service and aged as current', async () => {
    const bills = await api('GET', '/portal/accounts/A0001/bills', tokens.customer1);
    billTotal = new Decimal(bills.json.items[0].total);
    expect(billTotal.gt(0)).toBe(true);
    const owed = await balance();
    expect(owed).toMatchObject({ accountId: 'A0001', balance: billTotal.toFixed(2), pastDue: '0.00', credit: '0.00' });
    expect(owed.aging.current).toBe(billTotal.toFixed(2));
    expect(Object.values(owed.byService).reduce((sum: Decimal, amount) => sum.plus(amount as string), new Decimal(0)).toFixed(2)).toBe(billTotal.toFixed(2));
    expect((await api('GET', '/portal/accounts/A0001/balance', tokens.customer2)).status).toBe(403);
  });

  it('refuses bad payment requests with 400 naming the field, and other customers with 403', async () => {
    const body = { amount: '10.00', method: 'CARD', token: 'tok_sandbox_visa' };
    const noKey = await api('POST', '/portal/accounts/A0001/payments', tokens.customer1, body);
    expect(noKey.status).toBe(400);
    expect(noKey.json.message).toContain('idempotency-key');
    for (const amount of ['12.345', '-1.00', '0.00', '1e3', 12.5, '100000.01']) {
      const bad = await pay('A0001', tokens.customer1, `bad-${String(amount)}`, { ...body, amount });
      expect({ amount, status: bad.status }).toEqual({ amount, status: 400 });
      expect(bad.json.message).toContain('body.amount');
    }
    expect((await pay('A0001', tokens.customer1, 'extra', { ...body, tip: '1.00' })).status).toBe(400);
    expect((await pay('A0001', tokens.customer2, 'theirs', body)).status).toBe(403);
    expect((await pay('A0001', tokens.csr, 'staff-on-portal', body)).status).toBe(403);
    expect((await balance()).balance).toBe(billTotal.toFixed(2));
  });

  let firstPaymentId: string;

  it('posts concurrent requests with one Idempotency-Key once, replays the answer, and refuses the key with another body', async () => {
    const amount = billTotal.plus('10.00').toFixed(2);
    const body = { amount, method: 'CARD', token: 'tok_sandbox_visa' };
    const answers = await Promise.all([1, 2, 3, 4].map(() => pay('A0001', tokens.customer1, 'pay-1', body)));
    for (const answer of answers) expect(answer.status).toBe(201);
    const ids = new Set(answers.map((answer) => answer.json.payment.paymentId));
    expect(ids.size).toBe(1);
    firstPaymentId = answers[0]!.json.payment.paymentId;
    expect(answers[0]!.json.payment).toMatchObject({ amount, status: 'POSTED', credit: '10.00', channel: 'PORTAL', provider: 'sandbox' });

    const retried = await pay('A0001', tokens.customer1, 'pay-1', { token: 'tok_sandbox_visa', method: 'CARD', amount });
    expect(retried).toEqual({ status: 201, json: answers[0]!.json });
    const reused = await pay('A0001', tokens.customer1, 'pay-1', { ...body, amount: '1.00' });
    expect(reused).toMatchObject({ status: 409, json: { code: 'IdempotencyKeyReused' } });

    const ledger = await api('GET', '/staff/accounts/A0001/ledger', tokens.auditor);
    expect(ledger.status).toBe(200);
    expect(ledger.json.items.filter((entry: any) => entry.kind === 'PAYMENT')).toHaveLength(1);
    for (const entry of ledger.json.items) {
      const sides = (side: string) => entry.postings.filter((p: any) => p.side === side).reduce((sum: Decimal, p: any) => sum.plus(p.amount), new Decimal(0));
      expect(sides('debit').toFixed(2)).toBe(sides('credit').toFixed(2));
    }
    expect(await balance()).toMatchObject({ balance: '-10.00', credit: '10.00', pastDue: '0.00' });
  });

  it('answers a declined card with 422, the same on retry, and posts nothing', async () => {
    const body = { amount: '5.00', method: 'CARD', token: 'tok_sandbox_declined' };
    const declined = await pay('A0001', tokens.customer1, 'pay-declined', body);
    expect(declined).toMatchObject({ status: 422, json: { code: 'PaymentDeclined', reason: 'card_declined' } });
    expect(await pay('A0001', tokens.customer1, 'pay-declined', body)).toEqual(declined);
    expect((await balance()).balance).toBe('-10.00');
  });

  let returnedLater: any;

  it('returns a payment through the signed webhook once: a reversing entry and the returned-payment fee', async () => {
    const posted = await pay('A0001', tokens.customer1, 'pay-bank', { amount: '20.00', method: 'BANK', token: 'tok_sandbox_return' });
    expect(posted.status).toBe(201);
    returnedLater = posted.json.payment;
    expect((await balance()).balance).toBe('-30.00');

    const now = Math.floor(Date.now() / 1000);
    const body = sandboxReturnEvent({ eventId: 'evt_return_1', paymentId: returnedLater.paymentId, reference: returnedLater.reference, createdSec: now });
    expect((await webhook(body, undefined)).status).toBe(403);
    expect((await webhook(body, signWebhook('not-the-sandbox-secret', now, body))).status).toBe(403);
    expect((await webhook(body, signWebhook(SANDBOX_WEBHOOK_SECRET, now - 3600, body))).status).toBe(403);
    expect((await webhook(`${body} `, signWebhook(SANDBOX_WEBHOOK_SECRET, now, body))).status).toBe(403);
    expect((await balance()).balance).toBe('-30.00');

    const signature = signWebhook(SANDBOX_WEBHOOK_SECRET, now, body);
    const [first, second] = await Promise.all([webhook(body, signature), webhook(body, signature)]);
    expect([first.status, second.status]).toEqual([200, 200]);
    expect([first.json.effect, second.json.effect].sort()).toEqual(['duplicate', 'returned']);
    expect((await webhook(body, signature)).json.effect).toBe('duplicate');
    // -30.00 + 20.00 returned + 25.00 fee
    expect(await balance()).toMatchObject({ balance: '15.00', credit: '0.00' });

    const history = await api('GET', '/portal/accounts/A0001/payments', tokens.customer1);
    expect(history.status).toBe(200);
    expect(history.json.items.map((p: any) => [p.paymentId, p.status])).toEqual([
      [returnedLater.paymentId, 'RETURNED'],
      [firstPaymentId, 'POSTED'],
    ]);
    expect((await api('GET', '/portal/accounts/A0001/payments', tokens.customer2)).status).toBe(403);
    expect((await api('POST', `/staff/payments/${returnedLater.paymentId}/return`, tokens.billing, { reason: 'again' })).json.code).toBe('PaymentNotReturnable');
  });

  it('takes counter payments from csr (audited), returns them by billing staff, and refuses auditors', async () => {
    const body = { amount: '50.00', method: 'CHECK', reference: 'check 1001' };
    expect((await counter('A0001', tokens.auditor, 'counter-1', body)).status).toBe(403);
    const noKey = await api('POST', '/staff/accounts/A0001/payments', tokens.csr, body);
    expect(noKey.status).toBe(400);
    const posted = await counter('A0001', tokens.csr, 'counter-1', body);
    expect(posted.status).toBe(201);
    expect(posted.json.payment).toMatchObject({ channel: 'COUNTER', method: 'CHECK', reference: 'check 1001', actor: 'casey', credit: '35.00' });
    expect(await counter('A0001', tokens.csr, 'counter-1', body)).toEqual(posted);
    expect((await counter('A9999', tokens.csr, 'counter-x', body)).status).toBe(404);
    expect(await balance()).toMatchObject({ balance: '-35.00', credit: '35.00' });

    const paymentId = posted.json.payment.paymentId;
    expect((await api('POST', `/staff/payments/${paymentId}/return`, tokens.csr, { reason: 'NSF' })).status).toBe(403);
    expect((await api('POST', `/staff/payments/${paymentId}/return`, tokens.billing, {})).status).toBe(400);
    expect((await api('POST', '/staff/payments/PNOSUCHPAYMENT/return', tokens.billing, { reason: 'NSF' })).status).toBe(404);
    const returned = await api('POST', `/staff/payments/${paymentId}/return`, tokens.billing, { reason: 'NSF' });
    expect(returned.status).toBe(200);
    expect(returned.json.payment).toMatchObject({ status: 'RETURNED', returnReason: 'NSF' });
    expect(await balance()).toMatchObject({ balance: '40.00' });
  });

  it('refunds no more than the credit, once per Idempotency-Key, by billing staff only', async () => {
    const settle = await counter('A0001', tokens.csr, 'counter-2', { amount: '100.00', method: 'CASH' });
    expect(settle.status).toBe(201);
    expect(await balance()).toMatchObject({ balance: '-60.00', credit: '60.00' });
    const refund = (token: string, key: string, amount: string) => api('POST', '/staff/accounts/A0001/refunds', token, { amount, reason: 'moving away' }, { 'idempotency-key': key });
    expect((await refund(tokens.csr, 'refund-1', '60.00')).status).toBe(403);
    expect(await refund(tokens.billing, 'refund-too-much', '60.01')).toMatchObject({ status: 422, json: { code: 'RefundExceedsCredit' } });
    const [a, b] = await Promise.all([refund(tokens.billing, 'refund-a', '40.00'), refund(tokens.billing, 'refund-b', '40.00')]);
    // Two refunds racing for one credit of 60.00: exactly one passes (the other is refused or told to retry).
    expect([a.status, b.status].filter((status) => status === 201)).toHaveLength(1);
    expect([409, 422, 503]).toContain([a.status, b.status].find((s) => s !== 201));
    expect(await balance()).toMatchObject({ balance: '-20.00', credit: '20.00' });
  });

  it('shows staff the ledger, payments, balance and audit events in the overview', async () => {
    const overview = await api('GET', '/staff/accounts/A0001/overview', tokens.auditor);
    expect(overview.status).toBe(200);
    expect(overview.json.balance).toBe('-20.00');
    expect(overview.json.receivable).toMatchObject({ balance: '-20.00', credit: '20.00' });
    expect(overview.json.payments.map((p: any) => p.status)).toEqual(['POSTED', 'RETURNED', 'RETURNED', 'POSTED']);
    const actions = overview.json.auditTimeline.map((event: any) => event.action);
    expect(actions.filter((action: string) => action === 'payment.posted')).toHaveLength(4);
    expect(actions.filter((action: string) => action === 'payment.returned')).toHaveLength(2);
    expect(actions.filter((action: string) => action === 'refund.issued')).toHaveLength(1);

    const ledger = await api('GET', '/staff/accounts/A0001/ledger?limit=3', tokens.auditor);
    expect(ledger.json.items).toHaveLength(3);
    const rest = await api('GET', `/staff/accounts/A0001/ledger?limit=50&cursor=${ledger.json.nextCursor}`, tokens.auditor);
    const kinds = [...ledger.json.items, ...rest.json.items].map((entry: any) => entry.kind).sort();
    expect(kinds).toEqual(['BILL', 'FEE', 'FEE', 'PAYMENT', 'PAYMENT', 'PAYMENT', 'PAYMENT', 'PAYMENT_RETURN', 'PAYMENT_RETURN', 'REFUND']);
    expect((await api('GET', '/staff/accounts/A9999/ledger', tokens.auditor)).status).toBe(404);

    const firstPage = await api('GET', '/portal/accounts/A0001/payments?limit=3', tokens.customer1);
    expect(firstPage.json.items).toHaveLength(3);
    const lastPage = await api('GET', `/portal/accounts/A0001/payments?limit=3&cursor=${firstPage.json.nextCursor}`, tokens.customer1);
    expect(lastPage.json).toMatchObject({ items: [{ paymentId: firstPaymentId }], nextCursor: null });
    expect((await api('GET', `/portal/accounts/A0002/payments?cursor=${firstPage.json.nextCursor}`, tokens.customer2)).status).toBe(400);
    // The other account was billed and never paid.
    expect((await balance('A0002', tokens.customer2)).balance).not.toBe('0.00');
  });

  it('lets billing staff adjust a balance and reverse an adjustment once, but not a bill; a CSR\'s adjustment waits for approval', async () => {
    const before = new Decimal((await balance('A0002', tokens.customer2)).balance);
    const adjust = (token: string, key: string, body: unknown) => api('POST', '/staff/accounts/A0002/adjustments', token, body, { 'idempotency-key': key });
    const body = { amount: '10.00', direction: 'debit', service: 'electric', reason: 'meter tampering charge' };
    // A CSR's adjustment above the CSR limit (25.00) waits for approval (202, nothing posted); an auditor may not ask for one.
    const requested = await adjust(tokens.csr, 'adj-csr', { ...body, amount: '40.00' });
    expect(requested.status).toBe(202);
    expect(requested.json.request).toMatchObject({ status: 'PENDING', amount: '40.00', direction: 'debit' });
    expect((await adjust(tokens.auditor, 'adj-aud', body)).status).toBe(403);
    expect((await adjust(tokens.billing, 'adj-1', { ...body, direction: 'sideways' })).status).toBe(400);
    const adjusted = await adjust(tokens.billing, 'adj-1', body);
    expect(adjusted.status).toBe(201);
    expect(await adjust(tokens.billing, 'adj-1', body)).toEqual(adjusted);
    expect((await balance('A0002', tokens.customer2)).balance).toBe(before.plus(10).toFixed(2));

    const reverse = (entryId: string) => api('POST', `/staff/accounts/A0002/ledger/${entryId}/reversal`, tokens.billing, { reason: 'entered in error' });
    expect((await reverse(adjusted.json.entry.entryId)).status).toBe(201);
    expect((await reverse(adjusted.json.entry.entryId)).json.code).toBe('EntryAlreadyReversed');
    expect((await balance('A0002', tokens.customer2)).balance).toBe(before.toFixed(2));
    const ledger = await api('GET', '/staff/accounts/A0002/ledger', tokens.auditor);
    const billEntry = ledger.json.items.find((entry: any) => entry.kind === 'BILL');
    expect(await reverse(billEntry.entryId)).toMatchObject({ status: 422, json: { code: 'EntryNotReversible' } });
    expect((await reverse('LENOSUCHENTRY')).status).toBe(404);
  });

  it('makes a payment arrangement (csr, audited), pays its installments first, shows it to its customer and in the overview, and cancels it', async () => {
    const owed = (await balance('A0002', tokens.customer2)).balance as string;
    const firstDueDate = localDate(new Date(Date.now() + 10 * 86_400_000));
    const make = (token: string, body: unknown) => api('POST', '/staff/accounts/A0002/arrangements', token, body);
    const body = { installments: 2, firstDueDate, downPayment: '1.00', reason: 'hardship' };
    expect((await make(tokens.auditor, body)).status).toBe(403);
    const bad = await make(tokens.csr, { ...body, installments: 0 });
    expect(bad.status).toBe(400);
    expect(bad.json.message).toContain('body.installments');
    const made = await make(tokens.csr, body);
    expect(made.status).toBe(201);
    const arrangement = made.json.arrangement;
    expect(arrangement).toMatchObject({ status: 'ACTIVE', amount: owed, downPayment: '1.00', createdBy: 'casey', tracking: { state: 'on-track', remaining: owed } });
    const rest = new Decimal(owed).minus(1);
    expect(arrangement.installments.map((i: any) => i.amount).reduce((sum: Decimal, a: string) => sum.plus(a), new Decimal(0)).toFixed(2)).toBe(owed);
    expect(new Decimal(arrangement.installments[1].amount).toFixed(2)).toBe(rest.div(2).toDecimalPlaces(2, Decimal.ROUND_DOWN).toFixed(2));
    expect((await make(tokens.csr, body)).json.code).toBe('ArrangementExists');

    const paid = await pay('A0002', tokens.customer2, 'arr-down', { amount: '1.00', method: 'CARD', token: 'tok_sandbox_visa' });
    expect(paid.status).toBe(201);
    expect(paid.json.payment.arrangement).toEqual({ arrangementId: arrangement.arrangementId, amount: '1.00' });
    const mine = await api('GET', '/portal/accounts/A0002/arrangement', tokens.customer2);
    expect(mine.status).toBe(200);
    expect(mine.json.arrangement).toMatchObject({ arrangementId: arrangement.arrangementId, tracking: { state: 'on-track', paid: '1.00', remaining: rest.toFixed(2), next: { number: 1 } } });
    expect((await api('GET', '/portal/accounts/A0002/arrangement', tokens.customer1)).status).toBe(403);
    expect((await api('GET', '/portal/accounts/A0001/arrangement', tokens.customer1)).json).toEqual({ accountId: 'A0001', arrangement: null });

    const cancel = await api('POST', `/staff/accounts/A0002/arrangements/${arrangement.arrangementId}/cancel`, tokens.billing, { reason: 'customer asked' });
    expect(cancel.status).toBe(200);
    expect(cancel.json.arrangement).toMatchObject({ status: 'CANCELLED', closedBy: 'bill' });
    const overview = await api('GET', '/staff/accounts/A0002/overview', tokens.auditor);
    expect(overview.json.arrangements).toMatchObject([{ arrangementId: arrangement.arrangementId, status: 'CANCELLED', tracking: { paid: '1.00' } }]);
    const actions = overview.json.auditTimeline.map((event: any) => event.action);
    expect(actions).toEqual(expect.arrayContaining(['arrangement.created', 'arrangement.cancelled']));
  });

  it('opens a dispute of an old bill, assesses one late fee on the undisputed part only (billing, audited, once), and closes the dispute', async () => {
    // A gas bill of 150.00 that fell due 40 days ago, posted by an earlier system run.
    const client = DynamoDBDocumentClient.from(new DynamoDBClient({ endpoint: platform.endpoints.dynamodb, region: LOCAL_REGION, credentials: { accessKeyId: 'local', secretAccessKey: 'local' } }), { marshallOptions: { removeUndefinedValues: true } });
    const issued = new Date(Date.now() - 60 * 86_400_000);
    const old = ledgerEntryForBill({ billId: 'BOLDGAS0001', accountId: 'A0002', total: '150.00', periodStart: localDate(new Date(issued.getTime() - 30 * 86_400_000)), periodEnd: localDate(issued), dueDate: localDate(new Date(Date.now() - 40 * 86_400_000)), serviceType: 'gas' }, issued.toISOString());
    await new DynamoLedgerStore(client, platform.tableName).commit({ entries: [old], audit: [] });
    const before = new Decimal((await balance('A0002', tokens.customer2)).balance);

    const dispute = (token: string, body: unknown) => api('POST', '/staff/accounts/A0002/disputes', token, body);
    expect((await dispute(tokens.auditor, { entryIds: [old.entryId], reason: 'r' })).status).toBe(403);
    const badIds = await dispute(tokens.csr, { entryIds: 'all', reason: 'r' });
    expect([badIds.status, badIds.json.message]).toEqual([400, expect.stringContaining('body.entryIds')]);
    expect((await dispute(tokens.csr, { entryIds: ['LENOSUCHENTRY'], reason: 'r' })).json.code).toBe('RuleViolation');
    const opened = await dispute(tokens.csr, { entryIds: [old.entryId], amount: '100.00', reason: 'estimated read' });
    expect(opened.status).toBe(201);
    expect(opened.json.dispute).toMatchObject({ status: 'OPEN', amount: '100.00', openedBy: 'casey' });

    const assess = (token: string, key: string | undefined, body?: unknown) => api('POST', '/staff/accounts/A0002/late-fees', token, body, key ? { 'idempotency-key': key } : {});
    expect((await assess(tokens.csr, 'fees-1')).status).toBe(403);
    const noKey = await assess(tokens.billing, undefined);
    expect([noKey.status, noKey.json.message]).toEqual([400, expect.stringContaining('idempotency-key')]);
    const badDay = await assess(tokens.billing, 'fees-0', { asOf: '2026-02-30' });
    expect([badDay.status, badDay.json.message]).toEqual([400, expect.stringContaining('body.asOf')]);
    const first = await assess(tokens.billing, 'fees-1');
    expect(first.status).toBe(200);
    expect(first.json.posted).toEqual([{ chargeEntryId: old.entryId, entryId: expect.any(String), pastDue: '50.00', fee: '0.75' }]);
    expect(await assess(tokens.billing, 'fees-1')).toEqual(first);
    const rerun = await assess(tokens.billing, 'fees-2');
    expect(rerun.json).toMatchObject({ posted: [], alreadyAssessed: [old.entryId] });
    expect((await balance('A0002', tokens.customer2)).balance).toBe(before.plus('0.75').toFixed(2));

    const closed = await api('POST', `/staff/accounts/A0002/disputes/${opened.json.dispute.disputeId}/close`, tokens.billing, { resolution: 'read confirmed' });
    expect(closed.status).toBe(200);
    expect((await api('POST', `/staff/accounts/A0002/disputes/${opened.json.dispute.disputeId}/close`, tokens.billing, { resolution: 'again' })).status).toBe(409);
    expect((await assess(tokens.billing, 'fees-3')).json).toMatchObject({ posted: [], alreadyAssessed: [old.entryId] });
    const overview = await api('GET', '/staff/accounts/A0002/overview', tokens.auditor);
    expect(overview.json.disputes).toMatchObject([{ disputeId: opened.json.dispute.disputeId, status: 'CLOSED', resolution: 'read confirmed' }]);
    const actions = overview.json.auditTimeline.map((event: any) => event.action);
    expect(actions.filter((a: string) => a === 'late-fee.assessed')).toHaveLength(1);
    expect(actions).toEqual(expect.arrayContaining(['dispute.opened', 'dispute.closed']));
  });
});
