/**
 * What the use cases need from the outside world. Adapters (shared/adapters) implement these
 * with DynamoDB and Step Functions; tests may implement them with fakes.
 */
import type { Account, Meter } from '../domain/accounts';
import type { AuditEvent } from '../domain/audit';
import type { Bill } from '../domain/billing';
import type { LedgerEntry } from '../domain/ledger';
import type { DayReads } from '../domain/reads';
import type { BillingRun, RunStatus, AccountFailure, RunCounts } from '../domain/runs';
import type { Tariff } from '../domain/tariff';

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

export interface TariffStore {
  get(tariffId: string): Promise<Tariff | undefined>;
}

export type IssueOutcome = { issued: true } | { issued: false; existing: Bill | undefined };

export interface BillStore {
  get(accountId: string, periodStart: string, billId: string): Promise<Bill | undefined>;
  listForAccount(accountId: string, limit: number, cursor?: string): Promise<Page<Bill>>;
  /** Writes bill, ledger entry and audit event in one transaction unless the bill exists. */
  issue(bill: Bill, entry: LedgerEntry, audit: AuditEvent): Promise<IssueOutcome>;
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
