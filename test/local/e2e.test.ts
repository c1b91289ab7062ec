/**
 * End to end: starts the whole local platform (from the synthesized template) and drives the
 * foundation slice from outside, over MQTT and HTTP, as a head-end, a CSR, a billing clerk and
 * a customer would.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { DescribeExecutionCommand, GetExecutionHistoryCommand, ListExecutionsCommand, SFNClient } from '@aws-sdk/client-sfn';
import { ReceiveMessageCommand, SQSClient, type Message } from '@aws-sdk/client-sqs';
import { Decimal } from 'decimal.js';
import mqtt from 'mqtt';
import { demoTariffs } from '../../shared/app/seed-demo';
import { issueToken } from '../../shared/local/local-auth';
import type { RunningPlatform } from '../../shared/local/platform';
import { localClientConfig } from '../../shared/local/ports';
import { pdfText, renderPages } from '../unit/documents/poppler';
import { eventually, startTestPlatform, type TestPlatform } from './platform-harness';

const ACCOUNTS = 6;
const TIME_ZONE = 'America/Denver';

let local: TestPlatform;
let platform: RunningPlatform;
let authDir: string;
let mqttPort: number;
const logLines: string[] = [];
/** What the handlers log (one JSON object per line, as CloudWatch Logs would receive it). */
const handlerLogs: string[] = [];
const tokens: Record<'billing' | 'csr' | 'auditor' | 'customer1' | 'customer2', string> = {} as never;

function localDate(date: Date): string {
  return new Intl.DateTimeFormat('en-CA', { timeZone: TIME_ZONE, year: 'numeric', month: '2-digit', day: '2-digit' }).format(date);
}

async function api(method: string, route: string, token?: string, body?: unknown): Promise<{ status: number; json: any }> {
  const response = await fetch(`${platform.httpUrl}${route}`, {
    method,
    headers: {
      ...(token ? { authorization: `Bearer ${token}` } : {}),
      ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
    },
    body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
  });
  const text = await response.text();
  return { status: response.status, json: text ? JSON.parse(text) : undefined };
}

async function publish(messages: Array<{ topic: string; payload: string }>): Promise<void> {
  const client = await mqtt.connectAsync(`mqtt://127.0.0.1:${mqttPort}`, { clientId: `e2e-${process.pid}`, reconnectPeriod: 0 });
  try {
    for (const message of messages) await client.publishAsync(message.topic, message.payload, { qos: 1 });
  } finally {
    await client.endAsync();
  }
}

beforeAll(async () => {
  for (const level of ['log', 'warn', 'error'] as const) {
    jest.spyOn(console, level).mockImplementation((...args: unknown[]) => void handlerLogs.push(args.map(String).join(' ')));
  }
  local = await startTestPlatform('cis-e2e-', { accounts: ACCOUNTS, log: (line) => logLines.push(line) });
  ({ platform, authDir, mqttPort } = local);
  tokens.billing = await issueToken(authDir, { staff: 'bill', role: 'billing' });
  tokens.csr = await issueToken(authDir, { staff: 'casey', role: 'csr' });
  tokens.auditor = await issueToken(authDir, { staff: 'audra', role: 'auditor' });
  tokens.customer1 = await issueToken(authDir, { customerId: 'C0001' });
  tokens.customer2 = await issueToken(authDir, { customerId: 'C0002' });
}, 120_000);

afterAll(async () => {
  await local?.stop();
});

describe('identity at the gateway', () => {
  it('answers 401 without a token, with a forged token and with a token of another key', async () => {
    expect((await api('GET', '/staff/accounts')).status).toBe(401);
    expect((await api('GET', '/staff/accounts', 'not-a-jwt')).status).toBe(401);
    const otherDir = await mkdtemp(path.join(os.tmpdir(), 'cis-e2e-other-'));
    try {
      const foreign = await issueToken(otherDir, { staff: 'mallory', role: 'admin' });
      expect((await api('GET', '/staff/accounts', foreign)).status).toBe(401);
    } finally {
      await rm(otherDir, { recursive: true, force: true });
    }
  });

  it('answers 403 for the wrong kind of user or role', async () => {
    expect((await api('GET', '/staff/accounts', tokens.customer1)).status).toBe(403);
    expect((await api('GET', '/portal/accounts/A0001/bills', tokens.csr)).status).toBe(403);
    const period = { cycle: 'C1', periodStart: '2026-01-01', periodEnd: '2026-01-31' };
    expect((await api('POST', '/staff/billing-runs', tokens.csr, period)).status).toBe(403);
    expect((await api('POST', '/staff/billing-runs', tokens.auditor, period)).status).toBe(403);
  });
});

