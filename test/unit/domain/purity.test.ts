/** shared/domain is deterministic: no AWS, no middy, no Lambda types, no environment, no clock. */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';

const DOMAIN = path.resolve(__dirname, '../../../shared/domain');

function filesUnder(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name);
    return entry.isDirectory() ? filesUnder(full) : /\.(ts|js|mjs|cjs)$/.test(entry.name) ? [full] : [];
  });
}

/** Source without comments, so prose may mention the forbidden things. */
function code(source: string): string {
  return source.replace(/\/\*[\s\S]*?\*\//g, '').replace(/(^|[^:'"`])\/\/.*$/gm, '$1');
}

const FORBIDDEN: Array<[string, RegExp]> = [
  ['imports @aws-sdk', /(from\s+|require\(\s*|import\(\s*)['"]@aws-sdk\//],
  ['imports @middy', /(from\s+|require\(\s*|import\(\s*)['"]@middy\//],
  ['imports aws-lambda', /(from\s+|require\(\s*|import\(\s*)['"]aws-lambda['"]/],
  ['imports the shared adapters or app layers', /(from\s+|require\(\s*|import\(\s*)['"]\.\.\/(adapters|app|local)\//],
  ['reads process.env', /process\s*\.\s*env/],
  ['calls Date.now()', /Date\s*\.\s*now\s*\(/],
  ['calls new Date() without arguments', /new\s+Date\s*\(\s*\)/],
  ['calls Math.random()', /Math\s*\.\s*random\s*\(/],
  ['calls performance.now()', /performance\s*\.\s*now\s*\(/],
];

describe('shared/domain purity', () => {
  const files = filesUnder(DOMAIN);

  it('has files to check', () => {
    expect(files.length).toBeGreaterThan(5);
  });

  it.each(files.map((file) => [path.relative(DOMAIN, file), file]))('%s is pure', (_name, file) => {
    const source = code(readFileSync(file, 'utf8'));
    const violations = FORBIDDEN.filter(([, pattern]) => pattern.test(source)).map(([what]) => what);
    expect(violations).toEqual([]);
  });

  it('catches what it is meant to catch', () => {
    const bad = [
      "import { DynamoDBClient } from '@aws-sdk/client-dynamodb';",
      "import middy from '@middy/core';",
      "import type { Context } from 'aws-lambda';",
      'const table = process.env.TABLE_NAME;',
      "const zone = process.env['UTILITY_TIMEZONE'];",
      'const t = Date.now();',
      'const d = new Date();',
      "const x = require('@aws-sdk/lib-dynamodb');",
    ];
    for (const line of bad) expect(FORBIDDEN.some(([, pattern]) => pattern.test(code(line)))).toBe(true);
    for (const line of ['const d = new Date(0);', 'const d = new Date(epochSec * 1000);', '// Date.now() is not allowed here']) {
      expect(FORBIDDEN.some(([, pattern]) => pattern.test(code(line)))).toBe(false);
    }
  });
});
