/**
 * End-to-end ingestion through the local platform: MQTT publish -> IoT rule -> SQS -> the
 * ValidateReads handler (parse, VEE against each meter's history, packed day writes) ->
 * DynamoDB Local, measured until the reads queue is empty, then checked in the table.
 *
 * Workload: METERS meters x DAYS days, one message per meter-day of 96 15-minute readings
 * (how AMI head-ends commonly deliver interval data), days published in order so VEE runs
 * against a growing history. Also counts the DynamoDB requests the handler made, per meter-day.
 * Target on 2 cores: >= 20,000 interval readings per second end to end.
 */
import './require-esm';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import { Worker } from 'node:worker_threads';
import path from 'node:path';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { GetQueueAttributesCommand, SQSClient } from '@aws-sdk/client-sqs';
import mqtt from 'mqtt';
import { batchPut, createDocumentClient } from '../../shared/adapters/dynamo';
import { freePort } from '../../shared/local/ports';
import { meterToItem } from '../../shared/adapters/meter-store';
import { dayReadsFromItem } from '../../shared/adapters/read-store';
import { accountToItem } from '../../shared/adapters/account-store';
import { dayClock } from '../../shared/domain/vee/days';
import { isoFromEpochSec, addDays } from '../../shared/domain/calendar';

const METERS = Number(process.env['BENCH_METERS'] ?? 250);
const DAYS = Number(process.env['BENCH_DAYS'] ?? 24);
/** Quarter hours of a day without a daylight-saving change. */
const PER_DAY = 96;
const IN_FLIGHT = Number(process.env['BENCH_IN_FLIGHT'] ?? 16);
const PUBLISHER = process.env['BENCH_PUBLISHER'] === 'inline' ? 'inline' : 'thread';
const TIME_ZONE = 'America/Denver';

const { startPlatform } = require('../../shared/local/platform') as typeof import('../../shared/local/platform');
const { FunctionHost } = require('../../shared/local/template') as typeof import('../../shared/local/template');

// How busy the handler was: invocations, records per invocation, time inside the handler.
const invocations = { count: 0, records: 0, busyNs: 0n };
const originalInvoke = FunctionHost.prototype.invoke;
FunctionHost.prototype.invoke = async function (this: InstanceType<typeof FunctionHost>, name: string, event: unknown) {
  const started = process.hrtime.bigint();
  try {
    return await originalInvoke.call(this, name, event);
  } finally {
    if (counting && name.includes('ValidateReads')) {
      invocations.count++;
      invocations.records += ((event as { Records?: unknown[] }).Records ?? []).length;
      invocations.busyNs += process.hrtime.bigint() - started;
    }
  }
};

// Count the DynamoDB requests of everything in this process (the handlers run in it).
const requests = new Map<string, number>();
const originalSend = DynamoDBDocumentClient.prototype.send;
let counting = false;
const latencyMs = new Map<string, number>();
DynamoDBDocumentClient.prototype.send = function (this: DynamoDBDocumentClient, command: { constructor: { name: string } }, ...rest: unknown[]) {
  if (!counting) return (originalSend as (...args: unknown[]) => unknown).call(this, command, ...rest);
  const name = command.constructor.name;
  requests.set(name, (requests.get(name) ?? 0) + 1);
  const started = performance.now();
  const result = (originalSend as (...args: unknown[]) => Promise<unknown>).call(this, command, ...rest);
  return result.finally(() => latencyMs.set(name, (latencyMs.get(name) ?? 0) + performance.now() - started));
} as typeof DynamoDBDocumentClient.prototype.send;

// Count the SQS requests of everything in this process (IoT rule emulator, poller, handler, this script).
const sqsRequests = new Map<string, number>();
const originalSqsSend = SQSClient.prototype.send;
SQSClient.prototype.send = function (this: SQSClient, command: { constructor: { name: string } }, ...rest: unknown[]) {
  if (counting) sqsRequests.set(command.constructor.name, (sqsRequests.get(command.constructor.name) ?? 0) + 1);
  return (originalSqsSend as (...args: unknown[]) => unknown).call(this, command, ...rest);
} as typeof SQSClient.prototype.send;

/** CPU seconds (user + system) of this process's child processes: DynamoDB Local's java (Linux /proc). */
function childCpuSeconds(): number | undefined {
  try {
    let ticks = 0;
    for (const entry of readdirSync('/proc')) {
      if (!/^\d+$/.test(entry)) continue;
      let stat: string;
      try {
        stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      } catch {
        continue;
      }
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      if (Number(fields[1]) !== process.pid) continue;
      ticks += Number(fields[11]) + Number(fields[12]);
    }
    return ticks / 100;
  } catch {
    return undefined;
  }
}

interface Publisher {
  /** Publishes every message in order, up to IN_FLIGHT unacknowledged QoS 1 messages at a time. */
  publishAll(): Promise<void>;
  close(): Promise<void>;
}

