/**
 * Meter data end to end on the local platform: hostile and conflicting messages over MQTT, the
 * staff exceptions queue, a Green Button file imported with `cis import-reads`, portal usage and
 * the Green Button download validated against the ESPI schema.
 */
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { QueryCommand } from '@aws-sdk/lib-dynamodb';
import { ReceiveMessageCommand, SQSClient, type Message } from '@aws-sdk/client-sqs';
import { createDocumentClient } from '../../shared/adapters/dynamo';
import mqtt from 'mqtt';
import { validateXML } from 'xmllint-wasm';
import { parseUsageFeed } from '../../shared/domain/greenbutton/espi';
import { isoFromEpochSec } from '../../shared/domain/calendar';
import { toMicroUnits } from '../../shared/domain/units';
import { dayClock } from '../../shared/domain/vee/days';
import { issueToken } from '../../shared/local/local-auth';
import type { RunningPlatform } from '../../shared/local/platform';
import { localClientConfig } from '../../shared/local/ports';
import { eventually, ROOT, startTestPlatform, type TestPlatform } from './platform-harness';

const STANDARDS = path.resolve(ROOT, 'test/fixtures/greenbutton/standard');
let local: TestPlatform;
let platform: RunningPlatform;
let authDir: string;
let mqttPort: number;
const tokens: Record<'csr' | 'customer2', string> = {} as never;

