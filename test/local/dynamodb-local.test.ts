import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { DescribeTableCommand, DescribeTimeToLiveCommand, DynamoDBClient, GetItemCommand, PutItemCommand } from '@aws-sdk/client-dynamodb';
import { assertJava, createTables, parseJavaVersion, startDynamoDb, tableDefinitions, type DynamoDbHandle } from '../../shared/local/dynamodb-local';
import { PlatformError } from '../../shared/local/errors';
import { localClientConfig } from '../../shared/local/ports';
import { LocalResolver, type CfnTemplate } from '../../shared/local/template';

const template = JSON.parse(fs.readFileSync(path.join(__dirname, '../fixtures/templates/local-parts.template.json'), 'utf8')) as CfnTemplate;

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

async function waitUntil(condition: () => boolean, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (condition()) return true;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return condition();
}

describe('parseJavaVersion', () => {
  it.each([
    ['openjdk version "17.0.15" 2025-04-15', 17, '17.0.15'],
    ['java version "1.8.0_292"', 8, '1.8.0_292'],
    ['openjdk version "21" 2023-09-19', 21, '21'],
    ['openjdk version "11.0.2-ea" 2019-01-15', 11, '11.0.2-ea'],
    ['openjdk 22.0.1 2024-04-16', 22, '22.0.1'],
  ])('reads %s', (output, major, version) => {
    expect(parseJavaVersion(output)).toEqual({ major, version });
  });

  it('returns undefined for output without a version', () => {
    expect(parseJavaVersion('The operation couldn’t be completed. Unable to locate a Java Runtime.')).toBeUndefined();
  });
});

