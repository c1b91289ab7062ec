/**
 * Vite config of both web apps; CIS_WEB_APP picks the app (portal at `/`, console at
 * `/console/`) and CIS_WEB_OUT its output folder (shared/local/web-build.ts sets both).
 * JSX uses Vite's built-in transform (automatic runtime), no React plugin.
 */
import path from 'node:path';
import { defineConfig } from 'vite';

const app = process.env['CIS_WEB_APP'] === 'console' ? 'console' : 'portal';
const outDir = process.env['CIS_WEB_OUT'] ?? path.resolve(import.meta.dirname, '../../.build/web', app);

export default defineConfig({
  root: path.resolve(import.meta.dirname, app),
  base: app === 'console' ? '/console/' : '/',
  publicDir: false,
  logLevel: 'warn',
  oxc: { jsx: { runtime: 'automatic' } },
  build: { outDir, emptyOutDir: true, sourcemap: true, target: 'es2022' },
});
