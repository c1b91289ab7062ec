/**
 * The local platform: every AWS service the CIS uses, emulated in one process and configured
 * from the synthesized CloudFormation template, running the same handler modules and the same
 * state machine definition that CDK deploys.
 */
import net from 'node:net';
import path from 'node:path';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { cdkJsonContext, synthesizeTemplate } from '../../lib/app';
import { SANDBOX_ACH_ORIGINATOR, SANDBOX_WEBHOOK_SECRET } from '../../lib/cis-stack';
import { DEMO_UTILITY_PROFILE, seedDemo } from '../app/seed-demo';
import { assertJava, createTables, startDynamoDb } from './dynamodb-local';
import { listenError } from './errors';
import { startEventSourceMappings } from './event-source-poller';
import { startHttpGateway } from './http-gateway';
import { startIot } from './iot-local';
import { loadOrCreateSigningKey } from './local-auth';
import { createQueues, startSqs } from './sqs-local';
import { failOrphanedRuns } from './orphaned-runs';
import { startScheduler } from './scheduler';
import { buildWebApps, webBuildDir } from './web-build';
import { startStepFunctions } from './step-functions-local';
import { FunctionHost, functionsOf, LOCAL_REGION, LocalResolver, resourcesOfType } from './template';

export interface PlatformOptions {
  /** The project root (handler entries in the template are relative to it). */
  rootDir: string;
  port: number;
  mqttPort: number;
  /** Keep DynamoDB data here between runs; in memory when absent. */
  dataDir?: string;
  /** Where the local signing key lives (the data dir, or ./.cis). */
  authDir: string;
  seed: 'demo' | 'none';
  accounts: number;
  /** Days of hourly usage for the demo's usage-history accounts (A0001, A0004); 0 or absent = two days like the others. */
  demoUsageDays?: number;
  /** The demo data's clock. */
  now?: Date;
  log: (line: string) => void;
  /** CDK context for the synthesized template (e.g. billingSegments). */
  context?: Record<string, unknown>;
  /** Start the template's EventBridge schedules (the daily collections run, the billing scheduler). @default false */
  schedules?: boolean;
  /** Serve the portal at `/` and the staff console at `/console/`, building them first when stale. */
  web?: boolean;
}

export interface RunningPlatform {
  httpUrl: string;
  mqttUrl: string;
  endpoints: { dynamodb: string; sqs: string; sfn: string; iotDataPlane: string };
  tableName: string;
  stateMachineArn: string;
  /** The daily collections state machine. */
  collectionsStateMachineArn: string;
  queues: Record<string, string>;
  seeded?: Awaited<ReturnType<typeof seedDemo>>;
  /** Invokes a function of the template by logical id, as a schedule or another AWS service would. */
  invoke(functionId: string, event: unknown): Promise<unknown>;
  describe(): string;
  stop(): Promise<void>;
}

/** Fails fast, before the slow parts start, when a user-chosen port is taken. */
async function assertPortFree(port: number, option: string): Promise<void> {
  await new Promise<void>((resolve, reject) => {
    const server = net.createServer();
    server.once('error', (error) => reject(listenError(error, port, option)));
    server.listen({ port, host: '127.0.0.1', exclusive: true }, () => server.close(() => resolve()));
  });
}

