/**
 * SQS ReadsQueue -> VEE -> packed day items and read exceptions. Records of one meter in a
 * batch are ingested together (one history query and one write per meter-day); meters run in
 * parallel. Malformed records fail alone (and reach the dead-letter queue); data-quality
 * problems are exceptions for staff, not failures. ReportBatchItemFailures.
 */
import middy from '@middy/core';
import type { SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';
import { cachedAccounts, cachedMeters, ingestMeterReadings, type IngestReadsDeps } from '../../shared/app/ingest-reads';
import type { Logger } from '../../shared/app/ports';
import { ReadingRejected } from '../../shared/domain/reads';
import { mapLimit } from '../../shared/app/concurrency';
import { ReadWindowCache } from '../../shared/adapters/read-window-cache';
import { readsDeps } from '../../shared/adapters/reads-runtime';
import { lazyHandler } from '../../shared/adapters/runtime';
import { logRejected, parseMessage } from '../../shared/adapters/sqs-batch';
import { ReadsMessage } from '../../shared/schemas/reads';

/** Meters ingested at the same time within one batch. */
export const METER_CONCURRENCY = 10;

export function createHandler(deps: IngestReadsDeps & { log: Logger }) {
  const fail = (record: SQSRecord, error: unknown, failures: Set<string>) => {
    logRejected(deps.log, record, error);
    failures.add(record.messageId);
  };

  return middy<SQSEvent, SQSBatchResponse>().handler(async (event) => {
    const failures = new Set<string>();
    const byMeter = new Map<string, Array<{ record: SQSRecord; message: ReadsMessage }>>();
    for (const record of event.Records) {
      try {
        const message = parseMessage(ReadsMessage, record.body);
        const group = byMeter.get(message.meterId);
        if (group) group.push({ record, message });
        else byMeter.set(message.meterId, [{ record, message }]);
      } catch (error) {
        fail(record, error, failures);
      }
    }
    const ingest = (meterId: string, group: Array<{ record: SQSRecord; message: ReadsMessage }>) =>
      ingestMeterReadings(deps, meterId, group.map(({ record, message }) => ({ readings: message.readings ?? [], registers: message.registers, ref: record.messageId })));
    await mapLimit([...byMeter.entries()], METER_CONCURRENCY, async ([meterId, group]) => {
      try {
        await ingest(meterId, group);
      } catch (error) {
        if (!(error instanceof ReadingRejected) || group.length === 1) {
          for (const { record } of group) fail(record, error, failures);
          return;
        }
        // A malformed message among several of the meter: ingest them one by one, so only it fails.
        for (const member of group) {
          try {
            await ingest(meterId, [member]);
          } catch (memberError) {
            fail(member.record, memberError, failures);
          }
        }
      }
    });
    return { batchItemFailures: event.Records.filter((record) => failures.has(record.messageId)).map((record) => ({ itemIdentifier: record.messageId })) };
  });
}

export const handler = lazyHandler(() => {
  const deps = readsDeps();
  return createHandler({
    ...deps,
    meters: cachedMeters(deps.meters, deps.clock),
    reads: new ReadWindowCache(deps.reads, deps.clock),
    accounts: cachedAccounts(deps.accounts, deps.clock),
  });
});
