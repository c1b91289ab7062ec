/**
 * What the end-to-end tests share: the whole local platform started from the synthesized
 * template on free ports with the demo seed and a fresh token directory, and a poll for
 * asynchronous outcomes.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { startPlatform, type RunningPlatform } from '../../shared/local/platform';
import { freePort } from '../../shared/local/ports';

export const ROOT = path.resolve(__dirname, '../..');

export interface TestPlatform {
  platform: RunningPlatform;
  /** Where the local signing key lives; `issueToken(authDir, ...)` makes tokens the gateway accepts. */
  authDir: string;
  mqttPort: number;
  /** Stops the platform and removes the token directory. */
  stop(): Promise<void>;
}

export async function startTestPlatform(tmpPrefix: string, options: { accounts: number; log?: (line: string) => void; web?: boolean; demoUsageDays?: number }): Promise<TestPlatform> {
  const authDir = await mkdtemp(path.join(os.tmpdir(), tmpPrefix));
  const removeAuthDir = () => rm(authDir, { recursive: true, force: true });
  try {
    const mqttPort = await freePort();
    const platform = await startPlatform({ rootDir: ROOT, port: await freePort(), mqttPort, authDir, seed: 'demo', accounts: options.accounts, demoUsageDays: options.demoUsageDays, web: options.web, log: options.log ?? (() => undefined) });
    return {
      platform,
      authDir,
      mqttPort,
      stop: async () => {
        await platform.stop();
        await removeAuthDir();
      },
    };
  } catch (error) {
    await removeAuthDir();
    throw error;
  }
}

/** Polls `probe` every 250 ms until it returns a value; fails naming `what` after `timeoutMs`. */
export async function eventually<T>(what: string, probe: () => Promise<T | undefined>, timeoutMs = 30_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}
