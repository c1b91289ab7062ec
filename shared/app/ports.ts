/**
 * What the use cases need from the outside world. Adapters (shared/adapters) implement these
 * with DynamoDB and Step Functions; tests may implement them with fakes.
 */
import type { Account, Meter } from '../domain/accounts';
import type { AuditEvent } from '../domain/audit';
import type { HeldBill } from '../domain/bill-exceptions';
import type { AgreementPeak, Bill, BillHistoryEntry } from '../domain/billing';
import type { Agreement } from '../domain/customers/model';
import type { LedgerEntry } from '../domain/ledger';
import type { DayReads } from '../domain/reads';
import type { BillingRun, RunStatus, AccountFailure, RunCounts, SegmentProgress, SegmentResult } from '../domain/runs';
import type { TariffCorrection, TariffUpdate } from '../domain/rating/history';
import type { TariffDocument } from '../domain/rating/schema';
import type { StoredInterval } from '../domain/rating/usage';
import type { Unit } from '../domain/units';

export interface Page<T> {
  items: T[];
  /** Opaque; absent on the last page. */
  nextCursor?: string;
}

export interface AccountStore {
  get(accountId: string): Promise<Account | undefined>;
  getMany(accountIds: readonly string[]): Promise<Account[]>;
  list(limit: number, cursor?: string): Promise<Page<Account>>;
  /** One page of the accounts of a cycle in one shard (the GSI1 partition). */
  listByShard(cycle: string, shard: number, cursor?: string): Promise<Page<Account>>;
  listIdsOfCustomer(customerId: string): Promise<string[]>;
}

export interface MeterStore {
  get(meterId: string): Promise<Meter | undefined>;
  getMany(meterIds: readonly string[]): Promise<Meter[]>;
}

export interface ReadStore {
  getDay(meterId: string, day: string): Promise<DayReads | undefined>;
  /**
   * Writes the day if its stored version is still `expectedVersion` (undefined: must not exist);
   * VersionConflict otherwise. With an audit event, both are written in one transaction.
   */
  saveDay(day: DayReads, expectedVersion: number | undefined, audit?: AuditEvent): Promise<void>;
  /** The stored days of a meter from `fromDay` to `toDay`, both included, in order. */
  listDays(meterId: string, fromDay: string, toDay: string): Promise<DayReads[]>;
}

/** What billing reads of meter data. */
export interface IntervalReader {
  /** Only the intervals of the stored days from `fromDay` to `toDay` (what rating needs), in order: cheaper to read than whole days. */
  listDayIntervals(meterId: string, fromDay: string, toDay: string): Promise<DayIntervals[]>;
}

/** The intervals of one stored day: quantities in micro-units of `unit`, as stored (no multiplier). */
export interface DayIntervals {
  day: string;
  unit: Unit;
  intervals: StoredInterval[];
}

export interface StoredTariff {
  doc: TariffDocument;
  /** Optimistic-locking revision of the stored tariff: 1 on the first load, +1 on every change. */
  revision: number;
}

export interface TariffStore {
  /** The tariff with all its versions, or undefined. */
  get(tariffId: string): Promise<TariffDocument | undefined>;
  getStored(tariffId: string): Promise<StoredTariff | undefined>;
  /** Writes the update and its audit event in one transaction if the stored revision is still `expectedRevision` (undefined: new); VersionConflict otherwise. */
  save(update: TariffUpdate, expectedRevision: number | undefined, audit: AuditEvent, at: string): Promise<void>;
  /** Replaces the corrected versions (each only if still as stored) with the header's revision bump and the audit event; VersionConflict otherwise. */
  correct(correction: TariffCorrection, expectedRevision: number, audit: AuditEvent, at: string): Promise<void>;
}

/**
 * What billing reads of an account's service agreements: the agreements, the peaks earlier bills
 * stored and the history of its posted bills (totals, estimates, usage per service).
 */
export interface AgreementStore {
  listForBilling(accountId: string): Promise<{ agreements: Agreement[]; peaks: AgreementPeak[]; history?: BillHistoryEntry[] }>;
}

export type IssueOutcome = { issued: true } | { issued: false; existing: Bill | undefined };

/**
 * A bill to write with its audit event (together or not at all). An ISSUED bill comes with its
 * ledger entry (and the store adds its ledger key, history item and peaks); a HELD bill with its
 * review record instead, and nothing that posts.
 */
export interface BillIssue {
  bill: Bill;
  entry?: LedgerEntry;
  audit: AuditEvent;
  held?: HeldBill;
}

/** Staff released a held bill: the bill as ISSUED, its ledger entry, the review record resolved, the audit event. */
export interface BillRelease {
  bill: Bill;
  entry: LedgerEntry;
  exception: HeldBill;
  audit: AuditEvent;
}