describe('staff accounts', () => {
  it('lists accounts with their meter ids, page by page', async () => {
    const first = await api('GET', '/staff/accounts?limit=4', tokens.csr);
    expect(first.status).toBe(200);
    expect(first.json.items).toHaveLength(4);
    for (const item of first.json.items) expect(item.meterIds.length).toBeGreaterThan(0);
    const second = await api('GET', `/staff/accounts?limit=4&cursor=${encodeURIComponent(first.json.nextCursor)}`, tokens.csr);
    expect(second.status).toBe(200);
    const ids = [...first.json.items, ...second.json.items].map((item: { accountId: string }) => item.accountId);
    expect(new Set(ids).size).toBe(ACCOUNTS);
    expect(second.json.nextCursor).toBeNull();
  });

  it('rejects a bad limit with 400 naming the field, and an unknown account with 404', async () => {
    const bad = await api('GET', '/staff/accounts?limit=abc', tokens.csr);
    expect(bad.status).toBe(400);
    expect(JSON.stringify(bad.json)).toContain('limit');
    expect((await api('GET', '/staff/accounts/A9999', tokens.csr)).status).toBe(404);
  });
});

describe('meter reads over MQTT', () => {
  it('stores valid reads and sends a malformed message to the DLQ without losing the rest of its batch', async () => {
    const hourStart = new Date(Math.floor(Date.now() / 3_600_000) * 3_600_000);
    const start = hourStart.toISOString().replace('.000Z', 'Z');
    const reading = (meterId: string, value: string) =>
      JSON.stringify({ meterId, readings: [{ start, durationSec: 900, value, unit: 'kWh' }], headEnd: 'e2e' });
    await publish([
      { topic: 'cis/meters/M0001/reads', payload: '{"meterId":"M0001","readings":[{"start":"yesterday"' },
      { topic: 'cis/meters/M0001/reads', payload: reading('M0001', '1.25') },
      { topic: 'cis/meters/M0002/reads', payload: reading('M0002', '0.5') },
      { topic: 'cis/meters/M0003/reads', payload: reading('M0003', '2') },
    ]);

    for (const [accountId, value] of [['A0001', '1.25'], ['A0002', '0.5'], ['A0003', '2']] as const) {
      const read = await eventually(`the read of ${accountId}`, async () => {
        const { json } = await api('GET', `/staff/accounts/${accountId}`, tokens.csr);
        return json.meters.flatMap((meter: { recentReads: unknown[] }) => meter.recentReads).find((r: { start: string; durationSec: number }) => Date.parse(r.start) === hourStart.getTime() && r.durationSec === 900);
      });
      expect(read).toMatchObject({ value, unit: 'kWh', durationSec: 900 });
    }

    const sqs = new SQSClient(localClientConfig(platform.endpoints.sqs));
    let dead: Message[];
    try {
      dead = await eventually('the malformed message in the DLQ', async () => {
        const received = await sqs.send(new ReceiveMessageCommand({ QueueUrl: platform.queues['ReadsDeadLetterQueue'], MaxNumberOfMessages: 10, WaitTimeSeconds: 0, MessageAttributeNames: ['All'] }));
        return received.Messages?.length ? received.Messages : undefined;
      });
      expect(dead).toHaveLength(1);
      // As the IoT rule put it on the reads queue: the MQTT payload in base64 and its topic.
      const envelope = JSON.parse(dead[0]!.Body!) as { payload: string; topic: string };
      expect(envelope.topic).toBe('cis/meters/M0001/reads');
      expect(Buffer.from(envelope.payload, 'base64').toString('utf8')).toContain('"start":"yesterday"');
      expect(dead[0]!.MessageAttributes?.['reason']?.StringValue).toBe('malformed-json');
    } finally {
      sqs.destroy();
    }
    // Dead-lettered by the handler at once, not after three failed receives.
    expect(logLines.join('\n')).not.toContain('goes to ReadsDeadLetterQueue');
    const rejection = handlerLogs.map((line) => JSON.parse(line)).find((entry) => entry.event === 'message-rejected');
    expect(rejection).toMatchObject({ reason: 'malformed-json', messageId: dead[0]!.MessageAttributes?.['sourceMessageId']?.StringValue, receiveCount: 1 });
  });

  it('ignores an exact redelivery of a read', async () => {
    const hourStart = new Date(Math.floor(Date.now() / 3_600_000) * 3_600_000);
    const payload = JSON.stringify({ meterId: 'M0005', readings: [{ start: hourStart.toISOString(), durationSec: 900, value: '0.75', unit: 'kWh' }] });
    await publish([{ topic: 'cis/meters/M0005/reads', payload }, { topic: 'cis/meters/M0005/reads', payload }]);
    const reads = await eventually('the read of A0005', async () => {
      const { json } = await api('GET', '/staff/accounts/A0005', tokens.csr);
      const matches = json.meters.flatMap((meter: { recentReads: Array<{ start: string }> }) => meter.recentReads).filter((r: { start: string }) => Date.parse(r.start) === hourStart.getTime());
      return matches.length ? matches : undefined;
    });
    expect(reads).toHaveLength(1);
    expect(reads[0].value).toBe('0.75');
  });
});