async function api(method: string, route: string, token: string, body?: unknown): Promise<{ status: number; text: string; json: any }> {
  const response = await fetch(`${platform.httpUrl}${route}`, {
    method,
    headers: { authorization: `Bearer ${token}`, ...(body !== undefined ? { 'content-type': 'application/json' } : {}) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await response.text();
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    json = undefined;
  }
  return { status: response.status, text, json };
}

beforeAll(async () => {
  for (const level of ['log', 'warn', 'error'] as const) jest.spyOn(console, level).mockImplementation(() => undefined);
  local = await startTestPlatform('cis-meter-data-', { accounts: 4 });
  ({ platform, authDir, mqttPort } = local);
  tokens.csr = await issueToken(authDir, { staff: 'casey', role: 'csr' });
  tokens.customer2 = await issueToken(authDir, { customerId: 'C0002' });
}, 120_000);

afterAll(async () => {
  await local?.stop();
});

describe('meter data on the local platform', () => {
  it('queues data-quality problems for staff, sends malformed and spoofed messages to the DLQ with their reason, and an accepted fix changes the day', async () => {
    // Three days ago, at 10:00 in the utility's zone (Denver: UTC-7 or UTC-6 with DST; 17:00Z is 10:00 or 11:00 there).
    const day = new Date(Date.now() - 3 * 86_400_000).toISOString().slice(0, 10);
    const reading = (value: string) => ({ start: `${day}T17:00:00Z`, durationSec: 3600, value, unit: 'kWh' });
    const tooOld = { start: new Date(Date.now() - 100 * 86_400_000).toISOString().slice(0, 13) + ':00:00Z', durationSec: 3600, value: '1', unit: 'kWh' };
    const client = await mqtt.connectAsync(`mqtt://127.0.0.1:${mqttPort}`, { reconnectPeriod: 0 });
    for (const [topic, payload] of [
      ['cis/meters/M0001/reads', JSON.stringify({ meterId: 'M0001', readings: [reading('1.5')] })],
      ['cis/meters/M0001/reads', JSON.stringify({ meterId: 'M0001', readings: [reading('1.5')] })],
      ['cis/meters/M0001/reads', JSON.stringify({ meterId: 'M0001', readings: [reading('4')] })],
      ['cis/meters/NOPE/reads', JSON.stringify({ meterId: 'NOPE', readings: [reading('1')] })],
      ['cis/meters/M0003/reads', JSON.stringify({ meterId: 'M0003', readings: [tooOld] })],
      ['cis/meters/M0001/reads', `{"meterId":"M0001","readings":[{"start":"${day}T17:00:00Z","durationSec":3600,"value":1.5`],
      // a device publishing another meter's reads on its own topic
      ['cis/meters/M0002/reads', JSON.stringify({ meterId: 'M0001', readings: [reading('9')] })],
    ] as const) {
      await client.publishAsync(topic, payload, { qos: 1 });
    }
    await client.endAsync();
    const open = await eventually('three open exceptions', async () => {
      const listed = await api('GET', '/staff/read-exceptions', tokens.csr);
      return listed.json?.items?.length === 3 ? (listed.json.items as Array<Record<string, string>>) : undefined;
    });
    expect(open.map((item) => [item['meterId'], item['reason'], item['quantity']]).sort()).toEqual([
      ['M0001', 'duplicate-conflict', '4'],
      ['M0003', 'too-old', '1'],
      ['NOPE', 'unknown-meter', '1'],
    ]);
    const sqs = new SQSClient(localClientConfig(platform.endpoints.sqs));
    const found: Message[] = [];
    try {
      const dead = await eventually('the two rejected messages in the DLQ', async () => {
        const received = await sqs.send(new ReceiveMessageCommand({ QueueUrl: platform.queues['ReadsDeadLetterQueue'], MaxNumberOfMessages: 10, WaitTimeSeconds: 0, MessageAttributeNames: ['All'], VisibilityTimeout: 60 }));
        found.push(...(received.Messages ?? []));
        return found.length >= 2 ? found : undefined;
      });
      const decoded = dead.map((message) => {
        const envelope = JSON.parse(message.Body!) as { payload: string; topic: string };
        return [envelope.topic, message.MessageAttributes?.['reason']?.StringValue, Buffer.from(envelope.payload, 'base64').toString('utf8')];
      });
      expect(decoded.sort()).toEqual([
        ['cis/meters/M0001/reads', 'malformed-json', expect.stringContaining('"value":1.5')],
        ['cis/meters/M0002/reads', 'topic-mismatch', expect.stringContaining('"value":"9"')],
      ]);
    } finally {
      sqs.destroy();
    }
    const conflict = open.find((item) => item['reason'] === 'duplicate-conflict')!;
    const resolved = await api('POST', `/staff/read-exceptions/M0001/${conflict['exceptionId']}`, tokens.csr, { action: 'accept', note: 'reread on site' });
    expect(resolved.status).toBe(200);
    expect(resolved.json).toMatchObject({ exception: { status: 'ACCEPTED', resolvedBy: 'casey' }, changedDay: expect.stringMatching(/^\d{4}-\d{2}-\d{2}$/) });
    const account = await api('GET', '/staff/accounts/A0001', tokens.csr);
    expect(account.status).toBe(200);
  }, 60_000);

  it("raises a high-usage alert for a complete day over the rate class's threshold, shown with the customer's usage and to nobody else", async () => {
    // Six days ago in the utility's zone (Denver): every hour at 4.5 kWh, over the 100 kWh a day of the electric default.
    const day = new Date(Date.now() - 6 * 86_400_000).toISOString().slice(0, 10);
    const [from, to] = dayClock('America/Denver').dayBounds(day);
    const readings = Array.from({ length: (to - from) / 3600 }, (_, hour) => ({ start: isoFromEpochSec(from + hour * 3600), durationSec: 3600, value: '4.5', unit: 'kWh' }));
    const client = await mqtt.connectAsync(`mqtt://127.0.0.1:${mqttPort}`, { reconnectPeriod: 0 });
    await client.publishAsync('cis/meters/M0002/reads', JSON.stringify({ meterId: 'M0002', readings }), { qos: 1 });
    await client.endAsync();
    const usage = await eventually('the alert in the portal usage', async () => {
      const response = await api('GET', `/portal/accounts/A0002/usage?from=${day}&to=${day}&interval=day`, tokens.customer2);
      return response.json?.alerts?.length === 1 ? response : undefined;
    });
    expect(usage.json.alerts).toEqual([{ day, meterId: 'M0002', unit: 'kWh', total: String(4.5 * readings.length), threshold: '100', raisedAt: expect.any(String) }]);
    expect(usage.json.series[0].points).toEqual([{ period: day, quantity: String(4.5 * readings.length), estimated: false }]);
    expect((await api('GET', `/portal/accounts/A0002/usage?from=${day}&to=${day}&interval=day`, await issueToken(authDir, { customerId: 'C0001' }))).status).toBe(403);
  }, 60_000);

  it('writes a manual read and its audit event in one DynamoDB transaction; the same entry again writes neither', async () => {
    // Before the demo's 48 hours of seeded reads.
    const day = new Date(Date.now() - 6 * 86_400_000).toISOString().slice(0, 10);
    const start = `${day}T18:00:00Z`;
    const entry = { readings: [{ start, durationSec: 3600, value: '2.5', unit: 'kWh' }] };
    const first = await api('POST', '/staff/meters/M0003/reads', tokens.csr, entry);
    expect(first.status).toBe(200);
    expect(first.json).toMatchObject({ added: 1 });
    const documentClient = createDocumentClient(new DynamoDBClient({ ...localClientConfig(platform.endpoints.dynamodb) }));
    try {
      const audits = async () =>
        (await documentClient.send(new QueryCommand({ TableName: platform.tableName, KeyConditionExpression: 'PK = :pk', ExpressionAttributeValues: { ':pk': 'AUDIT#METER#M0003' } }))).Items ?? [];
      // One event per day written (estimates of a gap next to the reading may write other days).
      const events = await audits();
      const entered = events.find((item) => item['details']?.['day'] === day)!;
      expect([entered['actor'], entered['action'], entered['details']?.['added'], entered['details']?.['quality']]).toEqual(['casey', 'reads.entered', 1, 'M']);
      expect(String(entered['eventId'])).toBe(`reads-M0003-${day}-v${entered['details']?.['version']}`);
      expect(events.every((item) => item['actor'] === 'casey' && item['action'] === 'reads.entered')).toBe(true);
      expect((await api('POST', '/staff/meters/M0003/reads', tokens.csr, entry)).json).toMatchObject({ added: 0, replaced: 0 });
      expect(await audits()).toHaveLength(events.length);
    } finally {
      documentClient.destroy();
    }
  });

  it('imports a Green Button file with cis import-reads; portal usage and the download match its totals and validate against espi.xsd', async () => {
    const { stdout } = await promisify(execFile)(process.execPath, [path.join(ROOT, 'bin/cis.js'), 'import-reads', path.join(STANDARDS, 'sample-usage-feed.xml'), '--meter', 'M0002', '--endpoint', platform.endpoints.dynamodb, '--table', platform.tableName], { cwd: ROOT, env: { ...process.env, AWS_REGION: 'us-east-1' } });
    expect(JSON.parse(stdout)).toMatchObject({ format: 'greenbutton', readings: 1340, totals: { Wh: '1391666' }, added: 1340 });

    const usage = await api('GET', '/portal/accounts/A0002/usage?from=2012-02-28&to=2012-04-30&interval=month', tokens.customer2);
    expect(usage.status).toBe(200);
    const points = usage.json.series[0].points as Array<{ quantity: string }>;
    expect(points.reduce((sum, point) => sum + toMicroUnits(point.quantity, 'kWh', 'kWh'), 0)).toBe(1_391_666_000);
    expect((await api('GET', '/portal/accounts/A0001/usage?from=2012-02-28&to=2012-04-30', tokens.customer2)).status).toBe(403);

    const download = await api('GET', '/portal/accounts/A0002/usage/greenbutton?from=2012-02-28&to=2012-04-30', tokens.customer2);
    expect(download.status).toBe(200);
    const readings = parseUsageFeed(download.text).flatMap((meterReading) => meterReading.readings);
    expect(readings).toHaveLength(1340);
    expect(readings.reduce((sum, r) => sum + toMicroUnits(r.value, r.unit, 'kWh'), 0)).toBe(1_391_666_000);
    const espi = readFileSync(path.join(STANDARDS, 'espi.xsd'), 'utf8');
    const atom = readFileSync(path.join(ROOT, 'test/fixtures/greenbutton/atom.xsd'), 'utf8');
    const resources = [...download.text.matchAll(/<content>\s*(<(UsagePoint|MeterReading|ReadingType|IntervalBlock)\b[\s\S]*?(?:<\/\2>|\/>))\s*<\/content>/g)];
    expect(new Set(resources.map((m) => m[2]))).toEqual(new Set(['UsagePoint', 'MeterReading', 'ReadingType', 'IntervalBlock']));
    for (const match of resources) {
      const result = await validateXML({ xml: [{ fileName: 'r.xml', contents: match[1]! }], schema: [{ fileName: 'espi.xsd', contents: espi }], preload: [{ fileName: 'atom.xsd', contents: atom }] });
      expect(result.errors.map((error) => error.rawMessage)).toEqual([]);
    }
  }, 60_000);
});
