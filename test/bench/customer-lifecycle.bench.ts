/**
 * The customer record through the local platform (HTTP gateway -> handlers -> DynamoDB Local):
 * latency of the staff workflows (premise, move-in, move-out, service order completion), of the
 * overview and of search, and the throughput of the CSV import (dry run and load).
 *
 * Workload: N premises with one electric service point each, N move-ins with a meter (4 in
 * flight), then N overviews, N searches by last name, N/2 move-outs; an import of IMPORT_N
 * customers + premises + meters + accounts + agreements + balances generated in memory.
 */
import './require-esm';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { freePort } from '../../shared/local/ports';

const N = Number(process.env['BENCH_N'] ?? 100);
const IMPORT_N = Number(process.env['BENCH_IMPORT_N'] ?? 2000);
const IN_FLIGHT = 4;

const { startPlatform } = require('../../shared/local/platform') as typeof import('../../shared/local/platform');
const { issueToken } = require('../../shared/local/local-auth') as typeof import('../../shared/local/local-auth');
const { importRecords } = require('../../shared/app/customers/import-records') as typeof import('../../shared/app/customers/import-records');
const { DynamoImportTarget } = require('../../shared/adapters/import-target') as typeof import('../../shared/adapters/import-target');
const { createDocumentClient } = require('../../shared/adapters/dynamo') as typeof import('../../shared/adapters/dynamo');

async function timed<T>(items: T[], inFlight: number, work: (item: T, index: number) => Promise<void>): Promise<{ perSecond: number; p50: number; p95: number }> {
  const latencies: number[] = [];
  let next = 0;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: inFlight }, async () => {
      while (next < items.length) {
        const index = next++;
        const t0 = performance.now();
        await work(items[index]!, index);
        latencies.push(performance.now() - t0);
      }
    }),
  );
  const seconds = (performance.now() - started) / 1000;
  latencies.sort((a, b) => a - b);
  return { perSecond: items.length / seconds, p50: latencies[Math.floor(latencies.length * 0.5)]!, p95: latencies[Math.floor(latencies.length * 0.95)]! };
}

const fmt = (r: { perSecond: number; p50: number; p95: number }) => `${r.perSecond.toFixed(1)}/s, p50 ${r.p50.toFixed(1)} ms, p95 ${r.p95.toFixed(1)} ms`;