// Publish in order (a meter's day d is sent after its day d-1), up to IN_FLIGHT unacknowledged
// QoS 1 messages at a time, as a head-end with a steady stream does. (Plain JavaScript: the
// worker thread runs it as it is.)
const PUBLISH_LOOP = `
async function publishAll(client, messages, inFlight) {
  let next = 0;
  await Promise.all(Array.from({ length: inFlight }, async () => {
    while (next < messages.length) {
      const message = messages[next++];
      await client.publishAsync(message.topic, message.payload, { qos: 1 });
    }
  }));
}`;

async function inlinePublisher(url: string, messages: Array<{ topic: string; payload: string }>): Promise<Publisher> {
  const client = await mqtt.connectAsync(url, { clean: true });
  return {
    publishAll: async () => {
      let next = 0;
      await Promise.all(
        Array.from({ length: IN_FLIGHT }, async () => {
          while (next < messages.length) {
            const message = messages[next++]!;
            await client.publishAsync(message.topic, message.payload, { qos: 1 });
          }
        }),
      );
    },
    close: () => client.endAsync(),
  };
}

async function threadPublisher(url: string, messages: Array<{ topic: string; payload: string }>): Promise<Publisher> {
  const worker = new Worker(
    `const { parentPort, workerData } = require('node:worker_threads');
     const mqtt = require(workerData.mqttPath);
     ${PUBLISH_LOOP}
     (async () => {
       const client = await mqtt.connectAsync(workerData.url, { clean: true });
       parentPort.postMessage('ready');
       parentPort.on('message', async (command) => {
         if (command === 'go') { await publishAll(client, workerData.messages, workerData.inFlight); parentPort.postMessage('published'); }
         else { await client.endAsync(); parentPort.postMessage('closed'); }
       });
     })().catch((error) => { console.error(error); process.exit(1); });`,
    { eval: true, workerData: { url, messages, inFlight: IN_FLIGHT, mqttPath: require.resolve('mqtt') } },
  );
  const next = (expected: string) =>
    new Promise<void>((resolve, reject) => {
      const onMessage = (message: unknown) => {
        if (message !== expected) return;
        worker.off('message', onMessage);
        worker.off('error', reject);
        resolve();
      };
      worker.on('message', onMessage);
      worker.once('error', reject);
    });
  await next('ready');
  return {
    publishAll: async () => {
      const done = next('published');
      worker.postMessage('go');
      await done;
    },
    close: async () => {
      const closed = next('closed');
      worker.postMessage('close');
      await closed;
      await worker.terminate();
    },
  };
}

