/** Ports of the meter-data use cases (ingestion, exceptions, usage), beside ports.ts. */
import type { AuditEvent } from '../domain/audit';
import type { DayReads } from '../domain/reads';
import type { ReadException, UsageAlert } from '../domain/vee/exceptions';
import type { Page, ReadStore } from './ports';

export interface WindowReadStore extends ReadStore {
  /** As listDays; `consistent` asks for a strongly consistent read (the days about to be rewritten). */
  listDays(meterId: string, fromDay: string, toDay: string, consistent?: boolean): Promise<DayReads[]>;
}

/** High-usage alerts raised for an account's customer (ALERT# items in the account's partition). */
export interface UsageAlertReader {
  /** The account's alerts for the days from `fromDay` to `toDay` (YYYY-MM-DD, inclusive), oldest first. */
  listAlerts(accountId: string, fromDay: string, toDay: string): Promise<UsageAlert[]>;
}

export interface ReadExceptionStore {
  /** Opens the exceptions that are not there yet (same id: left as is). Returns how many were new. */
  open(exceptions: readonly ReadException[]): Promise<number>;
  raiseAlerts(alerts: readonly UsageAlert[]): Promise<void>;
  get(meterId: string, exceptionId: string): Promise<ReadException | undefined>;
  listByStatus(status: ReadException['status'], limit: number, cursor?: string): Promise<Page<ReadException>>;
  /**
   * In one transaction: the day's new reads (when the resolution changes them; conditional on
   * `expectedVersion`, VersionConflict otherwise), the exception's new status (only if it is
   * still OPEN, ConflictError otherwise), the audit event and the rebilling marks.
   */
  resolve(change: ExceptionResolution): Promise<void>;
}

export interface RebillMark {
  accountId: string;
  billId: string;
  periodStart: string;
  reason: string;
  exceptionId: string;
  at: string;
  by: string;
}

export interface ExceptionResolution {
  exception: ReadException;
  day?: { reads: DayReads; expectedVersion: number | undefined };
  audit: AuditEvent;
  rebills: RebillMark[];
}

/** A message that can never be ingested (malformed, or refused for good), with why. */
export interface RejectedMessage {
  messageId: string;
  body: string;
  /** Reason code, e.g. malformed-json, invalid-message, topic-mismatch, misaligned-start. */
  reason: string;
  error: string;
  receiveCount?: number;
}

/** The reads dead-letter queue, for messages the handler rejects itself. */
export interface DeadLetterQueue {
  /** Sends the messages; resolves with the ids of those it could not send. */
  send(messages: readonly RejectedMessage[]): Promise<Set<string>>;
}
