/**
 * `cis import-payments FILE --format bai2|lockbox|nacha-returns`: imports a bank or lockbox file
 * like the staff upload route and prints its reconciliation report as JSON (exit code 2 when the
 * file is rejected: nothing of it was posted). `cis autopay --date D --out FILE`: the autopay run
 * of a debit day, writing the NACHA file. Locally: the table of `cis start` (--endpoint); in AWS:
 * the deployed table (TABLE_NAME, credentials from the environment).
 */
import { randomUUID } from 'node:crypto';
import { readFileSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { Command, InvalidArgumentError, Option } from 'commander';
import { dynamoClientFor } from './dynamo-client';

interface TableOptions {
  table: string;
  endpoint?: string;
  actor: string;
}

function tableOptions(command: Command): Command {
  return command
    .option('--table <name>', 'DynamoDB table', process.env['TABLE_NAME'] ?? 'DataTable')
    .option('--endpoint <url>', 'DynamoDB endpoint (the local platform: as `cis start` prints it)', process.env['AWS_ENDPOINT_URL_DYNAMODB'])
    .option('--actor <name>', 'who the audit trail names', `cli:${process.env['USER'] ?? 'operator'}`);
}

function buildDeps(options: TableOptions) {
  const { createDocumentClient } = require('../../shared/adapters/dynamo') as typeof import('../../shared/adapters/dynamo');
  const { DynamoLedgerStore } = require('../../shared/adapters/ledger-store') as typeof import('../../shared/adapters/ledger-store');
  const { DynamoBankStore } = require('../../shared/adapters/bank-store') as typeof import('../../shared/adapters/bank-store');
  const { DynamoAccountStore } = require('../../shared/adapters/account-store') as typeof import('../../shared/adapters/account-store');
  const { parseEnv } = require('../../shared/adapters/env') as typeof import('../../shared/adapters/env');
  const { PaymentsEnv } = require('../../shared/schemas/env') as typeof import('../../shared/schemas/env');
  const client = dynamoClientFor(options.endpoint);
  const documentClient = createDocumentClient(client);
  const bank = new DynamoBankStore(documentClient, options.table);
  const fee = parseEnv(PaymentsEnv.pick({ RETURNED_PAYMENT_FEE: true })).RETURNED_PAYMENT_FEE;
  return {
    deps: { ledger: new DynamoLedgerStore(documentClient, options.table), accounts: new DynamoAccountStore(documentClient, options.table), autopay: bank, files: bank, clock: { now: () => new Date() }, newId: randomUUID, returnedPaymentFee: fee },
    close: () => client.destroy(),
  };
}

function calendarDate(value: string): string {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(value) || Number.isNaN(Date.parse(`${value}T00:00:00Z`))) throw new InvalidArgumentError('a date YYYY-MM-DD.');
  return value;
}

export function registerBankFiles(program: Command): void {
  tableOptions(
    program
      .command('import-payments')
      .description('import a BAI2, lockbox CSV or NACHA returns file and print its reconciliation report (JSON)')
      .argument('<file>', 'the file to import')
      .addOption(new Option('--format <format>', 'file format').choices(['bai2', 'lockbox', 'nacha-returns']).makeOptionMandatory()),
  ).action(async (file: string, options: TableOptions & { format: 'bai2' | 'lockbox' | 'nacha-returns' }) => {
    const { MAX_PAYMENT_FILE_BYTES } = require('../../shared/domain/payment-files') as typeof import('../../shared/domain/payment-files');
    const absolute = path.resolve(file);
    const size = statSync(absolute).size;
    if (size > MAX_PAYMENT_FILE_BYTES) throw new Error(`${file} is ${size} bytes; payment files are at most ${MAX_PAYMENT_FILE_BYTES} bytes`);
    const content = readFileSync(absolute, 'utf8');
    const { importPaymentFile } = require('../../shared/app/payments/import-payment-file') as typeof import('../../shared/app/payments/import-payment-file');
    const built = buildDeps(options);
    try {
      const report = await importPaymentFile(built.deps, { format: options.format, content, actor: options.actor });
      process.stdout.write(`${JSON.stringify({ file: path.basename(absolute), ...report })}\n`);
      if (report.status === 'REJECTED') process.exitCode = 2;
    } finally {
      built.close();
    }
  });

  tableOptions(
    program
      .command('autopay')
      .description('debit the autopay accounts with a bill due on a day: post each debit and write the NACHA PPD file')
      .requiredOption('--date <day>', 'the debit day (NACHA effective entry date), YYYY-MM-DD', calendarDate)
      .requiredOption('--out <file>', 'where to write the NACHA file'),
  ).action(async (options: TableOptions & { date: string; out: string }) => {
    const { runAutopay } = require('../../shared/app/payments/autopay') as typeof import('../../shared/app/payments/autopay');
    const { parseEnv } = require('../../shared/adapters/env') as typeof import('../../shared/adapters/env');
    const { AchEnv } = require('../../shared/schemas/env') as typeof import('../../shared/schemas/env');
    const { SANDBOX_ACH_ORIGINATOR } = require('../../shared/domain/nacha') as typeof import('../../shared/domain/nacha');
    // ACH_ORIGINATOR (JSON) names the utility's bank settings; locally the sandbox settings of `cis start`.
    const achOriginator = parseEnv(AchEnv.pick({ ACH_ORIGINATOR: true })).ACH_ORIGINATOR ?? (options.endpoint && /127\.0\.0\.1|localhost/.test(options.endpoint) ? SANDBOX_ACH_ORIGINATOR : undefined);
    const built = buildDeps(options);
    try {
      const result = await runAutopay({ ...built.deps, achOriginator }, { debitDate: options.date, actor: options.actor });
      if (result.text) writeFileSync(path.resolve(options.out), result.text);
      const { text: _text, ...summary } = result;
      process.stdout.write(`${JSON.stringify({ out: result.text ? path.resolve(options.out) : null, ...summary })}\n`);
    } finally {
      built.close();
    }
  });
}
