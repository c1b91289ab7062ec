/**
 * SQS ReadsQueue -> VEE -> packed day items and read exceptions. Records of one meter in a
 * batch are ingested together (one history query and one write per meter-day); meters run in
 * parallel. Data-quality problems are exceptions for staff, not failures.
 *
 * A record that can never be ingested (not JSON, not a reads message, a meter id that is not
 * its topic's, readings VEE refuses as malformed) fails alone and at once: the handler sends it
 * to the reads dead-letter queue itself, with its reason in message attributes, and reports it
 * as handled. SQS's own redrive cannot do this: it moves a message only after maxReceiveCount
 * failed receives (three useless retries here) and keeps no reason. Only when that send fails
 * is the record reported in batchItemFailures, so it is retried and never lost. Failures that
 * may pass on a retry (a throttled or unavailable table) are reported in batchItemFailures and
 * reach the dead-letter queue through the redrive policy; their reason is in the log line.
 */
import { SQSClient } from '@aws-sdk/client-sqs';
import middy from '@middy/core';
import type { SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';
import { cachedAccounts, cachedMeters, ingestMeterReadings, type IngestReadsDeps } from '../../shared/app/ingest-reads';
import type { Logger } from '../../shared/app/ports';
import { ReadingRejected } from '../../shared/domain/reads';
import { mapLimit } from '../../shared/app/concurrency';
import { ReadWindowCache } from '../../shared/adapters/read-window-cache';
import { readsDeps } from '../../shared/adapters/reads-runtime';
import { lazyHandler } from '../../shared/adapters/runtime';
import { InvalidInput } from '../../shared/domain/errors';
import type { DeadLetterQueue, RejectedMessage } from '../../shared/app/read-ports';
import { parseEnv } from '../../shared/adapters/env';
import { parseReadsBody } from '../../shared/adapters/reads-envelope';
import { logRejected, reasonOf } from '../../shared/adapters/sqs-batch';
import { SqsDeadLetterQueue } from '../../shared/adapters/sqs-dead-letters';
import type { ReadsMessage } from '../../shared/schemas/reads';
import { ValidateReadsEnv } from '../../shared/schemas/env';

/** Meters ingested at the same time within one batch. */
export const METER_CONCURRENCY = 10;

/** Malformed input and readings refused as malformed: a retry cannot change the outcome. */
function isPermanent(error: unknown): boolean {
  return error instanceof InvalidInput;
}

export interface ValidateReadsDeps extends IngestReadsDeps {
  log: Logger;
  deadLetters: DeadLetterQueue;
  /**
   * Looks up the batch's meters (and their accounts) in batch requests before they are ingested
   * one by one; a failure here only means the lookups happen one by one.
   */
  prefetch?: (meterIds: readonly string[]) => Promise<void>;
}

export function createHandler(deps: ValidateReadsDeps) {
  return middy<SQSEvent, SQSBatchResponse>().handler(async (event) => {
    const failures = new Set<string>();
    const rejected: RejectedMessage[] = [];
    const fail = (record: SQSRecord, error: unknown) => {
      logRejected(deps.log, record, error);
      if (!isPermanent(error)) {
        failures.add(record.messageId);
        return;
      }
      const receiveCount = Number(record.attributes?.ApproximateReceiveCount ?? 0);
      rejected.push({ messageId: record.messageId, body: record.body, reason: reasonOf(error), error: error instanceof Error ? error.message : String(error), ...(receiveCount ? { receiveCount } : {}) });
    };
    const byMeter = new Map<string, Array<{ record: SQSRecord; message: ReadsMessage }>>();
    for (const record of event.Records) {
      try {
        const { message } = parseReadsBody(record.body);
        const group = byMeter.get(message.meterId);
        if (group) group.push({ record, message });
        else byMeter.set(message.meterId, [{ record, message }]);
      } catch (error) {
        fail(record, error);
      }
    }
    if (deps.prefetch && byMeter.size > 1) {
      await deps.prefetch([...byMeter.keys()]).catch((error: unknown) => deps.log.warn('prefetching meters failed; looking them up one by one', { event: 'prefetch-failed', error: error instanceof Error ? error.message : String(error) }));
    }
    const ingest = (meterId: string, group: Array<{ record: SQSRecord; message: ReadsMessage }>) =>
      ingestMeterReadings(deps, meterId, group.map(({ record, message }) => ({ readings: message.readings ?? [], registers: message.registers, ref: record.messageId })));
    await mapLimit([...byMeter.entries()], METER_CONCURRENCY, async ([meterId, group]) => {
      try {
        await ingest(meterId, group);
      } catch (error) {
        if (!(error instanceof ReadingRejected) || group.length === 1) {
          for (const { record } of group) fail(record, error);
          return;
        }
        // A malformed message among several of the meter: ingest them one by one, so only it fails.
        for (const member of group) {
          try {
            await ingest(meterId, [member]);
          } catch (memberError) {
            fail(member.record, memberError);
          }
        }
      }
    });
    if (rejected.length) {
      const unsent = await deps.deadLetters.send(rejected);
      for (const messageId of unsent) failures.add(messageId);
      if (unsent.size) deps.log.error('sending rejected messages to the dead-letter queue failed; they will be retried', { event: 'dead-letter-send-failed', messageIds: [...unsent].join(',') });
    }
    return { batchItemFailures: event.Records.filter((record) => failures.has(record.messageId)).map((record) => ({ itemIdentifier: record.messageId })) };
  });
}

export const handler = lazyHandler(() => {
  const env = parseEnv(ValidateReadsEnv);
  const deps = readsDeps();
  const meters = cachedMeters(deps.meters, deps.clock);
  const accounts = cachedAccounts(deps.accounts, deps.clock);
  return createHandler({
    ...deps,
    deadLetters: new SqsDeadLetterQueue(new SQSClient({}), env.READS_DEAD_LETTER_QUEUE_URL),
    meters,
    reads: new ReadWindowCache(deps.reads, deps.clock),
    accounts,
    prefetch: async (meterIds) => {
      await meters.prefetch(meterIds);
      const found = await Promise.all(meterIds.map((meterId) => meters.get(meterId)));
      await accounts.prefetch(found.flatMap((meter) => (meter ? [meter.accountId] : [])));
    },
  });
});