async function main(): Promise<void> {
  const authDir = mkdtempSync(path.join(os.tmpdir(), 'cis-bench-'));
  const platform = await startPlatform({ rootDir: path.resolve(__dirname, '../..'), port: await freePort(), mqttPort: await freePort(), authDir, seed: 'none', accounts: 0, log: process.env['BENCH_LOG'] ? (line) => console.error(line) : () => undefined });
  const documentClient = createDocumentClient(new DynamoDBClient({ endpoint: platform.endpoints.dynamodb, region: 'us-east-1', credentials: { accessKeyId: 'local', secretAccessKey: 'local' } }));
  const sqs = new SQSClient({ endpoint: platform.endpoints.sqs, region: 'us-east-1', credentials: { accessKeyId: 'local', secretAccessKey: 'local' } });
  try {
    const meterIds = Array.from({ length: METERS }, (_, i) => `BM${String(i).padStart(5, '0')}`);
    await batchPut(documentClient, platform.tableName, [
      ...meterIds.map((meterId, i) => meterToItem({ meterId, accountId: `BA${String(i).padStart(5, '0')}`, unit: 'kWh', status: 'ACTIVE', multiplier: 1 })),
      ...meterIds.map((meterId, i) =>
        accountToItem({ accountId: `BA${String(i).padStart(5, '0')}`, customerId: `BC${String(i).padStart(5, '0')}`, name: 'Bench', serviceAddress: '1 Bench St', cycle: 'C1', tariffId: 'ELEC-RES', status: 'ACTIVE', meterIds: [meterId], shard: i % 1024, createdAt: '2026-01-01T00:00:00Z' }),
      ),
    ]);

    const clock = dayClock(TIME_ZONE);
    const firstDay = addDays(new Date().toISOString().slice(0, 10), -DAYS - 1);
    let seed = 7;
    const random = () => ((seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648);
    const messages: Array<{ topic: string; payload: string }> = [];
    for (let d = 0; d < DAYS; d++) {
      // A local day has 92, 96 or 100 quarter hours (daylight saving time starts or ends).
      const [from, to] = clock.dayBounds(addDays(firstDay, d));
      const intervals = Math.round((to - from) / 900);
      for (const meterId of meterIds) {
        const readings = Array.from({ length: intervals }, (_, q) => ({ start: isoFromEpochSec(from + q * 900), durationSec: 900, value: (0.2 + random() * 0.3).toFixed(3), unit: 'kWh' }));
        messages.push({ topic: `cis/meters/${meterId}/reads`, payload: JSON.stringify({ meterId, readings }) });
      }
    }
    const total = messages.reduce((sum, message) => sum + (JSON.parse(message.payload) as { readings: unknown[] }).readings.length, 0);

    // The head-end is not part of the CIS: by default it publishes from a worker thread, so the
    // MQTT client's work does not share the platform's event loop (BENCH_PUBLISHER=inline: the
    // same thread, as measured before).
    const publisher = await (PUBLISHER === 'inline' ? inlinePublisher : threadPublisher)(platform.mqttUrl, messages);
    counting = true;
    const cpuBefore = process.cpuUsage();
    const childCpuBefore = childCpuSeconds();
    const started = process.hrtime.bigint();
    await publisher.publishAll();
    const published = process.hrtime.bigint();
    const queueUrl = platform.queues['ReadsQueue']!;
    for (;;) {
      const attributes = (await sqs.send(new GetQueueAttributesCommand({ QueueUrl: queueUrl, AttributeNames: ['All'] }))).Attributes ?? {};
      const left = Number(attributes['ApproximateNumberOfMessages'] ?? 0) + Number(attributes['ApproximateNumberOfMessagesNotVisible'] ?? 0) + Number(attributes['ApproximateNumberOfMessagesDelayed'] ?? 0);
      if (left === 0) break;
      // 50 ms: each poll is an SQS request in this same process, competing with the work measured.
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    const finished = process.hrtime.bigint();
    const cpu = process.cpuUsage(cpuBefore);
    const childCpuAfter = childCpuSeconds();
    counting = false;
    await publisher.close();

    // Check: every interval stored.
    let stored = 0;
    let estimated = 0;
    for (const meterId of meterIds) {
      const output = await documentClient.send(new QueryCommand({ TableName: platform.tableName, KeyConditionExpression: 'PK = :pk AND begins_with(SK, :day)', ExpressionAttributeValues: { ':pk': `METER#${meterId}`, ':day': 'DAY#' } }));
      for (const item of output.Items ?? []) for (const packed of Object.values(dayReadsFromItem(item).intervals)) packed[2] === 'A' ? stored++ : estimated++;
    }
    const seconds = Number(finished - started) / 1e9;
    const meterDays = METERS * DAYS;
    const dynamoRequests = [...requests.values()].reduce((a, b) => a + b, 0);
    console.log(`workload: ${METERS} meters x ${DAYS} days x ${PER_DAY} readings (92 or 100 on a daylight-saving day) = ${total.toLocaleString('en-US')} interval readings in ${messages.length} MQTT messages (QoS 1, ${IN_FLIGHT} in flight, published from ${PUBLISHER === 'inline' ? 'the platform\'s thread' : 'a worker thread'})`);
    console.log(`published in ${(Number(published - started) / 1e9).toFixed(2)} s; all validated and stored after ${seconds.toFixed(2)} s`);
    console.log(`end to end: ${Math.round(total / seconds).toLocaleString('en-US')} interval readings/s (target >= 20,000)`);
    console.log(`stored: ${stored.toLocaleString('en-US')} actual intervals (expected ${total.toLocaleString('en-US')}), ${estimated} estimated`);
    console.log(`DynamoDB requests by the handler: ${dynamoRequests} = ${(dynamoRequests / meterDays).toFixed(2)} per meter per day (${[...requests.entries()].map(([name, count]) => `${name.replace('Command', '')} ${count}`).join(', ')})`);
    console.log(`DynamoDB latency seen by the handler: ${[...latencyMs.entries()].map(([name, ms]) => `${name.replace('Command', '')} ${(ms / (requests.get(name) ?? 1)).toFixed(1)} ms`).join(', ')} on average`);
    console.log(`SQS requests (rule emulator, poller, handler, this script's queue polls): ${[...sqsRequests.entries()].map(([name, count]) => `${name.replace('Command', '')} ${count}`).join(', ')}`);
    console.log(`handler: ${invocations.count} invocations, ${(invocations.records / Math.max(1, invocations.count)).toFixed(1)} records each, busy ${(Number(invocations.busyNs) / 1e9).toFixed(2)} s of ${seconds.toFixed(2)} s (${((Number(invocations.busyNs) / 1e6) / Math.max(1, invocations.count)).toFixed(1)} ms per invocation)`);
    // CPU time is less sensitive than wall time to other work on the machine: what the run would
    // need of the 2 cores if it had them to itself (the process's threads include the publisher's).
    const nodeCpu = (cpu.user + cpu.system) / 1e6;
    const javaCpu = childCpuBefore === undefined || childCpuAfter === undefined ? undefined : childCpuAfter - childCpuBefore;
    console.log(
      `CPU over the run: this process ${nodeCpu.toFixed(2)} s (all threads)` +
        (javaCpu === undefined ? '' : `, DynamoDB Local (java) ${javaCpu.toFixed(2)} s; ${(((nodeCpu + javaCpu) * 1000) / (total / 1000)).toFixed(1)} ms of CPU per 1,000 readings`),
    );
    if (stored !== total) {
      process.exitCode = 1;
      console.error('not every reading was stored');
    }
  } finally {
    documentClient.destroy();
    sqs.destroy();
    await platform.stop();
    rmSync(authDir, { recursive: true, force: true });
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
