/** Publishing the built web apps to the web bucket: what goes where, with which headers, in which order. */
import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { mockClient } from 'aws-sdk-client-mock';
import { IMMUTABLE, publishPlan, publishWebApps } from '../../../shared/adapters/web-publish';

const s3 = mockClient(S3Client);
let buildDir: string;

async function write(relative: string, text: string): Promise<void> {
  const file = path.join(buildDir, relative);
  await fs.mkdir(path.dirname(file), { recursive: true });
  await fs.writeFile(file, text);
}

beforeEach(async () => {
  s3.reset();
  buildDir = await fs.mkdtemp(path.join(os.tmpdir(), 'cis-web-publish-'));
  await write('portal/index.html', '<title>portal</title>');
  await write('portal/config.json', '{"auth":{"kind":"cognito"}}');
  await write('portal/assets/index-1a2b.js', 'js');
  await write('portal/assets/index-3c4d.css', 'css');
  await write('console/index.html', '<title>console</title>');
  await write('console/config.json', '{}');
  await write('console/assets/index-5e6f.js', 'js');
});

afterEach(async () => {
  await fs.rm(buildDir, { recursive: true, force: true });
});

const puts = () => s3.commandCalls(PutObjectCommand).map((call) => call.args[0].input);

describe('publishWebApps', () => {
  it('puts the portal at the root and the console under console/, assets first and index.html last per app', async () => {
    s3.on(PutObjectCommand).resolves({});
    const keys = await publishWebApps(new S3Client({}), 'web-bucket', buildDir, ['portal', 'console']);
    expect(keys).toEqual(['assets/index-1a2b.js', 'assets/index-3c4d.css', 'config.json', 'index.html', 'console/assets/index-5e6f.js', 'console/config.json', 'console/index.html']);
    expect(puts().every((input) => input.Bucket === 'web-bucket')).toBe(true);
  });

  it('caches hashed assets for a year and lets CloudFront revalidate the rest, with their content types', async () => {
    s3.on(PutObjectCommand).resolves({});
    await publishWebApps(new S3Client({}), 'web-bucket', buildDir, ['portal']);
    const byKey = Object.fromEntries(puts().map((input) => [input.Key, input]));
    expect(byKey['assets/index-1a2b.js']).toMatchObject({ CacheControl: IMMUTABLE, ContentType: 'text/javascript; charset=utf-8' });
    expect(byKey['assets/index-3c4d.css']).toMatchObject({ CacheControl: IMMUTABLE, ContentType: 'text/css; charset=utf-8' });
    expect(byKey['index.html']).toMatchObject({ ContentType: 'text/html; charset=utf-8' });
    expect(byKey['index.html']?.CacheControl).toBeUndefined();
    expect(byKey['config.json']).toMatchObject({ ContentType: 'application/json' });
    expect(byKey['config.json']?.CacheControl).toBeUndefined();
    expect(String(byKey['config.json']?.Body)).toBe('{"auth":{"kind":"cognito"}}');
  });

  it('stops at a failed upload before index.html, so the previous app stays whole; a second run uploads everything', async () => {
    let failures = 1;
    s3.on(PutObjectCommand).callsFake((input: { Key?: string }) => {
      if (input.Key === 'assets/index-3c4d.css' && failures-- > 0) throw new Error('SlowDown');
      return {};
    });
    await expect(publishWebApps(new S3Client({}), 'web-bucket', buildDir, ['portal'])).rejects.toThrow('SlowDown');
    expect(puts().map((input) => input.Key)).not.toContain('index.html');
    s3.resetHistory();
    await publishWebApps(new S3Client({}), 'web-bucket', buildDir, ['portal']);
    expect(puts().map((input) => input.Key)).toEqual(['assets/index-1a2b.js', 'assets/index-3c4d.css', 'config.json', 'index.html']);
  });

  it('refuses an app that is not built, before uploading anything', async () => {
    await fs.rm(path.join(buildDir, 'console'), { recursive: true });
    await expect(publishWebApps(new S3Client({}), 'web-bucket', buildDir, ['portal', 'console'])).rejects.toThrow(/console app is not built/);
    expect(puts()).toEqual([]);
    await fs.rm(path.join(buildDir, 'portal', 'index.html'));
    await expect(publishPlan(buildDir, 'portal')).rejects.toThrow(/no index.html/);
  });
});
