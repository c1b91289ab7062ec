/**
 * `npm run bench [filter]`: runs every test/bench/*.bench.ts (the one named `<filter>.bench.ts`,
 * else those whose name contains the filter) one after another, each in its own process, and prints what each reports. Benchmarks
 * print per-item figures and ratios; record them in BENCHMARKS.md with this command.
 */
import { spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import path from 'node:path';

const filter = process.argv[2] ?? '';
const all = readdirSync(__dirname).filter((name) => name.endsWith('.bench.ts'));
// `npm run bench cycle` runs cycle.bench.ts only, not every file whose name contains "cycle".
const files = all.includes(`${filter}.bench.ts`) ? [`${filter}.bench.ts`] : all.filter((name) => name.includes(filter)).sort();
if (files.length === 0) {
  console.error(`no benchmark matches "${filter}"`);
  process.exit(1);
}
let failed = 0;
for (const file of files) {
  console.log(`\n== ${file} (node ${process.version}, ${new Date().toISOString()})`);
  const result = spawnSync(process.execPath, ['--import', 'tsx', path.join(__dirname, file)], { stdio: 'inherit' });
  if (result.status !== 0) failed += 1;
}
process.exit(failed === 0 ? 0 : 1);
