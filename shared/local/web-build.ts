/**
 * Builds the web apps (customer portal and staff console) with Vite into `.build/web/portal` and
 * `.build/web/console`, and tells whether a build is older than the sources. Vite runs in a
 * child process (it is an ES module with its own native bundler) with this process's Node.
 */
import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { LOCAL_WEB_CONFIG, webConfigsFromOutputs } from '../web/common/web-config';
import type { WebConfig } from '../web/common/web-config';

export const WEB_APPS = ['portal', 'console'] as const;
export type WebApp = (typeof WEB_APPS)[number];

export function webSourceDir(rootDir: string): string {
  return path.join(rootDir, 'shared', 'web');
}

export function webBuildDir(rootDir: string): string {
  return path.join(rootDir, '.build', 'web');
}

/** Newest modification time of the files under `dir` (0 when empty or missing); `skip` names folders to ignore. */
async function newestMtime(dir: string, skip: Set<string>): Promise<number> {
  let newest = 0;
  let entries: import('node:fs').Dirent[];
  try {
    entries = await fs.readdir(dir, { withFileTypes: true });
  } catch {
    return 0;
  }
  for (const entry of entries) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) {
      if (!skip.has(entry.name)) newest = Math.max(newest, await newestMtime(full, skip));
    } else if (entry.isFile()) {
      newest = Math.max(newest, (await fs.stat(full)).mtimeMs);
    }
  }
  return newest;
}

/** The apps whose build is missing or older than the web sources (or the shared Vite config). */
export async function staleWebApps(rootDir: string): Promise<WebApp[]> {
  const sources = await newestMtime(webSourceDir(rootDir), new Set(['screenshots', 'node_modules']));
  const stale: WebApp[] = [];
  for (const app of WEB_APPS) {
    try {
      const built = (await fs.stat(path.join(webBuildDir(rootDir), app, 'index.html'))).mtimeMs;
      if (built < sources) stale.push(app);
    } catch {
      stale.push(app);
    }
  }
  return stale;
}

/**
 * Runs `vite build` for one app into a fresh folder, then moves it into place, so that two
 * processes building at once (parallel test files) never leave a half-written app; rejects with
 * Vite's output when the build fails.
 */
export async function buildWebApp(rootDir: string, app: WebApp, webConfig: WebConfig = LOCAL_WEB_CONFIG): Promise<void> {
  const vite = path.join(rootDir, 'node_modules', 'vite', 'bin', 'vite.js');
  const config = path.join(webSourceDir(rootDir), 'vite.config.mts');
  const target = path.join(webBuildDir(rootDir), app);
  const temporary = path.join(webBuildDir(rootDir), `.${app}-${process.pid}-${randomUUID()}`);
  try {
    await new Promise<void>((resolve, reject) => {
      const child = spawn(process.execPath, [vite, 'build', '--config', config, '--logLevel', 'warn'], {
        cwd: rootDir,
        env: { ...process.env, CIS_WEB_APP: app, CIS_WEB_OUT: temporary },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let output = '';
      child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
      child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
      child.on('error', reject);
      child.on('close', (code) => (code === 0 ? resolve() : reject(new Error(`vite build of the ${app} app failed (exit ${code}):\n${output.trim()}`))));
    });
    // Read by the app at start: which sign-in it uses (local, or the deployment's Cognito).
    await fs.writeFile(path.join(temporary, 'config.json'), `${JSON.stringify(webConfig, null, 2)}\n`);
    await fs.rm(target, { recursive: true, force: true });
    try {
      await fs.rename(temporary, target);
    } catch (error) {
      // Another process moved its build of the same sources into place first: keep that one.
      const code = (error as NodeJS.ErrnoException).code;
      if (code !== 'ENOTEMPTY' && code !== 'EEXIST') throw error;
    }
  } finally {
    await fs.rm(temporary, { recursive: true, force: true });
  }
}

/** Builds the given apps (default: the stale ones) one after the other; returns what was built. */
export async function buildWebApps(rootDir: string, apps?: readonly WebApp[], configs?: Record<WebApp, WebConfig>): Promise<WebApp[]> {
  const toBuild = apps ?? (await staleWebApps(rootDir));
  for (const app of toBuild) await buildWebApp(rootDir, app, configs?.[app]);
  return [...toBuild];
}

/**
 * `npm run build:web` builds both apps for the local platform; `npm run build:web -- --outputs
 * cdk-outputs.json [--stack Name]` builds them for a deployment (Cognito sign-in) from the
 * outputs file of `cdk deploy --outputs-file`.
 */
async function main(): Promise<string> {
  const started = Date.now();
  const { values } = parseArgs({ options: { outputs: { type: 'string' }, stack: { type: 'string' } }, strict: true });
  const configs = values.outputs ? webConfigsFromOutputs(JSON.parse(await fs.readFile(values.outputs, 'utf8')) as unknown, values.stack) : undefined;
  const built = await buildWebApps(path.resolve(__dirname, '../..'), WEB_APPS, configs);
  const signIn = configs?.portal.auth.kind === 'cognito' ? `Cognito sign-in at ${configs.portal.auth.domain}` : 'local sign-in';
  return `built ${built.join(' and ')} into .build/web (${signIn}) in ${Date.now() - started} ms`;
}

if (require.main === module) {
  main()
    .then((message) => console.log(message))
    .catch((error: unknown) => {
      console.error(error instanceof Error ? error.message : String(error));
      process.exit(1);
    });
}