describe('billing runs and the portal', () => {
  const periodEnd = localDate(new Date());
  const periodStart = localDate(new Date(Date.now() - 4 * 86_400_000));
  let firstRunId: string;

  async function runToCompletion(): Promise<any> {
    const started = await api('POST', '/staff/billing-runs', tokens.billing, { cycle: 'C1', periodStart, periodEnd });
    expect(started.status).toBe(202);
    expect(typeof started.json.runId).toBe('string');
    return eventually(`run ${started.json.runId}`, async () => {
      const { json } = await api('GET', `/staff/billing-runs/${started.json.runId}`, tokens.auditor);
      return json.status === 'RUNNING' ? undefined : json;
    }, 60_000);
  }

  it('rejects bad run requests with 400 naming the field', async () => {
    const reversed = await api('POST', '/staff/billing-runs', tokens.billing, { cycle: 'C1', periodStart: '2026-02-01', periodEnd: '2026-01-01' });
    expect(reversed.status).toBe(400);
    const badDate = await api('POST', '/staff/billing-runs', tokens.billing, { cycle: 'C1', periodStart: '2026-13-01', periodEnd: '2026-01-31' });
    expect(badDate.status).toBe(400);
    expect(JSON.stringify(badDate.json)).toContain('periodStart');
    expect((await api('POST', '/staff/billing-runs', tokens.billing, '{"cycle":')).status).toBe(400);
  });

  it('bills every account of the cycle through the state machine', async () => {
    const run = await runToCompletion();
    firstRunId = run.runId;
    expect(run).toMatchObject({ status: 'SUCCEEDED', counts: { billed: ACCOUNTS, held: 0, skipped: 0, failed: 0 } });
    // Progress by segment, from the items each segment wrote when it started and finished.
    expect(run.progress).toMatchObject({ segments: { planned: run.counts.segments, running: 0, done: run.counts.segments }, totals: { billed: ACCOUNTS, held: 0, skipped: 0, failed: 0 } });
    expect(run.progress.bySegment).toHaveLength(run.counts.segments);
    expect(run.progress.bySegment[0]).toMatchObject({ segmentIndex: 0, status: 'DONE', attempts: 1, startedAt: expect.any(String), finishedAt: expect.any(String) });
    expect(Number(run.progress.billsPerSecond)).toBeGreaterThan(0);
    expect(run.progress.elapsedSeconds).toBeGreaterThan(0);

    const sfn = new SFNClient(localClientConfig(platform.endpoints.sfn));
    try {
      const executionArn = `${platform.stateMachineArn.replace(':stateMachine:', ':execution:')}:${firstRunId}`;
      const execution = await sfn.send(new DescribeExecutionCommand({ executionArn }));
      expect(execution.status).toBe('SUCCEEDED');
      const history = await sfn.send(new GetExecutionHistoryCommand({ executionArn, maxResults: 1000 }));
      const types = (history.events ?? []).map((event) => event.type);
      expect(types[0]).toBe('ExecutionStarted');
      expect(types.at(-1)).toBe('ExecutionSucceeded');
      const listed = await sfn.send(new ListExecutionsCommand({ stateMachineArn: platform.stateMachineArn }));
      expect(listed.executions?.map((e) => e.name)).toContain(firstRunId);
    } finally {
      sfn.destroy();
    }
  });

  it('bills nobody twice when the same cycle and period run again', async () => {
    const again = await runToCompletion();
    expect(again.runId).not.toBe(firstRunId);
    expect(again).toMatchObject({ status: 'SUCCEEDED', counts: { billed: 0, skipped: ACCOUNTS, failed: 0 } });
  });

  it("announces each posted bill once on the delivery queue with the customer's channel", async () => {
    const sqs = new SQSClient(localClientConfig(platform.endpoints.sqs));
    try {
      const messages: Message[] = [];
      await eventually('the delivery events of the first run', async () => {
        const received = await sqs.send(new ReceiveMessageCommand({ QueueUrl: platform.queues['BillDeliveryQueue'], MaxNumberOfMessages: 10, WaitTimeSeconds: 0, MessageAttributeNames: ['All'] }));
        messages.push(...(received.Messages ?? []));
        return messages.length >= ACCOUNTS ? messages : undefined;
      });
      // Once each: the second run of the same period found the bills and announced none again.
      await new Promise((resolve) => setTimeout(resolve, 500));
      const late = await sqs.send(new ReceiveMessageCommand({ QueueUrl: platform.queues['BillDeliveryQueue'], MaxNumberOfMessages: 10, WaitTimeSeconds: 0 }));
      messages.push(...(late.Messages ?? []));
      const events = messages.map((message) => JSON.parse(message.Body!));
      expect(events).toHaveLength(ACCOUNTS);
      expect(new Set(events.map((event) => event.billId)).size).toBe(ACCOUNTS);
      const [bill] = (await api('GET', '/portal/accounts/A0001/bills', tokens.customer1)).json.items;
      // The demo customers chose portal delivery.
      expect(events.find((event) => event.accountId === 'A0001')).toEqual({
        type: 'bill.ready',
        billId: bill.billId,
        accountId: 'A0001',
        customerId: 'C0001',
        channel: 'PORTAL',
        periodStart,
        periodEnd,
        total: bill.total,
        dueDate: bill.dueDate,
        finalBill: false,
        documentPath: `/portal/accounts/A0001/bills/${bill.billId}/document`,
        // Never chose notification channels: "bill ready" by e-mail, the default with an address.
        notify: ['EMAIL'],
        notifyEmail: 'c0001@example.com',
      });
      expect(messages[0]!.MessageAttributes?.['channel']?.StringValue).toBe('PORTAL');
    } finally {
      sqs.destroy();
    }
  });

  /** The account's hourly usage from the portal, split by the demo TOU schedule (on-peak: weekdays 16:00-21:00 local). */
  async function hourlyUsage(accountId: string, token: string): Promise<{ total: Decimal; onPeak: Decimal; offPeak: Decimal }> {
    const usage = await api('GET', `/portal/accounts/${accountId}/usage?from=${periodStart}&to=${periodEnd}&interval=hour`, token);
    expect(usage.status).toBe(200);
    const parts = new Intl.DateTimeFormat('en-US', { timeZone: TIME_ZONE, weekday: 'short', hour: '2-digit', hourCycle: 'h23' });
    let onPeak = new Decimal(0);
    let offPeak = new Decimal(0);
    for (const point of usage.json.series[0].points as Array<{ period: string; quantity: string }>) {
      const fields = Object.fromEntries(parts.formatToParts(new Date(point.period)).map((part) => [part.type, part.value]));
      const hour = Number(fields['hour']);
      const weekday = !['Sat', 'Sun'].includes(String(fields['weekday']));
      if (weekday && hour >= 16 && hour < 21) onPeak = onPeak.plus(point.quantity);
      else offPeak = offPeak.plus(point.quantity);
    }
    return { total: onPeak.plus(offPeak), onPeak, offPeak };
  }

  const priced = (quantity: Decimal, rate: string) => quantity.times(rate).toDecimalPlaces(2, Decimal.ROUND_HALF_UP).toFixed(2);

  it("shows a customer their own bill, rated by the engine from the meter's intervals, with exact decimal amounts, and nobody else's", async () => {
    const mine = await api('GET', '/portal/accounts/A0001/bills', tokens.customer1);
    expect(mine.status).toBe(200);
    expect(mine.json.items).toHaveLength(1);
    const bill = mine.json.items[0];
    const issued = localDate(new Date(bill.issuedAt));
    const due = new Date(`${issued}T00:00:00Z`);
    due.setUTCDate(due.getUTCDate() + 21);
    expect(bill).toMatchObject({ accountId: 'A0001', periodStart, periodEnd, dueDate: due.toISOString().slice(0, 10), finalBill: false, currency: 'USD' });
    expect(bill.services).toHaveLength(1);
    const [service] = bill.services;
    expect(service).toMatchObject({ serviceType: 'electric', tariffId: 'ELEC-RES', agreementId: 'G0001', meterId: 'M0001', periodStart, periodEnd, usage: { unit: 'kWh' } });

    // Independent arithmetic: the TOU split of the portal's hourly usage, the demo tariff's prices.
    const usage = await hourlyUsage('A0001', tokens.customer1);
    expect(usage.total.gt(0)).toBe(true);
    expect(service.usage.quantity).toBe(usage.total.toString());
    const expected = [
      { description: 'Customer charge', quantity: '1', amount: '12.50' },
      { description: 'Energy, Off-peak', quantity: usage.offPeak.toString(), rate: '0.0925', amount: priced(usage.offPeak, '0.0925') },
      ...(usage.onPeak.isZero() ? [] : [{ description: 'Energy, On-peak', quantity: usage.onPeak.toString(), rate: '0.215', amount: priced(usage.onPeak, '0.215') }]),
      { description: 'Energy cost adjustment', quantity: usage.total.toString(), rate: '0.0042', amount: priced(usage.total, '0.0042') },
    ];
    const beforeTax = expected.reduce((sum, line) => sum.plus(line.amount), new Decimal(0));
    expected.push({ description: `City franchise fee (5% of ${beforeTax.toFixed(2)})`, quantity: beforeTax.toFixed(2), rate: '0.05', amount: priced(beforeTax, '0.05') });
    expect(service.lines).toMatchObject(expected.map((line) => ({ ...line, periodStart, periodEnd })));
    for (const line of service.lines) expect(line.amount).toMatch(/^-?\d+\.\d{2}$/);
    const sum = expected.reduce((total, line) => total.plus(line.amount), new Decimal(0));
    expect(service.subtotal).toBe(sum.toFixed(2));
    expect(bill.total).toBe(sum.toFixed(2));

    const accounts = await api('GET', '/portal/accounts', tokens.customer1);
    expect(accounts.json.items.map((a: { accountId: string }) => a.accountId)).toEqual(['A0001']);

    expect((await api('GET', '/portal/accounts/A0001/bills', tokens.customer2)).status).toBe(403);
    expect((await api('GET', '/portal/accounts/A9999/bills', tokens.customer2)).status).toBe(403);
  });

  it("serves the customer's bill as a PDF and as HTML with the portal's amounts, and nobody else's", async () => {
    const [bill] = (await api('GET', '/portal/accounts/A0001/bills', tokens.customer1)).json.items;
    const route = `/portal/accounts/A0001/bills/${bill.billId}/document`;
    const pdf = await fetch(`${platform.httpUrl}${route}`, { headers: { authorization: `Bearer ${tokens.customer1}` } });
    expect(pdf.status).toBe(200);
    expect(pdf.headers.get('content-type')).toBe('application/pdf');
    const bytes = Buffer.from(await pdf.arrayBuffer());
    expect(bytes.subarray(0, 5).toString()).toBe('%PDF-');
    const text = pdfText(bytes);
    expect(text).toContain('Demo Municipal Utilities');
    expect(text).toMatch(new RegExp(`Current charges\\s+\\$${bill.total.replace('.', '\\.')}`));
    for (const line of bill.services[0].lines) expect(text).toContain(`$${line.amount}`);
    expect(renderPages(bytes, 20).length).toBeGreaterThanOrEqual(1);

    const html = await fetch(`${platform.httpUrl}${route}?format=html`, { headers: { authorization: `Bearer ${tokens.customer1}` } });
    expect(html.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(await html.text()).toContain(`<tr><th scope="row">Current charges</th><td class="num">$${bill.total}</td></tr>`);

    expect((await api('GET', route, tokens.customer2)).status).toBe(403);
    const staff = await fetch(`${platform.httpUrl}/staff/accounts/A0001/bills/${bill.billId}/document?format=html`, { headers: { authorization: `Bearer ${tokens.auditor}` } });
    expect(staff.status).toBe(200);
    expect(await staff.text()).toContain(`<dd>${bill.dueDate}</dd>`);
  });

  it('bills the water account with inclining tiers, the base charge of its meter size and sewer', async () => {
    const token = await issueToken(authDir, { customerId: 'C0004' });
    const [bill] = (await api('GET', '/portal/accounts/A0004/bills', token)).json.items;
    const [service] = bill.services;
    expect(service).toMatchObject({ serviceType: 'water', tariffId: 'WATER-RES', usage: { unit: 'gal' } });
    const usage = await hourlyUsage('A0004', token);
    expect(service.usage.quantity).toBe(usage.total.toString());
    const tier1 = Decimal.min(usage.total, 3000);
    const tier2 = Decimal.max(0, Decimal.min(usage.total, 10000).minus(3000));
    const sewer = Decimal.min(usage.total, 8000);
    const expected = [
      { description: 'Water base charge (meter size 5/8in)', amount: '18.00' },
      { description: 'Water, tier 1 (first 3000 gal)', quantity: tier1.toString(), amount: priced(tier1, '0.0045') },
      ...(tier2.isZero() ? [] : [{ description: 'Water, tier 2 (3000-10000 gal)', quantity: tier2.toString(), amount: priced(tier2, '0.006') }]),
      { description: 'Sewer base charge', amount: '9.75', category: 'sewer' },
      { description: 'Sewer volume', quantity: sewer.toString(), amount: priced(sewer, '0.0052'), category: 'sewer' },
    ];
    expect(service.lines).toMatchObject(expected);
    expect(bill.total).toBe(expected.reduce((total, line) => total.plus(line.amount), new Decimal(0)).toFixed(2));
  });

  it('cancels and rebills a bill after a read correction: reversal, corrected bill that says what changed, once', async () => {
    const [original] = (await api('GET', '/portal/accounts/A0001/bills', tokens.customer1)).json.items;
    const before = (await api('GET', '/staff/accounts/A0001/ledger', tokens.billing)).json;
    // A read for an hour of the period that had none.
    const corrected = await api('POST', '/staff/meters/M0001/reads', tokens.billing, { readings: [{ start: `${periodStart}T12:00:00-07:00`, durationSec: 3600, value: '3.75', unit: 'kWh' }] });
    expect(corrected.status).toBeLessThan(300);

    const route = `/staff/accounts/A0001/bills/${original.billId}/rebill`;
    expect((await api('POST', route, tokens.csr, { reason: 'meter read corrected' })).status).toBe(403);
    expect((await api('POST', route, tokens.billing, {})).json.message).toContain('reason is required');
    const rebill = await api('POST', route, tokens.billing, { reason: 'meter read corrected' });
    expect(rebill.status).toBe(201);
    const { cancelled, replacement, reversal, corrections } = rebill.json;
    expect(cancelled).toMatchObject({ billId: original.billId, status: 'CANCELLED', replacedBy: { billId: replacement.billId, reason: 'meter read corrected', by: 'bill' } });
    expect(replacement).toMatchObject({ status: 'ISSUED', revision: 2, periodStart, periodEnd, replaces: { billId: original.billId, reason: 'meter read corrected' } });
    expect(replacement.billId).not.toBe(original.billId);
    const usageBefore = new Decimal(original.services[0].usage.quantity);
    expect(replacement.services[0].usage.quantity).toBe(usageBefore.plus('3.75').toString());
    expect(corrections).toContainEqual(expect.objectContaining({ what: 'usage', before: `${usageBefore.toString()} kWh`, after: `${usageBefore.plus('3.75').toString()} kWh` }));
    expect(replacement.replaces.message).toMatch(new RegExp(`^This bill replaces bill ${original.billId} issued .* \\(meter read corrected\\)\\. Corrected: electric usage`));

    // The ledger: the original's entry reversed, the corrected bill posted; the balance moves by the difference.
    const after = (await api('GET', '/staff/accounts/A0001/ledger', tokens.billing)).json;
    const originalEntry = before.items.find((entry: { kind: string; billId?: string }) => entry.kind === 'BILL' && entry.billId === original.billId);
    expect(reversal).toMatchObject({ kind: 'REVERSAL', reverses: originalEntry.entryId });
    expect(after.items.filter((entry: { kind: string; billId?: string }) => entry.kind === 'BILL' && entry.billId === replacement.billId)).toHaveLength(1);
    expect(new Decimal(after.balance.balance).minus(before.balance.balance).toFixed(2)).toBe(new Decimal(replacement.total).minus(original.total).toFixed(2));

    // The customer sees the corrected bill only, and its document explains the correction.
    const bills = (await api('GET', '/portal/accounts/A0001/bills', tokens.customer1)).json.items;
    expect(bills.map((bill: { billId: string }) => bill.billId)).toEqual([replacement.billId]);
    const page = await fetch(`${platform.httpUrl}/portal/accounts/A0001/bills/${replacement.billId}/document?format=html`, { headers: { authorization: `Bearer ${tokens.customer1}` } });
    expect(await page.text()).toContain(`This bill replaces bill ${original.billId}`);

    // Once: the original is no longer posted, and a run of the same period skips the account.
    const again = await api('POST', route, tokens.billing, { reason: 'meter read corrected' });
    expect(again.status).toBe(409);
    expect(again.json).toMatchObject({ reason: 'bill-not-issued' });
    // Nothing corrected since: rating the corrected bill again gives the same bill.
    const unchanged = await api('POST', `/staff/accounts/A0001/bills/${replacement.billId}/rebill`, tokens.billing, { reason: 'checking again' });
    expect(unchanged.status).toBe(422);
    expect(unchanged.json).toMatchObject({ reason: 'rebill-unchanged' });
    const rerun = await runToCompletion();
    expect(rerun.counts).toMatchObject({ billed: 0, failed: 0 });
  });

  it('corrects a tariff version (admin, audited) and rebills with the corrected rate, saying which line changed', async () => {
    const [current] = (await api('GET', '/portal/accounts/A0001/bills', tokens.customer1)).json.items;
    const [electric] = demoTariffs(TIME_ZONE);
    const corrected = JSON.parse(JSON.stringify(electric));
    const adjustment = corrected.versions[0].charges.find((charge: { description: string }) => charge.description === 'Energy cost adjustment');
    adjustment.rate = '0.0052';
    const admin = await issueToken(authDir, { staff: 'ada', role: 'admin' });
    expect((await api('POST', '/staff/tariffs/ELEC-RES/corrections', tokens.billing, { reason: 'rider rate typo', tariff: corrected })).status).toBe(403);
    const added = JSON.parse(JSON.stringify(corrected));
    added.versions[0].effectiveTo = '2030-12-31';
    added.versions.push({ ...added.versions[0], effectiveFrom: '2031-01-01', effectiveTo: undefined });
    const refused = await api('POST', '/staff/tariffs/ELEC-RES/corrections', admin, { reason: 'rider rate typo', tariff: added });
    expect(refused.status).toBe(409);
    expect(refused.json).toMatchObject({ reason: 'tariff-history-changed' });
    const fixed = await api('POST', '/staff/tariffs/ELEC-RES/corrections', admin, { reason: 'rider rate typo', tariff: corrected });
    expect(fixed.status).toBe(200);
    expect(fixed.json).toMatchObject({ tariffId: 'ELEC-RES', corrected: [electric!.versions[0]!.effectiveFrom] });

    const rebill = await api('POST', `/staff/accounts/A0001/bills/${current.billId}/rebill`, tokens.billing, { reason: 'tariff corrected' });
    expect(rebill.status).toBe(201);
    const usage = new Decimal(current.services[0].usage.quantity);
    expect(rebill.json.corrections).toContainEqual(expect.objectContaining({ what: 'line', description: 'Energy cost adjustment', after: `${usage.toString()} x 0.0052 = ${priced(usage, '0.0052')}` }));
    expect(rebill.json.replacement).toMatchObject({ revision: current.revision + 1, replaces: { billId: current.billId, reason: 'tariff corrected' } });
    expect(rebill.json.corrections.some((c: { what: string }) => c.what === 'usage')).toBe(false);
  });
});

describe('bill exceptions', () => {
  // A month well before the demo's reads: every meter is without reads and the accounts have no
  // bill history to estimate from, so every bill is held (missing-reads) instead of posted.
  const periodStart = localDate(new Date(Date.now() - 70 * 86_400_000));
  const periodEnd = localDate(new Date(Date.now() - 41 * 86_400_000));

  async function run(): Promise<any> {
    const started = await api('POST', '/staff/billing-runs', tokens.billing, { cycle: 'C1', periodStart, periodEnd });
    expect(started.status).toBe(202);
    return eventually(`run ${started.json.runId}`, async () => {
      const { json } = await api('GET', `/staff/billing-runs/${started.json.runId}`, tokens.billing);
      return json.status === 'RUNNING' ? undefined : json;
    }, 60_000);
  }

  it('holds the bills of meters without reads and history, releases one over HTTP with its ledger entry once, and bills a cancelled one again', async () => {
    const held = await run();
    expect(held).toMatchObject({ status: 'SUCCEEDED', counts: { billed: 0, held: ACCOUNTS, failed: 0 } });

    const queue = await api('GET', '/staff/bill-exceptions?reason=missing-reads&limit=50', tokens.auditor);
    expect(queue.status).toBe(200);
    const mine = queue.json.items.find((item: any) => item.accountId === 'A0001');
    expect(mine).toMatchObject({ status: 'OPEN', periodStart, periodEnd, holds: [{ reason: 'missing-reads' }] });
    expect((await api('GET', '/staff/bill-exceptions', tokens.csr)).status).toBe(403);
    expect((await api('GET', '/staff/bill-exceptions?reason=sometimes', tokens.auditor)).status).toBe(400);

    // The customer does not see a held bill; the ledger has no entry for it.
    expect((await api('GET', '/portal/accounts/A0001/bills', tokens.customer1)).json.items.map((bill: any) => bill.billId)).not.toContain(mine.billId);
    const ledgerEntries = async () => (await api('GET', '/staff/accounts/A0001/ledger?limit=100', tokens.billing)).json.items.filter((entry: any) => entry.billId === mine.billId);
    expect(await ledgerEntries()).toHaveLength(0);

    expect((await api('POST', `/staff/bill-exceptions/${mine.billId}`, tokens.auditor, { action: 'release' })).status).toBe(403);
    expect((await api('POST', `/staff/bill-exceptions/${mine.billId}`, tokens.billing, { action: 'approve' })).status).toBe(400);
    const released = await api('POST', `/staff/bill-exceptions/${mine.billId}`, tokens.billing, { action: 'release', note: 'base charge only, reads to follow' });
    expect(released.status).toBe(200);
    expect(released.json).toMatchObject({ bill: { status: 'ISSUED' }, exception: { status: 'RELEASED', review: { by: 'bill' } } });
    const again = await api('POST', `/staff/bill-exceptions/${mine.billId}`, tokens.billing, { action: 'release' });
    expect(again.status).toBe(409);
    expect(await ledgerEntries()).toEqual([expect.objectContaining({ kind: 'BILL', billId: mine.billId })]);
    const portal = await api('GET', '/portal/accounts/A0001/bills', tokens.customer1);
    expect(portal.json.items.find((bill: any) => bill.billId === mine.billId)).toMatchObject({ status: 'ISSUED', estimated: true, total: mine.total });
    const after = await api('GET', '/staff/bill-exceptions?limit=50', tokens.billing);
    expect(after.json.items.map((item: any) => item.billId)).not.toContain(mine.billId);

    const other = queue.json.items.find((item: any) => item.accountId === 'A0002');
    expect((await api('POST', `/staff/bill-exceptions/${other.billId}`, tokens.billing, { action: 'cancel', note: 'reads requested' })).status).toBe(200);
    // Running the period again: the released bill and the other held bills are left alone, the cancelled one bills again (held again: still no reads).
    const rerun = await run();
    expect(rerun).toMatchObject({ status: 'SUCCEEDED', counts: { billed: 0, held: 1, skipped: ACCOUNTS - 1, failed: 0 } });
    const requeued = await api('GET', '/staff/bill-exceptions?limit=50', tokens.billing);
    const rebill = requeued.json.items.find((item: any) => item.accountId === 'A0002');
    expect(rebill.billId).not.toBe(other.billId);
    expect(await ledgerEntries()).toHaveLength(1);
  });
});

describe('cycle calendars and the scheduler', () => {
  it("starts a cycle's due period once from the daily schedule's function, and lists the calendar", async () => {
    // A cycle without accounts, whose period ended `window` days ago so that its bill date is today.
    const today = localDate(new Date());
    const day = Number(today.slice(8, 10));
    const window = day > 28 ? day - 28 : 0;
    const endDay = day - window;
    const put = await api('PUT', '/staff/billing-cycles/S9', tokens.billing, { periodEndDay: endDay, readWindowDays: window, businessDaysOnly: false });
    expect(put.status).toBe(200);
    expect(put.json).toMatchObject({ cycle: 'S9', version: 1 });
    expect(put.json.upcoming[0]).toMatchObject({ billDate: today });
    expect(put.json.upcoming).toHaveLength(3);
    expect((await api('PUT', '/staff/billing-cycles/S9', tokens.csr, { periodEndDay: endDay, readWindowDays: window })).status).toBe(403);
    expect((await api('PUT', '/staff/billing-cycles/S9', tokens.billing, { periodEndDay: 29, readWindowDays: 3 })).json).toMatchObject({ message: expect.stringContaining('periodEndDay must be a day from 1 to 28') });
    expect((await api('PUT', '/staff/billing-cycles/S9', tokens.billing, { periodEndDay: endDay, readWindowDays: window })).status).toBe(409);

    const event = { 'detail-type': 'Scheduled Event', source: 'aws.events', time: new Date().toISOString() };
    const first = (await platform.invoke('ScheduledRuns', event)) as { started: Array<{ cycle: string; runId: string; periodEnd: string }> };
    const mine = first.started.filter((run) => run.cycle === 'S9');
    expect(mine).toHaveLength(1);
    expect(mine[0]!.periodEnd.slice(8, 10)).toBe(String(endDay).padStart(2, '0'));
    const second = (await platform.invoke('ScheduledRuns', event)) as { started: unknown[]; alreadyStarted: Array<{ cycle: string; runId: string }> };
    expect(second.started).toEqual([]);
    expect(second.alreadyStarted).toContainEqual(expect.objectContaining({ cycle: 'S9', runId: mine[0]!.runId }));

    const run = await eventually('the scheduled run to finish', async () => {
      const current = await api('GET', `/staff/billing-runs/${mine[0]!.runId}`, tokens.billing);
      return current.json?.status === 'RUNNING' ? undefined : current.json;
    });
    expect(run).toMatchObject({ cycle: 'S9', status: 'SUCCEEDED', startedBy: 'scheduler' });
    const calendar = await api('GET', '/staff/billing-cycles', tokens.auditor);
    expect(calendar.json.items).toContainEqual(expect.objectContaining({ cycle: 'S9', upcoming: expect.any(Array) }));
  });
});
