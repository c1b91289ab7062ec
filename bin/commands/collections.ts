/**
 * `cis weather put|load` records weather forecasts per region and day (the weather protections of
 * the collections policy packs; a missing forecast blocks disconnection), and
 * `cis collections run --date D` starts the collections run of a day through Step Functions.
 * Locally: the endpoints `cis start` prints; in AWS: the deployed table and state machine.
 */
import { readFileSync } from 'node:fs';
import { InvalidArgumentError, type Command } from 'commander';
import { dynamoClientFor } from './dynamo-client';

interface TableOptions {
  table: string;
  endpoint?: string;
  actor: string;
}

const whole = (what: string, min: number, max: number) => (value: string) => {
  if (!/^-?\d+$/.test(value) || Number(value) < min || Number(value) > max) throw new InvalidArgumentError(`${what} must be a whole number from ${min} to ${max}.`);
  return Number(value);
};

function tableOptions(command: Command): Command {
  return command
    .option('--actor <name>', 'who records it (audit trail)', process.env['USER'] ? `cli:${process.env['USER']}` : 'cli')
    .option('--table <name>', 'DynamoDB table', process.env['TABLE_NAME'] ?? 'DataTable')
    .option('--endpoint <url>', 'DynamoDB endpoint (the local platform: as `cis start` prints it)', process.env['AWS_ENDPOINT_URL_DYNAMODB']);
}

async function withStore<T>(options: TableOptions, work: (deps: { collections: import('../../shared/app/collections/ports').CollectionsStore; clock: { now: () => Date }; newId: () => string }) => Promise<T>): Promise<T> {
  const { createDocumentClient } = require('../../shared/adapters/dynamo') as typeof import('../../shared/adapters/dynamo');
  const { DynamoCollectionsStore } = require('../../shared/adapters/collections-store') as typeof import('../../shared/adapters/collections-store');
  const { randomUUID } = require('node:crypto') as typeof import('node:crypto');
  const client = dynamoClientFor(options.endpoint);
  try {
    return await work({ collections: new DynamoCollectionsStore(createDocumentClient(client), options.table), clock: { now: () => new Date() }, newId: randomUUID });
  } finally {
    client.destroy();
  }
}