async function main(): Promise<void> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'cis-bench-lifecycle-'));
  for (const level of ['log', 'warn'] as const) console[level] = () => undefined;
  const platform = await startPlatform({ rootDir: path.resolve(__dirname, '../..'), port: await freePort(), mqttPort: await freePort(), authDir: dir, seed: 'demo', accounts: 2, log: () => undefined });
  const print = (line: string) => process.stdout.write(`${line}\n`);
  try {
    const csr = await issueToken(dir, { staff: 'bench', role: 'csr' });
    const admin = await issueToken(dir, { staff: 'bench-admin', role: 'admin' });
    const call = async (method: string, route: string, token: string, body?: unknown) => {
      const response = await fetch(`${platform.httpUrl}${route}`, { method, headers: { authorization: `Bearer ${token}`, ...(body ? { 'content-type': 'application/json' } : {}) }, body: body ? JSON.stringify(body) : undefined });
      const json = (await response.json()) as any;
      if (response.status >= 300) throw new Error(`${method} ${route}: ${response.status} ${JSON.stringify(json)}`);
      return json;
    };
    const ids = Array.from({ length: N }, (_, i) => i);
    // Warm the handlers (first invocation loads modules).
    await call('POST', '/staff/meters', admin, { meterId: 'BW-0', serviceType: 'electric', unit: 'kWh' });
    await timed(ids, IN_FLIGHT, async (i) => void (await call('POST', '/staff/meters', admin, { meterId: `BM-${i}`, serviceType: 'electric', unit: 'kWh' })));
    const premises: string[] = [];
    print(`create premise:  ${fmt(await timed(ids, IN_FLIGHT, async (i) => void (premises[i] = (await call('POST', '/staff/premises', csr, { address: { line1: `${i + 1} Bench Street`, city: 'Springfield', state: 'IL', zip: '62701' }, serviceTypes: ['electric'] })).premise.premiseId)))}`);
    const accounts: string[] = [];
    print(`move-in:         ${fmt(await timed(ids, IN_FLIGHT, async (i) => void (accounts[i] = (await call('POST', '/staff/move-ins', csr, { newCustomer: { name: `Bench Person${i} Surname${i}`, phones: [`555${String(7000000 + i)}`], email: `bench${i}@example.com` }, premiseId: premises[i], startDate: '2026-03-01', services: [{ serviceType: 'electric', meterId: `BM-${i}` }] })).accountId)))}`);
    print(`overview:        ${fmt(await timed(ids, IN_FLIGHT, async (i) => void (await call('GET', `/staff/accounts/${accounts[i]}/overview`, csr))))}`);
    print(`search by name:  ${fmt(await timed(ids, IN_FLIGHT, async (i) => {
      const found = await call('GET', `/staff/search?q=surname${i}`, csr);
      if (!found.items.some((item: { accountId: string }) => item.accountId === accounts[i])) throw new Error(`search missed ${accounts[i]}`);
    }))}`);
    const half = ids.slice(0, Math.floor(N / 2));
    print(`move-out:        ${fmt(await timed(half, IN_FLIGHT, async (i) => void (await call('POST', `/staff/accounts/${accounts[i]}/move-out`, csr, { endDate: '2026-04-30' }))))}`);
    print(`complete order:  ${fmt(await timed(half, IN_FLIGHT, async (i) => {
      const view = await call('GET', `/staff/accounts/${accounts[i]}/overview`, csr);
      const order = view.openServiceOrders.find((o: { type: string }) => o.type === 'FINAL_READ');
      await call('POST', `/staff/service-orders/${order.orderId}/transitions`, csr, { action: 'complete', read: '100' });
    }))}   (includes one overview read to find the order)`);

    const rows = Array.from({ length: IMPORT_N }, (_, i) => i);
    const files = {
      customers: ['customer_id,name,email,phone', ...rows.map((i) => `IC${i},"Import Person${i}",imp${i}@example.com,555${String(8000000 + i)}`)].join('\n'),
      premises: ['premise_id,line1,city,state,zip,service_types', ...rows.map((i) => `IP${i},${i + 1} Import Road,Springfield,IL,62701,electric`)].join('\n'),
      meters: ['meter_id,service_type,unit', ...rows.map((i) => `IM${i},electric,kWh`)].join('\n'),
      accounts: ['account_id,customer_id', ...rows.map((i) => `IA${i},IC${i}`)].join('\n'),
      agreements: ['account_id,premise_id,service_type,meter_id,tariff_id,start_date', ...rows.map((i) => `IA${i},IP${i},electric,IM${i},ELEC-RES,2025-01-01`)].join('\n'),
      balances: ['account_id,balance,as_of', ...rows.map((i) => `IA${i},${(i % 500) + 0.25},2025-12-31`)].join('\n'),
    };
    const client = new DynamoDBClient({ endpoint: platform.endpoints.dynamodb, region: 'us-east-1', credentials: { accessKeyId: 'local', secretAccessKey: 'local' } });
    const target = new DynamoImportTarget(createDocumentClient(client), platform.tableName);
    const deps = { target, clock: { now: () => new Date() } };
    let t0 = performance.now();
    const dry = await importRecords(deps, files, { dryRun: true });
    const drySeconds = (performance.now() - t0) / 1000;
    t0 = performance.now();
    const loaded = await importRecords(deps, files, { dryRun: false });
    const loadSeconds = (performance.now() - t0) / 1000;
    client.destroy();
    if (dry.problems.length || !loaded.written) throw new Error(`import failed: ${JSON.stringify(loaded.problems.slice(0, 3))}`);
    print(`import dry run:  ${IMPORT_N} accounts (6 files, ${IMPORT_N * 6} rows) in ${drySeconds.toFixed(2)} s = ${(IMPORT_N / drySeconds).toFixed(0)} accounts/s`);
    print(`import load:     ${IMPORT_N} accounts, ${loaded.itemsWritten} items in ${loadSeconds.toFixed(2)} s = ${(IMPORT_N / loadSeconds).toFixed(0)} accounts/s, ${(loaded.itemsWritten / loadSeconds).toFixed(0)} items/s (${(loaded.itemsWritten / IMPORT_N).toFixed(1)} items per account)`);
  } finally {
    await platform.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? error.stack : String(error)}\n`);
  process.exit(1);
});
