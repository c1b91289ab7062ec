/**
 * `cis import-records DIR`: loads a utility's existing records from customers.csv, premises.csv,
 * meters.csv, accounts.csv, agreements.csv and balances.csv (any subset) in DIR. `--dry-run`
 * validates everything against the files and the table and reports without writing, so a
 * migration can be rehearsed. Locally: the table of `cis start` (DynamoDB Local at --endpoint);
 * in AWS: the deployed table (TABLE_NAME, credentials from the environment).
 */
import { existsSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import type { Command } from 'commander';
import { dynamoClientFor } from './dynamo-client';

export const MAX_RECORDS_FILE_BYTES = 256 * 1024 * 1024;

interface ImportRecordsOptions {
  table: string;
  endpoint?: string;
  dryRun?: boolean;
  skipInvalid?: boolean;
  json?: boolean;
}

export function registerImportRecords(program: Command): void {
  program
    .command('import-records')
    .description('import customers, premises, meters, accounts, agreements and opening balances from CSV files (rehearse with --dry-run)')
    .argument('<dir>', 'folder with customers.csv, premises.csv, meters.csv, accounts.csv, agreements.csv, balances.csv (any of them)')
    .option('--dry-run', 'validate and report what would be created; write nothing')
    .option('--skip-invalid', 'write the valid rows even when some rows are rejected')
    .option('--json', 'print the report as JSON')
    .option('--table <name>', 'DynamoDB table', process.env['TABLE_NAME'] ?? 'DataTable')
    .option('--endpoint <url>', 'DynamoDB endpoint (the local platform: as `cis start` prints it)', process.env['AWS_ENDPOINT_URL_DYNAMODB'])
    .action(async (dir: string, options: ImportRecordsOptions) => {
      const { IMPORT_FILES, importRecords, formatImportReport } = require('../../shared/app/customers/import-records') as typeof import('../../shared/app/customers/import-records');
      const folder = path.resolve(dir);
      const files: Partial<Record<(typeof IMPORT_FILES)[number], string>> = {};
      for (const name of IMPORT_FILES) {
        const file = path.join(folder, `${name}.csv`);
        if (!existsSync(file)) continue;
        const size = statSync(file).size;
        if (size > MAX_RECORDS_FILE_BYTES) throw new Error(`${file} is ${size} bytes; split files larger than ${MAX_RECORDS_FILE_BYTES} bytes`);
        files[name] = readFileSync(file, 'utf8');
      }
      if (Object.keys(files).length === 0) throw new Error(`${folder} has none of ${IMPORT_FILES.map((name) => `${name}.csv`).join(', ')}`);
      const { createDocumentClient } = require('../../shared/adapters/dynamo') as typeof import('../../shared/adapters/dynamo');
      const { DynamoImportTarget } = require('../../shared/adapters/import-target') as typeof import('../../shared/adapters/import-target');
      const client = dynamoClientFor(options.endpoint);
      try {
        const report = await importRecords({ target: new DynamoImportTarget(createDocumentClient(client), options.table), clock: { now: () => new Date() } }, files, {
          dryRun: options.dryRun === true,
          skipInvalid: options.skipInvalid === true,
          actor: `import:${path.basename(folder)}`,
        });
        process.stdout.write(`${options.json ? JSON.stringify(report, null, 2) : formatImportReport(report)}\n`);
        if (report.problems.length > 0) process.exitCode = 2;
      } finally {
        client.destroy();
      }
    });
}