describe('assertJava', () => {
  it('accepts the Java of this machine', () => {
    expect(assertJava().major).toBeGreaterThanOrEqual(17);
  });

  it('says what to do, in one line, when java is missing', () => {
    const check = () => assertJava({ env: { PATH: '/nonexistent' } });
    expect(check).toThrow(PlatformError);
    expect(check).toThrow(
      'DynamoDB Local needs Java 17 or newer and no java command was found: install it (Debian: apt-get install openjdk-17-jre-headless) and try again',
    );
  });

  it('names the version it found when java is too old', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cis-old-java-'));
    const fake = path.join(dir, 'java');
    fs.writeFileSync(fake, '#!/bin/sh\necho \'java version "1.8.0_292"\' >&2\n', { mode: 0o755 });
    try {
      expect(() => assertJava({ command: fake })).toThrow(/needs Java 17 or newer and .*java is Java 1\.8\.0_292: install it/);
      let message = '';
      try {
        assertJava({ command: fake });
      } catch (error) {
        message = (error as Error).message;
      }
      expect(message).not.toContain('\n');
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('tableDefinitions', () => {
  it('maps the template tables (Table and GlobalTable) to CreateTable inputs', () => {
    const definitions = tableDefinitions(new LocalResolver(template));
    expect(definitions.map((definition) => definition.logicalId)).toEqual(['Table', 'AuditTable']);
    const [table, audit] = definitions;
    expect(table!.timeToLiveAttribute).toBe('expiresAt');
    expect(table!.input).toMatchObject({ TableName: 'Table', BillingMode: 'PAY_PER_REQUEST' });
    expect(table!.input.GlobalSecondaryIndexes?.map((index) => index.IndexName)).toEqual(['GSI1', 'GSI2']);
    expect(audit!.input).toMatchObject({ TableName: 'AuditTable', StreamSpecification: { StreamEnabled: true, StreamViewType: 'NEW_AND_OLD_IMAGES' } });
    expect(audit!.timeToLiveAttribute).toBeUndefined();
  });
});

describe('DynamoDB Local', () => {
  let dynamo: DynamoDbHandle | undefined;
  let client: DynamoDBClient | undefined;
  const dirs: string[] = [];

  afterEach(async () => {
    client?.destroy();
    client = undefined;
    await dynamo?.stop();
    dynamo = undefined;
  });

  afterAll(() => {
    for (const dir of dirs) fs.rmSync(dir, { recursive: true, force: true });
  });

  it('starts in memory and creates the template tables with their indexes and TTL', async () => {
    dynamo = await startDynamoDb();
    expect(dynamo.endpoint).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    const resolver = new LocalResolver(template);

    await expect(createTables(dynamo.endpoint, resolver)).resolves.toEqual({ created: ['Table', 'AuditTable'], existing: [] });

    client = new DynamoDBClient(localClientConfig(dynamo.endpoint));
    const { Table: table } = await client.send(new DescribeTableCommand({ TableName: 'Table' }));
    expect(table?.KeySchema).toEqual([
      { AttributeName: 'PK', KeyType: 'HASH' },
      { AttributeName: 'SK', KeyType: 'RANGE' },
    ]);
    expect(table?.BillingModeSummary?.BillingMode).toBe('PAY_PER_REQUEST');
    const indexes = Object.fromEntries((table?.GlobalSecondaryIndexes ?? []).map((index) => [index.IndexName, index]));
    expect(Object.keys(indexes).sort()).toEqual(['GSI1', 'GSI2']);
    expect(indexes['GSI1']).toMatchObject({
      KeySchema: [
        { AttributeName: 'GSI1PK', KeyType: 'HASH' },
        { AttributeName: 'GSI1SK', KeyType: 'RANGE' },
      ],
      Projection: { ProjectionType: 'ALL' },
    });
    expect(indexes['GSI2']).toMatchObject({
      KeySchema: [
        { AttributeName: 'GSI2PK', KeyType: 'HASH' },
        { AttributeName: 'GSI2SK', KeyType: 'RANGE' },
      ],
      Projection: { ProjectionType: 'KEYS_ONLY' },
    });
    const ttl = await client.send(new DescribeTimeToLiveCommand({ TableName: 'Table' }));
    expect(ttl.TimeToLiveDescription).toEqual({ AttributeName: 'expiresAt', TimeToLiveStatus: 'ENABLED' });

    const { Table: audit } = await client.send(new DescribeTableCommand({ TableName: 'AuditTable' }));
    expect(audit?.StreamSpecification).toEqual({ StreamEnabled: true, StreamViewType: 'NEW_AND_OLD_IMAGES' });

    // A second run over the same database leaves the tables alone.
    await expect(createTables(dynamo.endpoint, resolver)).resolves.toEqual({ created: [], existing: ['Table', 'AuditTable'] });

    const { endpoint, pid } = dynamo;
    await dynamo.stop();
    await dynamo.stop();
    expect(isAlive(pid!)).toBe(false);
    await expect(fetch(endpoint)).rejects.toThrow();
  });

  it('keeps data in a data dir between runs and skips existing tables', async () => {
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'cis-dynamodb-'));
    dirs.push(dataDir);
    const resolver = new LocalResolver(template);
    const item = { PK: { S: 'ACCOUNT#1' }, SK: { S: 'PROFILE' }, name: { S: 'Ada' } };

    dynamo = await startDynamoDb({ dataDir });
    await createTables(dynamo.endpoint, resolver);
    client = new DynamoDBClient(localClientConfig(dynamo.endpoint));
    await client.send(new PutItemCommand({ TableName: 'Table', Item: item }));
    client.destroy();
    await dynamo.stop();

    const lines: string[] = [];
    dynamo = await startDynamoDb({ dataDir });
    await expect(createTables(dynamo.endpoint, resolver, (line) => lines.push(line))).resolves.toEqual({ created: [], existing: ['Table', 'AuditTable'] });
    expect(lines).toEqual(['DynamoDB: kept existing tables Table, AuditTable']);
    client = new DynamoDBClient(localClientConfig(dynamo.endpoint));
    const { Item } = await client.send(new GetItemCommand({ TableName: 'Table', Key: { PK: item.PK, SK: item.SK } }));
    expect(Item).toEqual(item);
  });

  it('dies with the process that started it, even on SIGKILL', async () => {
    const child = spawn(process.execPath, ['--require', require.resolve('tsx/cjs'), path.join(__dirname, '../fixtures/local/dynamodb-child.ts')], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const started = await new Promise<{ pid: number; endpoint: string }>((resolve, reject) => {
      let stdout = '';
      child.stdout.on('data', (chunk: Buffer) => {
        stdout += chunk.toString();
        if (stdout.includes('\n')) resolve(JSON.parse(stdout.split('\n')[0]!) as { pid: number; endpoint: string });
      });
      child.once('exit', (code) => reject(new Error(`the child exited with ${code}: ${stderr}`)));
    });
    expect(isAlive(started.pid)).toBe(true);
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGKILL');
    await exited;
    expect(await waitUntil(() => !isAlive(started.pid), 10_000)).toBe(true);
  });
});
