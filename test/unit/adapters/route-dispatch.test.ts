import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { routerSource, writeRouter } from '../../../lib/constructs/api-router';
import { dispatchByRoute } from '../../../shared/adapters/route-dispatch';
import type { HttpEvent } from '../../../shared/adapters/http';

const event = (routeKey: string) => ({ routeKey }) as HttpEvent;

describe('dispatchByRoute', () => {
  it("runs the handler of the event's route key with the event and the context", async () => {
    const seen: string[] = [];
    const dispatch = dispatchByRoute({
      'GET /a/{id}': async (e, context) => {
        seen.push(`a ${e.routeKey} ${String(context)}`);
        return 'A';
      },
      'POST /a/{id}': async () => 'B',
    });
    expect(await dispatch(event('POST /a/{id}'), 'ctx')).toBe('B');
    await dispatch(event('GET /a/{id}'), 'ctx');
    expect(seen).toEqual(['a GET /a/{id} ctx']);
  });

  it('answers 500 for a route it does not serve, including names of Object.prototype', async () => {
    const dispatch = dispatchByRoute({ 'GET /a': async () => 'A' });
    for (const key of ['GET /b', 'constructor', '__proto__', 'toString']) {
      expect(await dispatch(event(key), undefined)).toMatchObject({ statusCode: 500, body: expect.stringContaining('RouteNotServed') });
    }
  });
});

describe('router modules', () => {
  const routes = [
    { routeKey: 'POST /staff/x', entry: 'functions/staff/x.ts' },
    { routeKey: 'GET /staff/a/{id}', entry: 'functions/staff/get-a.ts' },
  ];

  it('import each handler module relative to .build/routers and map route keys in a stable order', () => {
    const source = routerSource('StaffWriteRoutes', routes);
    expect(source).toBe(
      [
        '// Generated at synth by lib/constructs/api.ts: the routes the StaffWriteRoutes function serves. Do not edit.',
        "import { dispatchByRoute } from '../../shared/adapters/route-dispatch';",
        "import { handler as route0 } from '../../functions/staff/get-a';",
        "import { handler as route1 } from '../../functions/staff/x';",
        '',
        'export const handler = dispatchByRoute({',
        '  "GET /staff/a/{id}": route0,',
        '  "POST /staff/x": route1,',
        '});',
        '',
      ].join('\n'),
    );
    expect(routerSource('StaffWriteRoutes', [...routes].reverse())).toBe(source);
  });

  it('refuse a route listed twice and a name that is not a plain identifier', () => {
    expect(() => routerSource('R', [...routes, routes[0]!])).toThrow('router R: route POST /staff/x is listed twice');
    expect(() => writeRouter(os.tmpdir(), '../evil', routes)).toThrow('router name "../evil" must be letters and digits');
  });

  it('are written once and left alone while the routes stay the same', () => {
    const root = mkdtempSync(path.join(os.tmpdir(), 'cis-routers-'));
    try {
      const relative = writeRouter(root, 'PortalReadRoutes', routes);
      expect(relative).toBe('.build/routers/PortalReadRoutes.ts');
      const file = path.join(root, relative);
      const written = statSync(file).mtimeMs;
      expect(readFileSync(file, 'utf8')).toBe(routerSource('PortalReadRoutes', routes));
      writeRouter(root, 'PortalReadRoutes', routes);
      expect(statSync(file).mtimeMs).toBe(written);
      writeRouter(root, 'PortalReadRoutes', routes.slice(0, 1));
      expect(readFileSync(file, 'utf8')).toBe(routerSource('PortalReadRoutes', routes.slice(0, 1)));
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });
});
