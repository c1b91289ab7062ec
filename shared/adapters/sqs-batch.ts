/**
 * SQS batches with ReportBatchItemFailures: every record is handled on its own; a failing
 * record is logged (one JSON line: messageId, reason, message) and reported, the others
 * still succeed.
 */
import type { SQSBatchResponse, SQSRecord } from 'aws-lambda';
import type { z } from 'zod';
import { InvalidInput } from '../domain/errors';
import { TransientStoreError } from '../app/errors';
import type { Logger } from '../app/ports';
import { parseOrThrow } from '../schemas/issues';

/** A message body that is not JSON or does not match its schema. */
export class MalformedMessage extends InvalidInput {
  override name = 'MalformedMessage';
  constructor(
    readonly reason: 'malformed-json' | 'invalid-message',
    message: string,
    issues: ReadonlyArray<{ path: string; message: string }> = [],
  ) {
    super(message, issues);
  }
}

export function parseMessage<S extends z.ZodType>(schema: S, body: string): z.output<S> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(body);
  } catch {
    throw new MalformedMessage('malformed-json', 'the message body is not valid JSON');
  }
  try {
    return parseOrThrow(schema, parsed, 'message');
  } catch (error) {
    if (error instanceof InvalidInput) throw new MalformedMessage('invalid-message', error.message, error.issues);
    throw error;
  }
}

/** The reason code logged for a failed record. */
export function reasonOf(error: unknown): string {
  const reason = (error as { reason?: unknown } | null)?.reason;
  if (typeof reason === 'string') return reason;
  if (error instanceof TransientStoreError) return 'store-unavailable';
  if (error instanceof InvalidInput) return 'invalid-message';
  return 'unexpected-error';
}

export async function processRecords(records: readonly SQSRecord[], handle: (record: SQSRecord) => Promise<unknown>, log: Logger): Promise<SQSBatchResponse> {
  const batchItemFailures: SQSBatchResponse['batchItemFailures'] = [];
  for (const record of records) {
    try {
      await handle(record);
    } catch (error) {
      const reason = reasonOf(error);
      const message = error instanceof Error ? error.message : String(error);
      const fields = {
        event: 'message-rejected',
        messageId: record.messageId,
        reason,
        error: error instanceof Error ? error.name : 'Error',
        receiveCount: Number(record.attributes?.ApproximateReceiveCount ?? 0) || undefined,
      };
      if (reason === 'unexpected-error') log.error(message, { ...fields, stack: error instanceof Error ? error.stack : undefined });
      else log.warn(message, fields);
      batchItemFailures.push({ itemIdentifier: record.messageId });
    }
  }
  return { batchItemFailures };
}
