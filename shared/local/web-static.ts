/**
 * Serves the built web apps from the local HTTP gateway, the way CloudFront serves them from S3:
 * the customer portal at `/`, the staff console at `/console/`, a file when it exists, otherwise
 * the app's index.html for its client-side routes (SPA fallback). Paths of the API never fall
 * back, so an unknown API path stays a 404.
 */
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { LOCAL_WEB_CONFIG } from '../web/common/web-config';
import { contentSecurityPolicy } from '../web/content-security-policy';

export interface StaticResult {
  status: number;
  headers: Array<[string, string]>;
  body: Buffer;
}

/** Content types of the built apps' files by extension (also used when they are uploaded to S3). */
export const CONTENT_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.json': 'application/json',
  '.txt': 'text/plain; charset=utf-8',
  '.woff2': 'font/woff2',
  '.map': 'application/json',
};

/** Path prefixes of the API: no SPA fallback there. */
const API_PREFIXES = ['/portal/', '/staff/', '/webhooks/', '/local/'];

const SECURITY_HEADERS: Array<[string, string]> = [
  // As in a deployment; an OpenID provider on this machine may stand in for the hosted UI.
  ['content-security-policy', contentSecurityPolicy(['http://127.0.0.1:*', 'http://localhost:*'])],
  ['x-content-type-options', 'nosniff'],
  ['referrer-policy', 'same-origin'],
  ['x-frame-options', 'DENY'],
];

/** The app folder and the path inside it for a request path. */
export function webAppOf(rawPath: string): { app: 'portal' | 'console'; file: string } {
  if (rawPath === '/console' || rawPath.startsWith('/console/')) return { app: 'console', file: rawPath.slice('/console'.length) || '/' };
  return { app: 'portal', file: rawPath };
}

async function readFileIn(root: string, relative: string): Promise<Buffer | undefined> {
  const file = path.resolve(root, `.${relative}`);
  if (file !== root && !file.startsWith(`${root}${path.sep}`)) return undefined;
  try {
    const stat = await fs.stat(file);
    return stat.isFile() ? await fs.readFile(file) : undefined;
  } catch {
    return undefined;
  }
}

/** The response for GET `rawPath`, or undefined when nothing is served there (the caller's 404). */
export async function serveStatic(webDir: string, rawPath: string): Promise<StaticResult | undefined> {
  if (API_PREFIXES.some((prefix) => rawPath.startsWith(prefix))) return undefined;
  let decoded: string;
  try {
    decoded = decodeURIComponent(rawPath);
  } catch {
    return undefined;
  }
  if (decoded.includes('\0')) return undefined;
  const { app, file } = webAppOf(decoded);
  // The local platform signs in locally, whatever config.json a deployment build left behind.
  if (file === '/config.json') {
    return { status: 200, headers: [['content-type', CONTENT_TYPES['.json']!], ['cache-control', 'no-cache'], ...SECURITY_HEADERS], body: Buffer.from(JSON.stringify(LOCAL_WEB_CONFIG)) };
  }
  const root = path.resolve(webDir, app);
  const wanted = file.endsWith('/') ? `${file}index.html` : file;
  const body = await readFileIn(root, wanted);
  if (body) {
    const extension = path.extname(wanted).toLowerCase();
    // Built assets carry a content hash in their names: cache them; index.html always revalidates.
    const cache = wanted.startsWith('/assets/') ? 'public, max-age=31536000, immutable' : 'no-cache';
    return { status: 200, headers: [['content-type', CONTENT_TYPES[extension] ?? 'application/octet-stream'], ['cache-control', cache], ...SECURITY_HEADERS], body };
  }
  // A client-side route (no file extension): the app's index.html.
  if (path.extname(wanted) !== '') return undefined;
  const index = await readFileIn(root, '/index.html');
  if (!index) return undefined;
  return { status: 200, headers: [['content-type', CONTENT_TYPES['.html']!], ['cache-control', 'no-cache'], ...SECURITY_HEADERS], body: index };
}
