/**
 * The `cis` command line: `cis start` runs the local CIS, `cis token` prints a bearer token
 * that the local gateway accepts.
 */
import path from 'node:path';
import { Command, InvalidArgumentError, Option } from 'commander';
import { registerRate } from './commands/rate';
import { registerImportReads } from './commands/import-reads';
import { registerImportRecords } from './commands/import-records';
import { registerBankFiles } from './commands/bank-files';
import { registerSeed } from './commands/seed';
import { registerTariff } from './commands/tariff';
import { registerCollections } from './commands/collections';
import { registerPublishWeb } from './commands/publish-web';
import { registerUsers } from './commands/users';

function port(value: string): number {
  const parsed = Number(value);
  if (!/^\d+$/.test(value) || parsed < 1 || parsed > 65535) throw new InvalidArgumentError('a port is a whole number from 1 to 65535.');
  return parsed;
}

function positiveCount(max: number) {
  return (value: string): number => {
    const parsed = Number(value);
    if (!/^\d+$/.test(value) || parsed < 1 || parsed > max) throw new InvalidArgumentError(`a whole number from 1 to ${max}.`);
    return parsed;
  };
}

export const DEFAULT_DATA_DIR = '.cis';

export function buildProgram(): Command {
  const program = new Command('cis')
    .description('Customer Information System for water, electric and gas utilities')
    .showHelpAfterError()
    .configureOutput({ writeErr: (text) => process.stderr.write(text) });

  program
    .command('start')
    .description('start the local CIS (DynamoDB Local, SQS, MQTT + IoT rule, Step Functions, HTTP API) with a demo utility')
    .addOption(new Option('--port <port>', 'HTTP API port').default(3000).argParser(port))
    .addOption(new Option('--mqtt-port <port>', 'MQTT broker port').default(1883).argParser(port))
    .option('--data-dir <dir>', 'keep data between runs in this folder (default: in memory; signing keys in ./.cis)')
    .addOption(new Option('--seed <seed>', 'data to seed an empty database with').choices(['demo', 'none']).default('demo'))
    .addOption(new Option('--accounts <n>', 'number of demo accounts').default(25).argParser(positiveCount(100000)))
    .option('--no-schedules', 'do not start the daily schedules (the collections run, the billing scheduler)')
    .option('--no-web', 'do not build or serve the customer portal and the staff console')
    .action(async (options: { port: number; mqttPort: number; dataDir?: string; seed: 'demo' | 'none'; accounts: number; schedules: boolean; web: boolean }) => {
      // Loaded on demand so that `cis token` stays quick (the platform loads the CDK app).
      const { startPlatform } = require('../shared/local/platform') as typeof import('../shared/local/platform');
      const platform = await startPlatform({
        rootDir: path.resolve(__dirname, '..'),
        port: options.port,
        mqttPort: options.mqttPort,
        dataDir: options.dataDir ? path.resolve(options.dataDir) : undefined,
        authDir: path.resolve(options.dataDir ?? DEFAULT_DATA_DIR),
        seed: options.seed,
        accounts: options.accounts,
        // A year and a month of hourly usage for A0001 and A0004: the portal compares with last year.
        demoUsageDays: 400,
        schedules: options.schedules,
        web: options.web,
        log: (line) => process.stdout.write(`${line}\n`),
      });
      process.stdout.write(`${platform.describe()}\nPress Ctrl-C to stop.\n`);
      let stopping = false;
      const stop = (signal: NodeJS.Signals) => {
        if (stopping) {
          process.stderr.write(`cis: ${signal} again, exiting now\n`);
          process.exit(1);
        }
        stopping = true;
        process.stdout.write('Stopping the local CIS...\n');
        platform.stop().then(
          () => process.exit(0),
          (error: unknown) => {
            process.stderr.write(`cis: stop failed: ${error instanceof Error ? error.message : String(error)}\n`);
            process.exit(1);
          },
        );
      };
      process.on('SIGINT', stop);
      process.on('SIGTERM', stop);
    });

  program
    .command('token')
    .description('print a bearer token that the local HTTP API accepts')
    .option('--staff <name>', 'a staff user name')
    .addOption(new Option('--role <role>', 'the staff role').choices(['csr', 'billing', 'admin', 'auditor']))
    .option('--customer <customerId>', 'a customer id (for the portal API)')
    .addOption(new Option('--ttl <seconds>', 'lifetime in seconds').default(43200).argParser(positiveCount(31 * 86400)))
    .option('--data-dir <dir>', 'the data dir of the local CIS (where its signing key is)', DEFAULT_DATA_DIR)
    .action(async (options: { staff?: string; role?: 'csr' | 'billing' | 'admin' | 'auditor'; customer?: string; ttl: number; dataDir: string }) => {
      if (Boolean(options.staff) === Boolean(options.customer)) throw new Error('give either --staff NAME --role ROLE or --customer CUSTOMER_ID');
      if (options.staff && !options.role) throw new Error('--staff needs --role (csr, billing, admin or auditor)');
      if (options.customer && options.role) throw new Error('--role is for staff tokens only');
      const { issueToken } = require('../shared/local/local-auth') as typeof import('../shared/local/local-auth');
      const token = await issueToken(path.resolve(options.dataDir), {
        staff: options.staff,
        role: options.role,
        customerId: options.customer,
        ttlSeconds: options.ttl,
      });
      process.stdout.write(`${token}\n`);
    });

  registerRate(program);

  registerImportReads(program);
  registerImportRecords(program);
  registerBankFiles(program);
  registerTariff(program);
  registerSeed(program);
  registerCollections(program);
  registerPublishWeb(program, path.resolve(__dirname, '..'));
  registerUsers(program);
  return program;
}

export async function main(argv: string[]): Promise<void> {
  await buildProgram().parseAsync(argv);
}