/**
 * Cancel and rebill of a posted bill: the original as CANCELLED (with replacedBy), the reversal of
 * its ledger entry, the replacement bill as issuing writes it (ISSUED or HELD), the audit event,
 * and the rebill marks it consumes.
 */
export interface BillRebill {
  original: Bill;
  reversal: LedgerEntry;
  replacement: BillIssue;
  audit: AuditEvent;
  /** Exception ids of the original's rebill marks (REBILL# items) to remove. */
  marks: readonly string[];
}

export interface RebillMark {
  accountId: string;
  billId: string;
  exceptionId: string;
  meterId?: string;
  day?: string;
}

export interface RebillStore {
  /** The marks read corrections left on a bill. */
  listRebillMarks(accountId: string, billId: string): Promise<RebillMark[]>;
  /** One transaction; BillNotIssued when the original is no longer ISSUED, ConflictError when the replacement exists. */
  rebill(change: BillRebill): Promise<void>;
}

/** Staff cancelled a held bill: the bill as CANCELLED, the review record resolved, the audit event. */
export interface BillCancel {
  bill: Bill;
  exception: HeldBill;
  audit: AuditEvent;
}

/** The outcome of one bill of `issueMany`: issued, already there, or its own error (TransientStoreError: retry). */
export type IssueResult = IssueOutcome | { issued: false; error: unknown };

export interface BillKey {
  accountId: string;
  periodStart: string;
  billId: string;
}

export interface BillStore {
  get(accountId: string, periodStart: string, billId: string): Promise<Bill | undefined>;
  listForAccount(accountId: string, limit: number, cursor?: string): Promise<Page<Bill>>;
  /** Writes bill, ledger entry, audit event and the bill's agreement peaks in one transaction unless the bill exists. */
  issue(bill: Bill, entry: LedgerEntry, audit: AuditEvent): Promise<IssueOutcome>;
  /** The bills that exist among `keys`, by bill id (strongly consistent). */
  getMany(keys: readonly BillKey[]): Promise<Map<string, Bill>>;
  /**
   * Issues many bills, each atomically with its ledger entry, audit event and peaks; several
   * bills may share one transaction. Outcomes in input order.
   */
  issueMany(issues: readonly BillIssue[]): Promise<IssueResult[]>;
}

/** The bill exception queue (held bills), newest first. */
export interface HeldBillStore {
  getHeld(billId: string): Promise<HeldBill | undefined>;
  /** The OPEN records, newest first; with `reason`, only those held (also) for it. */
  listHeld(query: { reason?: string | undefined; limit: number; cursor?: string | undefined }): Promise<Page<HeldBill>>;
  /**
   * One transaction: the bill HELD -> ISSUED, its ledger entry, ledger key, history item and
   * peaks, the record OPEN -> RELEASED (out of the queue), the audit event, and a final bill's
   * account flag as issuing does. ConflictError when the bill is not HELD or the record not OPEN.
   */
  release(change: BillRelease): Promise<void>;
  /** One transaction: the bill HELD -> CANCELLED, the record OPEN -> CANCELLED, the audit event. ConflictError likewise. */
  cancel(change: BillCancel): Promise<void>;
}

export interface RunOutcome {
  runId: string;
  status: Exclude<RunStatus, 'RUNNING'>;
  finishedAt: string;
  counts?: RunCounts;
  errors?: AccountFailure[];
  failure?: { error: string; cause: string };
}

export interface RunStore {
  /** Writes a new run and its audit event in one transaction. */
  create(run: BillingRun, audit: AuditEvent): Promise<void>;
  get(runId: string): Promise<BillingRun | undefined>;
  /** Records how a run ended (and its audit event) in one transaction; BillingRunNotFound if there is no run. */
  finish(outcome: RunOutcome, audit: AuditEvent): Promise<void>;
}

/** The billing runs, newest first (GSI2 TYPE#RUN by start time; a Query, never a Scan). */
export interface RunListStore {
  list(limit: number, cursor?: string): Promise<Page<BillingRun>>;
}

/** Progress items of a run's segments: written when a segment starts and when it finishes. */
export interface RunProgressStore {
  /** Records the number of segments PlanSegments made (BillingRunNotFound when there is no run). */
  runPlanned(runId: string, segments: number): Promise<void>;
  segmentStarted(runId: string, segmentIndex: number, at: string): Promise<void>;
  segmentFinished(runId: string, result: SegmentResult, at: string): Promise<void>;
  listSegments(runId: string): Promise<SegmentProgress[]>;
}

export interface BillingWorkflow {
  /** Starts the billing state machine with execution name = runId. */
  start(input: { runId: string; cycle: string; periodStart: string; periodEnd: string }): Promise<void>;
}

export interface Clock {
  now(): Date;
}

export interface Logger {
  info(message: string, fields?: Record<string, unknown>): void;
  warn(message: string, fields?: Record<string, unknown>): void;
  error(message: string, fields?: Record<string, unknown>): void;
}
