/**
 * Uploads the built web apps to the deployment's web bucket (behind CloudFront): the portal at the
 * bucket root, the console under `console/`. The hashed files under `assets/` go first, cached for
 * a year; then index.html, config.json and the rest, which CloudFront revalidates on each request
 * (no Cache-Control, default TTL 0). A failure half-way therefore leaves the previous index.html
 * in place (pointing at assets that are still there), and running it again uploads everything.
 * Earlier builds' assets are kept for browsers still running them.
 */
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { CONTENT_TYPES } from '../local/web-static';
import type { WebApp } from '../local/web-build';

export const IMMUTABLE = 'public, max-age=31536000, immutable';

export interface PublishedFile {
  key: string;
  contentType: string;
  cacheControl?: string;
}

async function filesUnder(dir: string): Promise<string[]> {
  const entries = await fs.readdir(dir, { withFileTypes: true });
  const files: string[] = [];
  for (const entry of entries) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) files.push(...(await filesUnder(full)));
    else if (entry.isFile()) files.push(full);
  }
  return files;
}

/** What is uploaded for one app and in which order: assets first, index.html last. */
export async function publishPlan(buildDir: string, app: WebApp): Promise<Array<PublishedFile & { file: string }>> {
  const root = path.join(buildDir, app);
  const prefix = app === 'console' ? 'console/' : '';
  let files: string[];
  try {
    files = await filesUnder(root);
  } catch {
    throw new Error(`the ${app} app is not built (${root} is missing): run npm run build:web -- --outputs cdk-outputs.json`);
  }
  if (!files.some((file) => path.relative(root, file) === 'index.html')) throw new Error(`the ${app} app has no index.html in ${root}`);
  const rank = (relative: string) => (relative.startsWith('assets/') ? 0 : relative === 'index.html' ? 2 : 1);
  return files
    .map((file) => {
      const relative = path.relative(root, file).split(path.sep).join('/');
      const contentType = CONTENT_TYPES[path.extname(relative).toLowerCase()] ?? 'application/octet-stream';
      return { file, relative, key: `${prefix}${relative}`, contentType, ...(relative.startsWith('assets/') ? { cacheControl: IMMUTABLE } : {}) };
    })
    .sort((a, b) => rank(a.relative) - rank(b.relative) || a.relative.localeCompare(b.relative))
    .map(({ relative: _relative, ...rest }) => rest);
}

/** Uploads both apps (portal first, then console); returns the keys in upload order. */
export async function publishWebApps(s3: S3Client, bucket: string, buildDir: string, apps: readonly WebApp[], log: (line: string) => void = () => undefined): Promise<string[]> {
  const plans = await Promise.all(apps.map((app) => publishPlan(buildDir, app)));
  const uploaded: string[] = [];
  for (const plan of plans) {
    for (const file of plan) {
      await s3.send(
        new PutObjectCommand({ Bucket: bucket, Key: file.key, Body: await fs.readFile(file.file), ContentType: file.contentType, ...(file.cacheControl ? { CacheControl: file.cacheControl } : {}) }),
      );
      uploaded.push(file.key);
    }
    log(`uploaded ${plan.length} files`);
  }
  return uploaded;
}
