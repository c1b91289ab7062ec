/** SQS ReadsQueue -> VEE -> packed day items. Reports failed records individually (ReportBatchItemFailures). */
import middy from '@middy/core';
import type { SQSBatchResponse, SQSEvent } from 'aws-lambda';
import { ingestReads, type IngestReadsDeps } from '../../shared/app/ingest-reads';
import type { Logger } from '../../shared/app/ports';
import { lazyHandler, tableDeps } from '../../shared/adapters/runtime';
import { parseMessage, processRecords } from '../../shared/adapters/sqs-batch';
import { ReadsMessage } from '../../shared/schemas/reads';

export function createHandler(deps: IngestReadsDeps & { log: Logger }) {
  return middy<SQSEvent, SQSBatchResponse>().handler((event) =>
    processRecords(event.Records, (record) => ingestReads(deps, parseMessage(ReadsMessage, record.body), { ref: record.messageId }), deps.log),
  );
}

export const handler = lazyHandler(() => createHandler(tableDeps()));
