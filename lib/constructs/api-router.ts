/**
 * The entry modules of the API functions that serve several routes: at synth, one small module
 * per function that imports each route's handler module and dispatches on the event's routeKey
 * (shared/adapters/route-dispatch.ts). They are written under `.build/routers/` in the project
 * (ignored by git) and bundled like any handler; the local platform runs the same modules.
 */
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import path from 'node:path';

export const ROUTERS_DIR = '.build/routers';

export interface RouterRoute {
  /** "GET /staff/accounts/{accountId}" */
  readonly routeKey: string;
  /** Handler module relative to the project root, e.g. `functions/staff/get-account.ts`. */
  readonly entry: string;
}

/** The router module's source: stable for the same routes, so a re-synth rewrites nothing. */
export function routerSource(name: string, routes: readonly RouterRoute[]): string {
  const sorted = [...routes].sort((a, b) => (a.routeKey < b.routeKey ? -1 : a.routeKey > b.routeKey ? 1 : 0));
  const keys = new Set<string>();
  for (const route of sorted) {
    if (keys.has(route.routeKey)) throw new Error(`router ${name}: route ${route.routeKey} is listed twice`);
    keys.add(route.routeKey);
  }
  const relative = (entry: string) => path.posix.relative(ROUTERS_DIR, entry.replace(/\.ts$/, ''));
  return [
    `// Generated at synth by lib/constructs/api.ts: the routes the ${name} function serves. Do not edit.`,
    `import { dispatchByRoute } from '${relative('shared/adapters/route-dispatch.ts')}';`,
    ...sorted.map((route, i) => `import { handler as route${i} } from '${relative(route.entry)}';`),
    '',
    'export const handler = dispatchByRoute({',
    ...sorted.map((route, i) => `  ${JSON.stringify(route.routeKey)}: route${i},`),
    '});',
    '',
  ].join('\n');
}

/** Writes the router module of a function (atomically, only when it changed); returns its project-relative path. */
export function writeRouter(projectRoot: string, name: string, routes: readonly RouterRoute[]): string {
  if (!/^[A-Za-z][A-Za-z0-9]*$/.test(name)) throw new Error(`router name ${JSON.stringify(name)} must be letters and digits`);
  const relative = `${ROUTERS_DIR}/${name}.ts`;
  const file = path.join(projectRoot, ...relative.split('/'));
  const source = routerSource(name, routes);
  if (existsSync(file) && readFileSync(file, 'utf8') === source) return relative;
  mkdirSync(path.dirname(file), { recursive: true });
  const temporary = `${file}.${process.pid}.${Date.now()}.tmp`;
  writeFileSync(temporary, source);
  renameSync(temporary, file);
  return relative;
}
