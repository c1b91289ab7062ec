/**
 * A whole billing cycle end to end through the local platform, as production runs it: the
 * platform started in-process from the synthesized template, a utility seeded with
 * `seedUtility` (what `cis seed` writes: N accounts, D days of 15-minute data), a run started
 * with POST /staff/billing-runs (a billing staff token), the Step Functions execution awaited
 * through the Step Functions API, and the run record read back with GET /staff/billing-runs/{id}.
 *
 * Prints accounts billed, wall time, bills/s, DynamoDB requests per bill (every request the
 * platform's handlers send, counted at the document client) and Lambda invocations per bill
 * (counted at the local function host). Target on 2 cores: 10,000 accounts billed in under
 * 2 minutes. BENCH_ACCOUNTS (10000), BENCH_DAYS (30), BENCH_SEGMENTS (the template's default)
 * change the workload; BENCH_LOG=1 prints the platform's log.
 */
import './require-esm';
import { execSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { Session } from 'node:inspector/promises';
import os from 'node:os';
import path from 'node:path';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { DescribeExecutionCommand, SFNClient } from '@aws-sdk/client-sfn';
import { createDocumentClient } from '../../shared/adapters/dynamo';
import { freePort } from '../../shared/local/ports';
import { addDays } from '../../shared/domain/calendar';
import { seedIds } from '../../shared/app/seed-utility';

const ACCOUNTS = Number(process.env['BENCH_ACCOUNTS'] ?? 10_000);
const DAYS = Number(process.env['BENCH_DAYS'] ?? 30);
const SEGMENTS = process.env['BENCH_SEGMENTS'] ? Number(process.env['BENCH_SEGMENTS']) : undefined;
const START = '2026-09-01';
const CYCLE = 'B1';
const TIME_ZONE = 'America/Denver';

const { startPlatform } = require('../../shared/local/platform') as typeof import('../../shared/local/platform');
const { FunctionHost } = require('../../shared/local/template') as typeof import('../../shared/local/template');
const { issueToken } = require('../../shared/local/local-auth') as typeof import('../../shared/local/local-auth');
const { seedUtility } = require('../../shared/app/seed-utility') as typeof import('../../shared/app/seed-utility');

let counting = false;
const invocations = new Map<string, { count: number; busyMs: number }>();
const originalInvoke = FunctionHost.prototype.invoke;
FunctionHost.prototype.invoke = async function (this: InstanceType<typeof FunctionHost>, name: string, event: unknown) {
  const started = performance.now();
  try {
    return await originalInvoke.call(this, name, event);
  } finally {
    if (counting) {
      const key = name.replace(/^.*:function:/, '').replace(/[A-F0-9]{8}$/, '');
      const entry = invocations.get(key) ?? { count: 0, busyMs: 0 };
      entry.count++;
      entry.busyMs += performance.now() - started;
      invocations.set(key, entry);
    }
  }
};

const requests = new Map<string, number>();
const originalSend = DynamoDBDocumentClient.prototype.send;
DynamoDBDocumentClient.prototype.send = function (this: DynamoDBDocumentClient, command: { constructor: { name: string } }, ...rest: unknown[]) {
  if (counting) requests.set(command.constructor.name, (requests.get(command.constructor.name) ?? 0) + 1);
  return (originalSend as (...args: unknown[]) => unknown).call(this, command, ...rest);
} as typeof DynamoDBDocumentClient.prototype.send;

// The handlers log one JSON line per segment and per problem account: keep the bench's own lines.
const print = console.log.bind(console);
console.log = (...args: unknown[]) => {
  if (process.env['BENCH_LOG'] || typeof args[0] !== 'string' || !args[0].startsWith('{"level":"info"')) print(...args);
};

const uptime = () => execSync('uptime').toString().trim();

/** CPU seconds used so far by this process and by DynamoDB Local (its Java child process). */
function cpuSeconds(): { node: number; java: number } {
  const usage = process.cpuUsage();
  let java = 0;
  for (const line of execSync(`ps --ppid ${process.pid} -o comm=,times=`).toString().trim().split('\n')) {
    const [comm, times] = line.trim().split(/\s+/);
    if (comm === 'java') java += Number(times);
  }
  return { node: (usage.user + usage.system) / 1e6, java };
}

async function main(): Promise<void> {
  const authDir = mkdtempSync(path.join(os.tmpdir(), 'cis-bench-cycle-'));
  const platform = await startPlatform({
    rootDir: path.resolve(__dirname, '../..'),
    port: await freePort(),
    mqttPort: await freePort(),
    authDir,
    seed: 'none',
    accounts: 0,
    log: process.env['BENCH_LOG'] ? (line) => console.error(line) : () => undefined,
    ...(SEGMENTS ? { context: { billingSegments: SEGMENTS } } : {}),
  });
  const documentClient = createDocumentClient(new DynamoDBClient({ endpoint: platform.endpoints.dynamodb, region: 'us-east-1', credentials: { accessKeyId: 'local', secretAccessKey: 'local' } }));
  const sfn = new SFNClient({ endpoint: platform.endpoints.sfn, region: 'us-east-1', credentials: { accessKeyId: 'local', secretAccessKey: 'local' } });
  try {
    console.log(`before seeding: ${uptime()}`);
    const seedStarted = performance.now();
    const seeded = await seedUtility({ documentClient, tableName: platform.tableName, parallel: 8 }, { accounts: ACCOUNTS, days: DAYS, start: START, cycle: CYCLE, timeZone: TIME_ZONE });
    const seedSeconds = (performance.now() - seedStarted) / 1000;
    console.log(
      `seeded ${seeded.accounts.toLocaleString('en-US')} accounts (${seeded.electric} electric, ${seeded.water} water meters), ${seeded.readDays.toLocaleString('en-US')} meter-days, ${seeded.intervals.toLocaleString('en-US')} intervals, ${seeded.items.toLocaleString('en-US')} items in ${seedSeconds.toFixed(1)} s (${Math.round(seeded.items / seedSeconds)} items/s)`,
    );

    const token = await issueToken(authDir, { staff: 'bench', role: 'billing' });
    const periodEnd = addDays(START, DAYS - 1);
    console.log(`before the run: ${uptime()}`);
    // BENCH_PROFILE=file.cpuprofile: a CPU profile of this process during the run only.
    const profiler = process.env['BENCH_PROFILE'] ? new Session() : undefined;
    if (profiler) {
      profiler.connect();
      await profiler.post('Profiler.enable');
      await profiler.post('Profiler.start');
    }
    const cpuBefore = cpuSeconds();
    counting = true;
    const started = performance.now();
    const response = await fetch(`${platform.httpUrl}/staff/billing-runs`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ cycle: CYCLE, periodStart: START, periodEnd }),
    });
    if (response.status !== 202) throw new Error(`POST /staff/billing-runs answered ${response.status}: ${await response.text()}`);
    const { runId } = (await response.json()) as { runId: string };
    const executionArn = `${platform.stateMachineArn.replace(':stateMachine:', ':execution:')}:${runId}`;
    let status = 'RUNNING';
    while (status === 'RUNNING') {
      await new Promise((resolve) => setTimeout(resolve, 200));
      status = (await sfn.send(new DescribeExecutionCommand({ executionArn }))).status ?? 'UNKNOWN';
    }
    const seconds = (performance.now() - started) / 1000;
    counting = false;
    const cpuAfter = cpuSeconds();
    if (profiler) {
      const { profile } = await profiler.post('Profiler.stop');
      writeFileSync(process.env['BENCH_PROFILE']!, JSON.stringify(profile));
      profiler.disconnect();
    }
    const after = uptime();

    const run = (await (await fetch(`${platform.httpUrl}/staff/billing-runs/${runId}`, { headers: { authorization: `Bearer ${token}` } })).json()) as { status: string; counts: { billed: number; held: number; skipped: number; failed: number; segments: number }; errors: unknown[]; progress?: { elapsedSeconds: number; billsPerSecond: string } };
    const billed = run.counts.billed;
    const dynamoRequests = [...requests.values()].reduce((a, b) => a + b, 0);
    const lambda = [...invocations.values()].reduce((a, b) => a + b.count, 0);
    console.log(`run ${runId}: execution ${status}, run ${run.status}, counts ${JSON.stringify(run.counts)}${run.errors.length ? `, errors ${JSON.stringify(run.errors.slice(0, 5))}` : ''}; progress: ${run.progress?.elapsedSeconds} s, ${run.progress?.billsPerSecond} bills/s`);
    console.log(`billed ${billed.toLocaleString('en-US')} of ${ACCOUNTS.toLocaleString('en-US')} accounts (${DAYS}-day period ${START}..${periodEnd}) in ${seconds.toFixed(1)} s: ${(billed / seconds).toFixed(1)} bills/s (target: 10,000 in < 120 s)`);
    console.log(`DynamoDB requests: ${dynamoRequests.toLocaleString('en-US')} = ${(dynamoRequests / Math.max(1, billed)).toFixed(2)} per bill (${[...requests.entries()].map(([name, count]) => `${name.replace('Command', '')} ${count}`).join(', ')})`);
    console.log(`Lambda invocations: ${lambda} = ${(lambda / Math.max(1, billed)).toFixed(4)} per bill (${[...invocations.entries()].map(([name, { count, busyMs }]) => `${name} ${count} x ${(busyMs / count / 1000).toFixed(2)} s`).join(', ')})`);
    console.log(`CPU during the run: Node ${(cpuAfter.node - cpuBefore.node).toFixed(1)} s, DynamoDB Local ${(cpuAfter.java - cpuBefore.java).toFixed(1)} s, of ${seconds.toFixed(1)} s wall on 2 cores`);
    console.log(`after the run: ${after}`);

    // Check one dual-service bill and its ledger entry.
    const sample = seedIds(CYCLE, 8, ACCOUNTS).accountId;
    const bills = await documentClient.send(new QueryCommand({ TableName: platform.tableName, KeyConditionExpression: 'PK = :pk AND begins_with(SK, :b)', ExpressionAttributeValues: { ':pk': `ACCOUNT#${sample}`, ':b': 'BILL#' } }));
    const ledger = await documentClient.send(new QueryCommand({ TableName: platform.tableName, KeyConditionExpression: 'PK = :pk AND begins_with(SK, :l)', ExpressionAttributeValues: { ':pk': `ACCOUNT#${sample}`, ':l': 'LEDGER#' } }));
    const bill = bills.Items?.[0];
    console.log(`sample ${sample}: ${bills.Items?.length ?? 0} bill(s), total ${String(bill?.['total'])}, services ${JSON.stringify((bill?.['services'] as Array<{ serviceType: string; usage: unknown; subtotal: string }> | undefined)?.map((s) => [s.serviceType, s.usage, s.subtotal]))}; ${ledger.Items?.length ?? 0} ledger entr(ies)`);
    const audit = await documentClient.send(new QueryCommand({ TableName: platform.tableName, KeyConditionExpression: 'PK = :pk', ExpressionAttributeValues: { ':pk': `AUDIT#ACCOUNT#${sample}` } }));
    const issued = (audit.Items ?? []).filter((item) => item['action'] === 'bill.issued').length;
    console.log(`sample ${sample}: ${issued} bill.issued audit event(s)`);
    if (status !== 'SUCCEEDED' || billed + run.counts.held + run.counts.skipped !== ACCOUNTS || run.counts.failed !== 0 || (bills.Items?.length ?? 0) !== 1 || (ledger.Items?.length ?? 0) !== 1 || issued !== 1) {
      process.exitCode = 1;
      console.error('the run did not bill every account exactly once');
    }
  } finally {
    documentClient.destroy();
    sfn.destroy();
    await platform.stop();
    rmSync(authDir, { recursive: true, force: true });
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