export function registerCollections(program: Command): void {
  const weather = program.command('weather').description('weather forecasts per region and day for the collections weather protections');
  tableOptions(
    weather
      .command('put')
      .description('record the forecast of a region and day (replaces an earlier one; audited)')
      .requiredOption('--region <region>', 'the weather region (an account\'s profile names it, else the deployment default "default")')
      .requiredOption('--date <date>', 'the day, YYYY-MM-DD (utility time zone)')
      .requiredOption('--low <F>', 'the lowest forecast temperature, whole degrees F', whole('--low', -80, 160))
      .requiredOption('--high <F>', 'the highest forecast temperature, whole degrees F', whole('--high', -80, 160))
      .option('--heat-index <F>', 'the highest forecast heat index, whole degrees F', whole('--heat-index', -80, 160))
      .option('--advisory', 'a heat advisory is in effect', false)
      .option('--hours <n>', 'hours from the start of the day the forecast covers', whole('--hours', 1, 240), 72)
      .option('--source <text>', 'where the forecast comes from', 'cli'),
  ).action(async (options: TableOptions & { region: string; date: string; low: number; high: number; heatIndex?: number; advisory: boolean; hours: number; source: string }) => {
    const { putWeather } = require('../../shared/app/collections/inputs') as typeof import('../../shared/app/collections/inputs');
    const { PutWeatherRequest } = require('../../shared/schemas/collections') as typeof import('../../shared/schemas/collections');
    const { parseOrThrow } = require('../../shared/schemas/issues') as typeof import('../../shared/schemas/issues');
    const request = parseOrThrow(PutWeatherRequest, { path: { region: options.region, date: options.date }, body: { forecastLowF: options.low, forecastHighF: options.high, ...(options.heatIndex === undefined ? {} : { heatIndexF: options.heatIndex }), heatAdvisory: options.advisory, horizonHours: options.hours, source: options.source } }, 'weather');
    const result = await withStore(options, (deps) => putWeather(deps, options.actor, { region: request.path.region, day: request.path.date, ...request.body }));
    process.stdout.write(`${JSON.stringify(result)}\n`);
  });
  tableOptions(
    weather
      .command('load')
      .description('record forecasts from a JSON file: [{"region","date","forecastLowF","forecastHighF","heatIndexF"?,"heatAdvisory"?,"horizonHours"?,"source"?}, ...]')
      .argument('<file>', 'the JSON file'),
  ).action(async (file: string, options: TableOptions) => {
    const { putWeather } = require('../../shared/app/collections/inputs') as typeof import('../../shared/app/collections/inputs');
    const { PutWeatherRequest } = require('../../shared/schemas/collections') as typeof import('../../shared/schemas/collections');
    const { parseOrThrow } = require('../../shared/schemas/issues') as typeof import('../../shared/schemas/issues');
    let rows: unknown;
    try {
      rows = JSON.parse(readFileSync(file, 'utf8'));
    } catch (error) {
      throw new Error(`cannot read the weather file ${file}: ${(error as Error).message}`);
    }
    if (!Array.isArray(rows)) throw new Error(`${file}: the weather file must hold a JSON array`);
    // Every row is checked before anything is written: a bad file records nothing.
    const requests = rows.map((row, index) => {
      const { region, date, ...body } = (row ?? {}) as Record<string, unknown>;
      return parseOrThrow(PutWeatherRequest, { path: { region, date }, body }, `row ${index}`);
    });
    const written = await withStore(options, async (deps) => {
      for (const request of requests) await putWeather(deps, options.actor, { region: request.path.region, day: request.path.date, ...request.body });
      return requests.length;
    });
    process.stdout.write(`${JSON.stringify({ written })}\n`);
  });

  const collections = program.command('collections').description('the daily collections run');
  tableOptions(
    collections
      .command('run')
      .description('start the collections run of a day (default today; a rerun of a day creates nothing twice)')
      .option('--date <date>', 'the run day, YYYY-MM-DD (never a future day)')
      .option('--state-machine <arn>', 'the collections state machine (as `cis start` prints it)', process.env['COLLECTIONS_STATE_MACHINE_ARN'])
      .option('--sfn-endpoint <url>', 'Step Functions endpoint (the local platform: as `cis start` prints it)', process.env['AWS_ENDPOINT_URL_SFN'])
      .option('--pack <id>', 'the policy pack of the deployment', process.env['COLLECTIONS_POLICY_PACK'] ?? 'us-pa-52-ch56')
      .option('--time-zone <zone>', 'the utility time zone', process.env['UTILITY_TIMEZONE'] ?? 'America/Denver'),
  ).action(async (options: TableOptions & { date?: string; stateMachine?: string; sfnEndpoint?: string; pack: string; timeZone: string }) => {
    if (!options.stateMachine) throw new Error('give --state-machine ARN (or set COLLECTIONS_STATE_MACHINE_ARN)');
    const { SFNClient } = require('@aws-sdk/client-sfn') as typeof import('@aws-sdk/client-sfn');
    const { StepFunctionsCollectionsWorkflow } = require('../../shared/adapters/collections-runtime') as typeof import('../../shared/adapters/collections-runtime');
    const { startCollectionsRun } = require('../../shared/app/collections/run') as typeof import('../../shared/app/collections/run');
    const { policyPack } = require('../../shared/domain/collections/packs') as typeof import('../../shared/domain/collections/packs');
    const { CalendarDate } = require('../../shared/schemas/common') as typeof import('../../shared/schemas/common');
    if (options.date !== undefined && !CalendarDate('--date').safeParse(options.date).success) throw new Error(`--date must be a calendar date YYYY-MM-DD, got ${options.date}`);
    const local = options.sfnEndpoint !== undefined && /^https?:\/\/(127\.0\.0\.1|localhost)(:|\/|$)/.test(options.sfnEndpoint);
    const sfn = new SFNClient({ ...(options.sfnEndpoint ? { endpoint: options.sfnEndpoint } : {}), ...(local ? { region: process.env['AWS_REGION'] ?? 'us-east-1', credentials: { accessKeyId: 'local', secretAccessKey: 'local' } } : {}) });
    try {
      const result = await withStore(options, (deps) =>
        startCollectionsRun({ ...deps, pack: policyPack(options.pack), timeZone: options.timeZone, workflow: new StepFunctionsCollectionsWorkflow(sfn, options.stateMachine!), log: { info: () => undefined, warn: () => undefined, error: (message, fields) => process.stderr.write(`${message} ${JSON.stringify(fields ?? {})}\n`) } }, options.actor, { runDate: options.date }),
      );
      process.stdout.write(`${JSON.stringify(result)}\n`);
    } finally {
      sfn.destroy();
    }
  });
}
