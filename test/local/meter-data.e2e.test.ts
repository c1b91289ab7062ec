/**
 * Meter data end to end on the local platform: hostile and conflicting messages over MQTT, the
 * staff exceptions queue, a Green Button file imported with `cis import-reads`, portal usage and
 * the Green Button download validated against the ESPI schema.
 */
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { ReceiveMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import mqtt from 'mqtt';
import { validateXML } from 'xmllint-wasm';
import { parseUsageFeed } from '../../shared/domain/greenbutton/espi';
import { toMicroUnits } from '../../shared/domain/units';
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
  it('queues data-quality problems for staff, sends malformed messages to the DLQ, and an accepted fix changes the day', async () => {
    const reading = (value: string) => ({ start: '2026-01-05T10:00:00-07:00', durationSec: 3600, value, unit: 'kWh' });
    const client = await mqtt.connectAsync(`mqtt://127.0.0.1:${mqttPort}`, { reconnectPeriod: 0 });
    for (const payload of [
      JSON.stringify({ meterId: 'M0001', readings: [reading('1.5')] }),
      JSON.stringify({ meterId: 'M0001', readings: [reading('1.5')] }),
      JSON.stringify({ meterId: 'M0001', readings: [reading('4')] }),
      JSON.stringify({ meterId: 'NOPE', readings: [reading('1')] }),
      '{"meterId":"M0001","readings":[{"start":"2026-01-05T10:00:00-07:00","durationSec":3600,"value":1.5',
    ]) {
      await client.publishAsync('cis/meters/M0001/reads', payload, { qos: 1 });
    }
    await client.endAsync();
    const open = await eventually('two open exceptions', async () => {
      const listed = await api('GET', '/staff/read-exceptions', tokens.csr);
      return listed.json?.items?.length === 2 ? (listed.json.items as Array<Record<string, string>>) : undefined;
    });
    expect(open.map((item) => [item['meterId'], item['reason'], item['quantity']]).sort()).toEqual([
      ['M0001', 'duplicate-conflict', '4'],
      ['NOPE', 'unknown-meter', '1'],
    ]);
    const sqs = new SQSClient(localClientConfig(platform.endpoints.sqs));
    try {
      const dead = await eventually('the malformed message in the DLQ', async () => {
        const received = await sqs.send(new ReceiveMessageCommand({ QueueUrl: platform.queues['ReadsDeadLetterQueue'], MaxNumberOfMessages: 10, WaitTimeSeconds: 0 }));
        return received.Messages?.length ? received.Messages : undefined;
      });
      expect(dead.map((message) => message.Body)).toEqual([expect.stringContaining('"value":1.5')]);
    } finally {
      sqs.destroy();
    }
    const conflict = open.find((item) => item['reason'] === 'duplicate-conflict')!;
    const resolved = await api('POST', `/staff/read-exceptions/M0001/${conflict['exceptionId']}`, tokens.csr, { action: 'accept', note: 'reread on site' });
    expect(resolved.status).toBe(200);
    expect(resolved.json).toMatchObject({ exception: { status: 'ACCEPTED', resolvedBy: 'casey' }, changedDay: '2026-01-05' });
    const account = await api('GET', '/staff/accounts/A0001', tokens.csr);
    expect(account.status).toBe(200);
  }, 60_000);

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
