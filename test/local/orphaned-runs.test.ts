/** A billing run left RUNNING by a stopped local platform is marked FAILED when the platform starts again on the same data. */
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { DynamoRunStore } from '../../shared/adapters/run-store';
import { emptyCounts } from '../../shared/domain/runs';
import { startPlatform, type RunningPlatform } from '../../shared/local/platform';
import { freePort } from '../../shared/local/ports';
import { ROOT } from './platform-harness';

let dataDir: string;

beforeAll(async () => {
  dataDir = await mkdtemp(path.join(os.tmpdir(), 'cis-orphaned-'));
});

afterAll(async () => {
  await rm(dataDir, { recursive: true, force: true });
});

async function start(log: string[]): Promise<RunningPlatform> {
  return startPlatform({ rootDir: ROOT, port: await freePort(), mqttPort: await freePort(), authDir: path.join(dataDir, 'auth'), dataDir, seed: 'none', accounts: 0, web: false, log: (line) => log.push(line) });
}

function runsOf(platform: RunningPlatform) {
  const client = DynamoDBDocumentClient.from(new DynamoDBClient({ endpoint: platform.endpoints.dynamodb, region: 'us-east-1', credentials: { accessKeyId: 'local', secretAccessKey: 'local' } }));
  return { runs: new DynamoRunStore(client, platform.tableName), close: () => client.destroy() };
}

it('marks a run the stopped platform left RUNNING as FAILED, and leaves finished runs alone', async () => {
  const first = await start([]);
  try {
    const { runs, close } = runsOf(first);
    const run = (runId: string) => ({ runId, cycle: 'C1', periodStart: '2026-01-01', periodEnd: '2026-01-31', status: 'RUNNING' as const, counts: emptyCounts(), startedAt: '2026-02-01T08:00:00.000Z', startedBy: 'bill', errors: [] });
    const audit = (runId: string) => ({ eventId: `e-${runId}`, entityType: 'RUN' as const, entityId: runId, at: '2026-02-01T08:00:00.000Z', actor: 'bill', action: 'billing-run.started', details: {} });
    await runs.create(run('run-stopped'), audit('run-stopped'));
    await runs.create(run('run-done'), audit('run-done'));
    await runs.finish({ runId: 'run-done', status: 'SUCCEEDED', finishedAt: '2026-02-01T08:05:00.000Z', counts: emptyCounts(), errors: [] }, { ...audit('run-done'), eventId: 'e-done-2', action: 'billing-run.succeeded' });
    close();
  } finally {
    await first.stop();
  }

  const log: string[] = [];
  const second = await start(log);
  try {
    const { runs, close } = runsOf(second);
    expect(await runs.get('run-stopped')).toMatchObject({ status: 'FAILED', failure: { error: 'PlatformStopped', cause: expect.stringContaining('start the cycle and period again') } });
    expect(await runs.get('run-done')).toMatchObject({ status: 'SUCCEEDED' });
    expect(log.join('\n')).toContain('marked FAILED: run-stopped');
    close();
  } finally {
    await second.stop();
  }
}, 180_000);