export async function startPlatform(options: PlatformOptions): Promise<RunningPlatform> {
  assertJava();
  await assertPortFree(options.port, '--port');
  await assertPortFree(options.mqttPort, '--mqtt-port');
  await loadOrCreateSigningKey(options.authDir);
  if (options.web) {
    const started = Date.now();
    const built = await buildWebApps(options.rootDir);
    if (built.length) options.log(`Built the ${built.join(' and ')} web app${built.length > 1 ? 's' : ''} in ${Date.now() - started} ms.`);
  }

  const stops: Array<() => Promise<void>> = [];
  const stopAll = async () => {
    for (const stop of stops.splice(0).reverse()) {
      try {
        await stop();
      } catch (error) {
        options.log(`stop failed: ${error instanceof Error ? error.message : String(error)}`);
      }
    }
  };

  try {
    // Locally, portal payments go to the sandbox provider, which signs its webhooks with the public
    // sandbox secret; a deployment has neither unless it configures them.
    // Bills show the demo utility unless cdk.json names the utility.
    const template = synthesizeTemplate({
      skipBundling: true,
      context: { paymentProvider: 'sandbox', paymentWebhookSecret: SANDBOX_WEBHOOK_SECRET, achOriginator: SANDBOX_ACH_ORIGINATOR, utilityProfile: cdkJsonContext(path.resolve(__dirname, '../..'))['utilityProfile'] ?? DEMO_UTILITY_PROFILE, ...options.context },
    });

    const dynamo = await startDynamoDb({ dataDir: options.dataDir ? path.join(options.dataDir, 'dynamodb') : undefined });
    stops.push(() => dynamo.stop());
    const sqs = await startSqs({});
    stops.push(() => sqs.stop());

    const resolver = new LocalResolver(template, { sqsEndpoint: sqs.endpoint });
    await createTables(dynamo.endpoint, resolver);
    await createQueues(sqs.endpoint, resolver);

    const host = new FunctionHost(functionsOf(resolver), options.rootDir);
    const sfn = await startStepFunctions({ resolver, host, log: options.log });
    stops.push(() => sfn.stop());
    if (options.schedules) {
      const scheduler = startScheduler({
        resolver,
        start: (schedule, event) => {
          if (schedule.target === 'state-machine') return void sfn.startExecution(schedule.arn, event);
          // EventBridge invokes a function target asynchronously; a failure is logged (AWS would retry it).
          host.invoke(schedule.arn, event).catch((error: unknown) => options.log(`schedule ${schedule.ruleId}: ${schedule.arn} failed: ${error instanceof Error ? error.message : String(error)}`));
        },
        log: options.log,
      });
      stops.push(async () => scheduler.stop());
    }
    const iot = await startIot({ resolver, sqsEndpoint: sqs.endpoint, mqttPort: options.mqttPort, log: options.log });
    stops.push(() => iot.stop());

    Object.assign(process.env, {
      AWS_REGION: LOCAL_REGION,
      AWS_ACCESS_KEY_ID: process.env['AWS_ACCESS_KEY_ID'] ?? 'local',
      AWS_SECRET_ACCESS_KEY: process.env['AWS_SECRET_ACCESS_KEY'] ?? 'local',
      AWS_ENDPOINT_URL_DYNAMODB: dynamo.endpoint,
      AWS_ENDPOINT_URL_SQS: sqs.endpoint,
      AWS_ENDPOINT_URL_SFN: sfn.endpoint,
      AWS_ENDPOINT_URL_IOT_DATA_PLANE: iot.dataPlaneEndpoint,
    });
    host.applyEnvironment();

    const poller = startEventSourceMappings({ resolver, host, sqsEndpoint: sqs.endpoint, log: options.log });
    stops.push(() => poller.stop());
    const gateway = await startHttpGateway({ resolver, host, port: options.port, dataDir: options.authDir, log: options.log, localSignIn: true, ...(options.web ? { webDir: webBuildDir(options.rootDir) } : {}) });
    stops.push(() => gateway.stop());

    const [tableId] = resourcesOfType(template, 'AWS::DynamoDB::Table')[0] ?? [];
    const machines = resourcesOfType(template, 'AWS::StepFunctions::StateMachine').map(([id]) => id);
    const machineId = machines.find((id) => id === 'BillingCycle') ?? machines[0];
    const collectionsMachineId = machines.find((id) => id === 'CollectionsDaily');
    if (!tableId || !machineId || !collectionsMachineId) throw new Error('the template has no table, no billing or no collections state machine');
    const tableName = resolver.ref(tableId);
    const queues = Object.fromEntries(resourcesOfType(template, 'AWS::SQS::Queue').map(([id]) => [id, resolver.ref(id)]));

    if (options.dataDir) {
      const documentClient = DynamoDBDocumentClient.from(new DynamoDBClient({ endpoint: dynamo.endpoint, region: LOCAL_REGION, credentials: { accessKeyId: 'local', secretAccessKey: 'local' } }));
      try {
        const orphaned = await failOrphanedRuns(documentClient, tableName, options.now ?? new Date());
        if (orphaned.length > 0) options.log(`Billing runs left RUNNING when the platform last stopped are marked FAILED: ${orphaned.join(', ')} (start their cycles again).`);
      } finally {
        documentClient.destroy();
      }
    }

    let seeded: RunningPlatform['seeded'];
    if (options.seed === 'demo') {
      const documentClient = DynamoDBDocumentClient.from(
        new DynamoDBClient({ endpoint: dynamo.endpoint, region: LOCAL_REGION, credentials: { accessKeyId: 'local', secretAccessKey: 'local' } }),
      );
      const existing = await documentClient.send(
        new QueryCommand({ TableName: tableName, IndexName: 'GSI2', KeyConditionExpression: 'GSI2PK = :t', ExpressionAttributeValues: { ':t': 'TYPE#ACCOUNT' }, Limit: 1 }),
      );
      if ((existing.Items ?? []).length === 0) {
        options.log(`Seeding a demo utility with ${options.accounts} accounts...`);
        seeded = await seedDemo({
          documentClient,
          tableName,
          accounts: options.accounts,
          usageDays: options.demoUsageDays,
          now: options.now ?? new Date(),
          timeZone: process.env['UTILITY_TIMEZONE'] ?? 'America/Denver',
        });
      } else {
        options.log('The data dir already holds accounts: not seeding.');
      }
      documentClient.destroy();
    }

    const platform: RunningPlatform = {
      httpUrl: gateway.url,
      mqttUrl: iot.mqttUrl,
      endpoints: { dynamodb: dynamo.endpoint, sqs: sqs.endpoint, sfn: sfn.endpoint, iotDataPlane: iot.dataPlaneEndpoint },
      tableName,
      stateMachineArn: resolver.ref(machineId),
      collectionsStateMachineArn: resolver.ref(collectionsMachineId),
      queues,
      seeded,
      describe() {
        const lines = [
          'The local CIS is running.',
          `  HTTP API        ${gateway.url}   (staff: /staff/..., portal: /portal/...)`,
          ...(options.web ? [`  Portal          ${gateway.url}/   (sign in as a demo customer)`, `  Staff console   ${gateway.url}/console/   (sign in with a name and a role)`] : []),
          `  MQTT broker     ${iot.mqttUrl}   (publish meter reads to cis/meters/{meterId}/reads)`,
          `  DynamoDB        ${dynamo.endpoint}   (table ${tableName})`,
          `  SQS             ${sqs.endpoint}`,
          `  Step Functions  ${sfn.endpoint}   (${platform.stateMachineArn}, ${platform.collectionsStateMachineArn})`,
          `  IoT Data Plane  ${iot.dataPlaneEndpoint}`,
          `  Data            ${options.dataDir ?? 'in memory'}; signing key in ${options.authDir}`,
        ];
        if (seeded) {
          lines.push(
            `Demo utility: ${seeded.accounts} accounts; for example customer ${seeded.sampleCustomerId}, account ${seeded.sampleAccountId}, meter ${seeded.sampleMeterId}.`,
            `Tokens: npx cis token --staff alice --role billing${options.dataDir ? ` --data-dir ${options.dataDir}` : ''}`,
            `        npx cis token --customer ${seeded.sampleCustomerId}${options.dataDir ? ` --data-dir ${options.dataDir}` : ''}`,
          );
        }
        return lines.join('\n');
      },
      invoke: (functionId, event) => host.invoke(functionId, event),
      stop: stopAll,
    };
    return platform;
  } catch (error) {
    await stopAll();
    throw error;
  }
}
