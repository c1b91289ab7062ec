/**
 * `cis tariff load FILE`: stores a tariff (the project's cis-tariff/1 JSON or an OpenEI URDB
 * item) with all its versions in the table, for billing runs to rate with. Loading a newer
 * document of a stored tariff adds its new versions; history is never edited. Locally: the
 * table of `cis start` (DynamoDB Local at --endpoint); in AWS: the deployed table.
 */
import { readFileSync } from 'node:fs';
import type { Command } from 'commander';
import { dynamoClientFor } from './dynamo-client';

interface TariffLoadOptions {
  table: string;
  endpoint?: string;
  label?: string;
  timeZone?: string;
  tariffId?: string;
  actor: string;
}

export function registerTariff(program: Command): void {
  const tariff = program.command('tariff').description('manage the tariffs billing runs rate with');
  tariff
    .command('load')
    .description('store a tariff (cis-tariff/1 JSON or an OpenEI URDB item) with all its versions; a stored tariff only gains new versions')
    .argument('<file>', 'tariff JSON: the project format or OpenEI URDB (a rate, {"items":[...]} or an array)')
    .option('--label <label>', 'the URDB item to use when the file has several')
    .option('--time-zone <zone>', 'the IANA time zone of a URDB tariff (default UTILITY_TIMEZONE)', process.env['UTILITY_TIMEZONE'])
    .option('--tariff-id <id>', 'store a URDB tariff under this id (default: its label)')
    .option('--actor <name>', 'who loads it (audit trail)', process.env['USER'] ? `cli:${process.env['USER']}` : 'cli')
    .option('--table <name>', 'DynamoDB table', process.env['TABLE_NAME'] ?? 'DataTable')
    .option('--endpoint <url>', 'DynamoDB endpoint (the local platform: as `cis start` prints it)', process.env['AWS_ENDPOINT_URL_DYNAMODB'])
    .action(async (file: string, options: TariffLoadOptions) => {
      const { isUrdbDocument, loadTariff: readTariff } = require('../../shared/domain/rating') as typeof import('../../shared/domain/rating');
      let json: unknown;
      try {
        json = JSON.parse(readFileSync(file, 'utf8'));
      } catch (error) {
        throw new Error(`cannot read the tariff file ${file}: ${(error as Error).message}`);
      }
      const urdb = isUrdbDocument(json);
      if (urdb && !options.timeZone) throw new Error('a URDB tariff has no time zone: give --time-zone (e.g. America/Denver) or set UTILITY_TIMEZONE');
      let doc = readTariff(json, { ...(options.label ? { label: options.label } : {}), ...(urdb && options.timeZone ? { timeZone: options.timeZone } : {}) });
      if (options.tariffId) {
        if (!urdb) throw new Error('--tariff-id renames URDB tariffs only; a cis-tariff/1 file names its tariffId');
        doc = { ...doc, tariffId: options.tariffId };
      }
      const { createDocumentClient } = require('../../shared/adapters/dynamo') as typeof import('../../shared/adapters/dynamo');
      const { DynamoTariffStore } = require('../../shared/adapters/tariff-store') as typeof import('../../shared/adapters/tariff-store');
      const { loadTariff } = require('../../shared/app/load-tariff') as typeof import('../../shared/app/load-tariff');
      const client = dynamoClientFor(options.endpoint);
      try {
        const result = await loadTariff({ tariffs: new DynamoTariffStore(createDocumentClient(client), options.table), clock: { now: () => new Date() } }, doc, options.actor);
        process.stdout.write(`${JSON.stringify(result)}\n`);
      } finally {
        client.destroy();
      }
    });
}
