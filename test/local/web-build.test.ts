/** When the local platform rebuilds the web apps: a missing build, or sources newer than it. */
import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { staleWebApps } from '../../shared/local/web-build';

let root: string;

async function write(relative: string, mtime: Date): Promise<void> {
  const file = path.join(root, relative);
  await fs.mkdir(path.dirname(file), { recursive: true });
  await fs.writeFile(file, relative);
  await fs.utimes(file, mtime, mtime);
}

beforeEach(async () => {
  root = await fs.mkdtemp(path.join(os.tmpdir(), 'cis-web-build-'));
});

afterEach(async () => {
  await fs.rm(root, { recursive: true, force: true });
});

describe('staleWebApps', () => {
  const old = new Date('2026-01-01T00:00:00Z');
  const later = new Date('2026-01-02T00:00:00Z');

  it('lists both apps when nothing is built', async () => {
    await write('shared/web/portal/main.tsx', old);
    expect(await staleWebApps(root)).toEqual(['portal', 'console']);
  });

  it('lists nothing when the builds are newer than every source', async () => {
    await write('shared/web/common/api.ts', old);
    await write('.build/web/portal/index.html', later);
    await write('.build/web/console/index.html', later);
    expect(await staleWebApps(root)).toEqual([]);
  });

  it('lists the apps built before a source changed, ignoring the screenshots folder', async () => {
    await write('.build/web/portal/index.html', old);
    await write('.build/web/console/index.html', later);
    await write('shared/web/screenshots/portal.png', new Date('2026-02-01T00:00:00Z'));
    expect(await staleWebApps(root)).toEqual([]);
    await write('shared/web/common/styles.css', new Date('2026-01-01T12:00:00Z'));
    expect(await staleWebApps(root)).toEqual(['portal']);
  });
});
