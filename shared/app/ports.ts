/**
 * What the use cases need from the outside world. Adapters (shared/adapters) implement these
 * with DynamoDB and Step Functions; tests may implement them with fakes.
 */
import type { Account, Meter } from '../domain/accounts';
import type { AuditEvent } from '../domain/audit';
import type { AgreementPeak, Bill } from '../domain/billing';
import type { Agreement } from '../domain/customers/model';
import type { LedgerEntry } from '../domain/ledger';
import type { DayReads } from '../domain/reads';
import type { BillingRun, RunStatus, AccountFailure, RunCounts } from '../domain/runs';
import type { TariffUpdate } from '../domain/rating/history';
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
}

/** What billing reads of an account's service agreements: the agreements and the peaks earlier bills stored. */
export interface AgreementStore {
  listForBilling(accountId: string): Promise<{ agreements: Agreement[]; peaks: AgreementPeak[] }>;
}

export type IssueOutcome = { issued: true } | { issued: false; existing: Bill | undefined };

/** A bill to issue with its ledger entry and audit event (written together or not at all). */
export interface BillIssue {
  bill: Bill;
  entry: LedgerEntry;
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
