/**
 * `cis import-reads FILE`: loads a bulk interval file (CSV or Green Button ESPI XML) through
 * VEE into the table, like the staff upload API. Locally: the table of `cis start` (DynamoDB
 * Local at --endpoint); in AWS: the deployed table (TABLE_NAME, credentials from the
 * environment).
 */
import { readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { Command, Option } from 'commander';
import { dynamoClientFor } from './dynamo-client';

export const MAX_IMPORT_BYTES = 512 * 1024 * 1024;

interface ImportOptions {
  format?: 'csv' | 'greenbutton';
  meter?: string;
  table: string;
  endpoint?: string;
  timeZone: string;
  dryRun?: boolean;
}

export function registerImportReads(program: Command): void {
  program
    .command('import-reads')
    .description('import interval reads from a CSV (meterId,start,durationSec,value,unit) or Green Button (ESPI XML) file through VEE')
    .argument('<file>', 'the file to import')
    .addOption(new Option('--format <format>', 'file format (default: from the name and content)').choices(['csv', 'greenbutton']))
    .option('--meter <meterId>', 'Green Button: the meter to load the feed into (default: the UsagePoint id)')
    .option('--table <name>', 'DynamoDB table', process.env['TABLE_NAME'] ?? 'DataTable')
    .option('--endpoint <url>', 'DynamoDB endpoint (the local platform: http://127.0.0.1:PORT as `cis start` prints it)', process.env['AWS_ENDPOINT_URL_DYNAMODB'])
    .option('--time-zone <zone>', 'the utility time zone', process.env['UTILITY_TIMEZONE'] ?? 'America/Denver')
    .option('--dry-run', 'parse and total the file without writing')
    .action(async (file: string, options: ImportOptions) => {
      const absolute = path.resolve(file);
      const size = statSync(absolute).size;
      if (size > MAX_IMPORT_BYTES) throw new Error(`${file} is ${size} bytes; split files larger than ${MAX_IMPORT_BYTES} bytes`);
      const content = readFileSync(absolute, 'utf8');
      const { detectFormat, importReads } = require('../../shared/app/import-reads') as typeof import('../../shared/app/import-reads');
      const format = options.format ?? detectFormat(absolute, content);
      const readsFile = { format, content, ...(options.meter ? { meterId: options.meter } : {}) };
      const deps = options.dryRun ? undefined : buildDeps(options);
      try {
        const summary = await importReads(deps?.deps ?? (undefined as never), readsFile, `import:${path.basename(absolute)}`, options.dryRun === true);
        const { results: _results, ...rest } = summary;
        process.stdout.write(`${JSON.stringify({ file: path.basename(absolute), format, dryRun: options.dryRun === true, ...rest })}\n`);
      } finally {
        deps?.close();
      }
    });
}

function buildDeps(options: ImportOptions) {
  const { createDocumentClient } = require('../../shared/adapters/dynamo') as typeof import('../../shared/adapters/dynamo');
  const { DynamoMeterStore } = require('../../shared/adapters/meter-store') as typeof import('../../shared/adapters/meter-store');
  const { DynamoReadStore } = require('../../shared/adapters/read-store') as typeof import('../../shared/adapters/read-store');
  const { DynamoAccountStore } = require('../../shared/adapters/account-store') as typeof import('../../shared/adapters/account-store');
  const { DynamoReadExceptionStore } = require('../../shared/adapters/read-exception-store') as typeof import('../../shared/adapters/read-exception-store');
  const client = dynamoClientFor(options.endpoint);
  const documentClient = createDocumentClient(client);
  return {
    deps: {
      meters: new DynamoMeterStore(documentClient, options.table),
      reads: new DynamoReadStore(documentClient, options.table),
      exceptions: new DynamoReadExceptionStore(documentClient, options.table),
      accounts: new DynamoAccountStore(documentClient, options.table),
      clock: { now: () => new Date() },
      timeZone: options.timeZone,
    },
    close: () => client.destroy(),
  };
}
