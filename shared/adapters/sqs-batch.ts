/**
 * SQS batches with ReportBatchItemFailures: message bodies parsed with a zod schema, and a
 * failing record logged (one JSON line: messageId, reason, message) before it is reported.
 */
import type { SQSRecord } from 'aws-lambda';
import type { z } from 'zod';
import { InvalidInput } from '../domain/errors';
import { TransientStoreError } from '../app/errors';
import type { Logger } from '../app/ports';
import { parseOrThrow } from '../schemas/issues';

/** A message body that is not JSON or does not match its schema. */
export class MalformedMessage extends InvalidInput {
  override name = 'MalformedMessage';
  constructor(
    readonly reason: 'malformed-json' | 'invalid-message' | 'topic-mismatch',
    message: string,
    issues: ReadonlyArray<{ path: string; message: string }> = [],
  ) {
    super(message, issues);
  }
}

export function parseMessage<S extends z.ZodType>(schema: S, body: string): z.output<S> {
  return parseJsonMessage(schema, parseJsonBody(body));
}

/** JSON.parse of a message body; MalformedMessage malformed-json when it is not JSON. */
export function parseJsonBody(body: string): unknown {
  try {
    return JSON.parse(body) as unknown;
  } catch {
    throw new MalformedMessage('malformed-json', 'the message body is not valid JSON');
  }
}

/** A parsed body checked with a schema; MalformedMessage invalid-message when it does not match. */
export function parseJsonMessage<S extends z.ZodType>(schema: S, parsed: unknown): z.output<S> {
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

/** Logs a failed record (one JSON line: messageId, reason, message); unexpected errors as errors with the stack. */
export function logRejected(log: Logger, record: SQSRecord, error: unknown): void {
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
}
