/**
 * `cis seed --accounts N --days D [--start YYYY-MM-DD] [--cycle C]`: fills the table of a running
 * local platform with a utility at scale (customers, premises, service points, sized meters,
 * agreements on the demo tariffs, electric and water) and D days of 15-minute interval data,
 * packed per meter per day. Deterministic: a re-run with the same arguments writes the same items.
 * Only for a local DynamoDB endpoint (seed data never goes into a deployed table).
 */
import { Command, InvalidArgumentError, Option } from 'commander';
import { dynamoClientFor } from './dynamo-client';

interface SeedOptions {
  accounts: number;
  days: number;
  start?: string;
  cycle: string;
  table: string;
  endpoint?: string;
  timeZone: string;
  parallel: number;
  quiet?: boolean;
}

function wholeNumber(min: number, max: number) {
  return (value: string): number => {
    const parsed = Number(value);
    if (!/^\d+$/.test(value) || parsed < min || parsed > max) throw new InvalidArgumentError(`a whole number from ${min} to ${max}.`);
    return parsed;
  };
}

function calendarDate(value: string): string {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(value) || Number.isNaN(Date.parse(`${value}T00:00:00Z`)) || new Date(`${value}T00:00:00Z`).toISOString().slice(0, 10) !== value) {
    throw new InvalidArgumentError('a calendar date YYYY-MM-DD.');
  }
  return value;
}

export function registerSeed(program: Command): void {
  program
    .command('seed')
    .description('fill a running local CIS with N accounts of one billing cycle and D days of 15-minute interval data (idempotent)')
    .addOption(new Option('--accounts <n>', 'number of accounts').default(1000).argParser(wholeNumber(1, 1_000_000)))
    .addOption(new Option('--days <d>', 'days of 15-minute interval data').default(30).argParser(wholeNumber(0, 400)))
    .addOption(new Option('--start <date>', 'first day of the interval data, utility local date (default: D days before today)').argParser(calendarDate))
    .option('--cycle <cycle>', 'the billing cycle of the accounts (also part of their ids)', 'C1')
    .option('--table <name>', 'DynamoDB table', process.env['TABLE_NAME'] ?? 'DataTable')
    .option('--endpoint <url>', 'DynamoDB endpoint of the local platform (as `cis start` prints it)', process.env['AWS_ENDPOINT_URL_DYNAMODB'])
    .option('--time-zone <zone>', 'the utility time zone', process.env['UTILITY_TIMEZONE'] ?? 'America/Denver')
    .addOption(new Option('--parallel <n>', 'BatchWrite requests in flight').default(8).argParser(wholeNumber(1, 64)))
    .option('--quiet', 'print only the summary')
    .action(async (options: SeedOptions) => {
      if (!options.endpoint || !/^https?:\/\/(127\.0\.0\.1|localhost)(:|\/|$)/.test(options.endpoint)) {
        throw new Error('cis seed writes demo data into a local platform only: give --endpoint http://127.0.0.1:PORT (the DynamoDB endpoint `cis start` prints)');
      }
      const { addDays } = require('../../shared/domain/calendar') as typeof import('../../shared/domain/calendar');
      const { seedUtility } = require('../../shared/app/seed-utility') as typeof import('../../shared/app/seed-utility');
      const { createDocumentClient } = require('../../shared/adapters/dynamo') as typeof import('../../shared/adapters/dynamo');
      const start = options.start ?? addDays(new Date().toISOString().slice(0, 10), -options.days);
      const client = dynamoClientFor(options.endpoint);
      const started = Date.now();
      try {
        const summary = await seedUtility(
          {
            documentClient: createDocumentClient(client),
            tableName: options.table,
            parallel: options.parallel,
            progress: options.quiet ? undefined : (written) => process.stderr.write(`\rseeded ${written} of ${options.accounts} accounts`),
          },
          { accounts: options.accounts, days: options.days, start, cycle: options.cycle, timeZone: options.timeZone },
        );
        if (!options.quiet) process.stderr.write('\n');
        process.stdout.write(`${JSON.stringify({ ...summary, seconds: Number(((Date.now() - started) / 1000).toFixed(1)) })}\n`);
      } finally {
        client.destroy();
      }
    });
}
