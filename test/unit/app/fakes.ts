/** In-memory implementations of the use-case ports, for use-case tests. */
import type { AccountStore, AgreementStore, BillCancel, BillIssue, BillKey, BillRelease, BillStore, Clock, HeldBillStore, IntervalReader, IssueOutcome, IssueResult, Logger, MeterStore, Page, ReadStore, RunOutcome, RunProgressStore, RunStore, StoredTariff, TariffStore } from '../../../shared/app/ports';
import { BillingRunNotFound, BillNotHeld, VersionConflict } from '../../../shared/app/errors';
import type { HeldBill } from '../../../shared/domain/bill-exceptions';
import type { Account, Meter } from '../../../shared/domain/accounts';
import type { AuditEvent } from '../../../shared/domain/audit';
import { historyEntryOf, peaksOfBill, type AgreementPeak, type Bill, type BillHistoryEntry } from '../../../shared/domain/billing';
import type { Agreement } from '../../../shared/domain/customers/model';
import type { TariffCorrection, TariffUpdate } from '../../../shared/domain/rating/history';
import type { TariffDocument } from '../../../shared/domain/rating/schema';
import type { LedgerEntry } from '../../../shared/domain/ledger';
import type { DayReads } from '../../../shared/domain/reads';
import type { BillingRun, SegmentProgress, SegmentResult } from '../../../shared/domain/runs';

export const clockAt = (iso: string): Clock => ({ now: () => new Date(iso) });

export function silentLogger(): Logger & { lines: Array<{ level: string; message: string; fields?: Record<string, unknown> }> } {
  const lines: Array<{ level: string; message: string; fields?: Record<string, unknown> }> = [];
  return {
    lines,
    info: (message, fields) => lines.push({ level: 'info', message, ...(fields ? { fields } : {}) }),
    warn: (message, fields) => lines.push({ level: 'warn', message, ...(fields ? { fields } : {}) }),
    error: (message, fields) => lines.push({ level: 'error', message, ...(fields ? { fields } : {}) }),
  };
}

export class MemoryAccounts implements AccountStore {
  constructor(readonly accounts: Account[] = []) {}
  async get(id: string) {
    return this.accounts.find((a) => a.accountId === id);
  }
  async getMany(ids: readonly string[]) {
    return ids.flatMap((id) => this.accounts.filter((a) => a.accountId === id));
  }
  async list(limit: number, cursor?: string): Promise<Page<Account>> {
    const sorted = [...this.accounts].sort((a, b) => a.accountId.localeCompare(b.accountId));
    const from = cursor ? Number(cursor) : 0;
    const items = sorted.slice(from, from + limit);
    return { items, ...(from + limit < sorted.length ? { nextCursor: String(from + limit) } : {}) };
  }
  async listByShard(cycle: string, shard: number, cursor?: string): Promise<Page<Account>> {
    const all = this.accounts.filter((a) => a.cycle === cycle && a.shard === shard);
    const from = cursor ? Number(cursor) : 0;
    const items = all.slice(from, from + 2);
    return { items, ...(from + 2 < all.length ? { nextCursor: String(from + 2) } : {}) };
  }
  async listIdsOfCustomer(customerId: string) {
    return this.accounts.filter((a) => a.customerId === customerId).map((a) => a.accountId);
  }
}

export class MemoryMeters implements MeterStore {
  constructor(readonly meters: Meter[] = []) {}
  async get(id: string) {
    return this.meters.find((m) => m.meterId === id);
  }
  async getMany(ids: readonly string[]) {
    return ids.flatMap((id) => this.meters.filter((m) => m.meterId === id));
  }
}

export class MemoryReads implements ReadStore, IntervalReader {
  readonly days = new Map<string, DayReads>();
  writes = 0;
  /** Versions to bump behind the writer's back before its next save (simulates a concurrent writer). */
  interfere = 0;
  async getDay(meterId: string, day: string) {
    const stored = this.days.get(`${meterId}/${day}`);
    return stored ? structuredClone(stored) : undefined;
  }
  async saveDay(day: DayReads, expectedVersion: number | undefined) {
    const key = `${day.meterId}/${day.day}`;
    if (this.interfere > 0) {
      this.interfere--;
      const current = this.days.get(key);
      if (current) current.version++;
      else this.days.set(key, { ...structuredClone(day), intervals: {}, version: 1 });
    }
    if (this.days.get(key)?.version !== expectedVersion) throw new VersionConflict('changed');
    this.days.set(key, structuredClone(day));
    this.writes++;
  }
  async listDays(meterId: string, fromDay: string, toDay: string) {
    return [...this.days.values()].filter((d) => d.meterId === meterId && d.day >= fromDay && d.day <= toDay).sort((a, b) => a.day.localeCompare(b.day));
  }
  async listDayIntervals(meterId: string, fromDay: string, toDay: string) {
    return (await this.listDays(meterId, fromDay, toDay)).map((d) => ({
      day: d.day,
      unit: d.unit,
      intervals: Object.entries(d.intervals).map(([start, [quantityMicro, durationSec]]) => ({ startEpochSec: Number(start), durationSec, quantityMicro })),
    }));
  }
}

export class MemoryTariffs implements TariffStore {
  readonly stored = new Map<string, StoredTariff>();
  readonly audit: AuditEvent[] = [];
  gets = 0;
  constructor(tariffs: TariffDocument[] = []) {
    for (const doc of tariffs) this.stored.set(doc.tariffId, { doc, revision: 1 });
  }
  async get(id: string) {
    this.gets++;
    return this.stored.get(id)?.doc;
  }
  async getStored(id: string) {
    return this.stored.get(id);
  }
  async save(update: TariffUpdate, expectedRevision: number | undefined, audit: AuditEvent) {
    if (this.stored.get(update.doc.tariffId)?.revision !== expectedRevision) throw new VersionConflict('changed');
    this.stored.set(update.doc.tariffId, { doc: update.doc, revision: (expectedRevision ?? 0) + 1 });
    this.audit.push(audit);
  }
  async correct(correction: TariffCorrection, expectedRevision: number, audit: AuditEvent) {
    if (this.stored.get(correction.doc.tariffId)?.revision !== expectedRevision) throw new VersionConflict('changed');
    this.stored.set(correction.doc.tariffId, { doc: correction.doc, revision: expectedRevision + 1 });
    this.audit.push(audit);
  }
}

/** Agreements by account; the peaks are those the bills of `bills` stored. */
export class MemoryAgreements implements AgreementStore {
  constructor(
    readonly agreements: Agreement[] = [],
    private readonly bills?: MemoryBills,
  ) {}
  async listForBilling(accountId: string) {
    return {
      agreements: this.agreements.filter((a) => a.accountId === accountId),
      peaks: (this.bills?.peaks ?? []).filter((p) => this.agreements.some((a) => a.accountId === accountId && a.agreementId === p.agreementId)),
      history: (this.bills?.history ?? []).filter((h) => h.accountId === accountId).map(({ accountId: _, ...entry }) => entry),
    };
  }
}

/** Bills as the DynamoDB store keeps them: an ISSUED bill with its ledger entry, history and peaks; a HELD one with its review record only. */
export class MemoryBills implements BillStore, HeldBillStore {
  readonly bills = new Map<string, Bill>();
  readonly ledger: LedgerEntry[] = [];
  readonly audit: AuditEvent[] = [];
  readonly peaks: AgreementPeak[] = [];
  readonly history: Array<BillHistoryEntry & { accountId: string }> = [];
  readonly held = new Map<string, HeldBill>();
  async get(accountId: string, periodStart: string, billId: string) {
    const bill = this.bills.get(`${accountId}/${periodStart}/${billId}`);
    return bill ? structuredClone(bill) : undefined;
  }
  async listForAccount(accountId: string, limit: number): Promise<Page<Bill>> {
    return { items: [...this.bills.values()].filter((b) => b.accountId === accountId).slice(0, limit) };
  }
  async issue(bill: Bill, entry: LedgerEntry, audit: AuditEvent): Promise<IssueOutcome> {
    return this.write({ bill, entry, audit });
  }
  private post(bill: Bill, entry: LedgerEntry) {
    if (this.ledger.some((e) => e.accountId === entry.accountId && e.idempotencyKey === entry.idempotencyKey)) throw new Error(`ledger key ${entry.idempotencyKey} exists`);
    this.ledger.push(entry);
    this.history.push({ accountId: bill.accountId, ...historyEntryOf(bill) });
    this.peaks.push(...peaksOfBill(bill));
  }
  private async write({ bill, entry, audit, held }: BillIssue): Promise<IssueOutcome> {
    const key = `${bill.accountId}/${bill.periodStart}/${bill.billId}`;
    const existing = this.bills.get(key);
    if (existing) return { issued: false, existing };
    if (bill.status === 'HELD') {
      if (!held) throw new Error('held bill without its record');
      this.held.set(bill.billId, structuredClone(held));
    } else {
      if (!entry) throw new Error('issued bill without its entry');
      this.post(bill, entry);
    }
    this.bills.set(key, structuredClone(bill));
    this.audit.push(audit);
    return { issued: true };
  }
  async getMany(keys: readonly BillKey[]) {
    return new Map(keys.flatMap((key) => this.bills.get(`${key.accountId}/${key.periodStart}/${key.billId}`) ?? []).map((bill) => [bill.billId, bill]));
  }
  /** One call per batch (as a transaction of several bills), outcomes in order. */
  readonly batches: number[] = [];
  async issueMany(issues: readonly BillIssue[]): Promise<IssueResult[]> {
    this.batches.push(issues.length);
    const results: IssueResult[] = [];
    for (const issue of issues) {
      try {
        results.push(issue.bill.status === 'HELD' ? await this.write(issue) : await this.issue(issue.bill, issue.entry!, issue.audit));
      } catch (error) {
        results.push({ issued: false, error });
      }
    }
    return results;
  }
  async getHeld(billId: string) {
    const held = this.held.get(billId);
    return held ? structuredClone(held) : undefined;
  }
  async listHeld(query: { reason?: string | undefined; limit: number }): Promise<Page<HeldBill>> {
    const open = [...this.held.values()].filter((h) => h.status === 'OPEN' && (!query.reason || h.holds.some((hold) => hold.reason === query.reason)));
    return { items: open.sort((a, b) => (a.heldAt < b.heldAt ? 1 : -1)).slice(0, query.limit) };
  }
  /** Conditions as the transaction's: the bill still HELD and the record still OPEN, else nothing is written. */
  private resolve(bill: Bill, exception: HeldBill) {
    const key = `${bill.accountId}/${bill.periodStart}/${bill.billId}`;
    if (this.bills.get(key)?.status !== 'HELD' || this.held.get(bill.billId)?.status !== 'OPEN') throw new BillNotHeld(`bill ${bill.billId} is not held`);
    return key;
  }
  async release({ bill, entry, exception, audit }: BillRelease) {
    const key = this.resolve(bill, exception);
    this.post(bill, entry);
    this.bills.set(key, structuredClone(bill));
    this.held.set(bill.billId, structuredClone(exception));
    this.audit.push(audit);
  }
  async cancel({ bill, exception, audit }: BillCancel) {
    const key = this.resolve(bill, exception);
    this.bills.set(key, structuredClone(bill));
    this.held.set(bill.billId, structuredClone(exception));
    this.audit.push(audit);
  }
}

export class MemoryRuns implements RunStore, RunProgressStore {
  readonly runs = new Map<string, BillingRun>();
  readonly segments = new Map<string, SegmentProgress>();
  async runPlanned(runId: string, segments: number) {
    const run = this.runs.get(runId);
    if (!run) throw new BillingRunNotFound(runId);
    run.plannedSegments = segments;
  }
  async segmentStarted(runId: string, segmentIndex: number, at: string) {
    const key = `${runId}/${segmentIndex}`;
    const known = this.segments.get(key);
    this.segments.set(key, { segmentIndex, status: 'RUNNING', attempts: (known?.attempts ?? 0) + 1, startedAt: known?.startedAt ?? at });
  }
  async segmentFinished(runId: string, result: SegmentResult, at: string) {
    const key = `${runId}/${result.segmentIndex}`;
    const known = this.segments.get(key);
    const { billed, held, skipped, failed } = result;
    this.segments.set(key, { segmentIndex: result.segmentIndex, status: 'DONE', attempts: known?.attempts ?? 1, startedAt: known?.startedAt ?? at, finishedAt: at, counts: { billed, held, skipped, failed } });
  }
  async listSegments(runId: string) {
    return [...this.segments.entries()].filter(([key]) => key.startsWith(`${runId}/`)).map(([, segment]) => structuredClone(segment));
  }
  readonly audit: AuditEvent[] = [];
  finishes = 0;
  async create(run: BillingRun, audit: AuditEvent) {
    if (this.runs.has(run.runId)) throw new Error('exists');
    this.runs.set(run.runId, structuredClone(run));
    this.audit.push(audit);
  }
  async get(runId: string) {
    const run = this.runs.get(runId);
    return run ? structuredClone(run) : undefined;
  }
  async finish(outcome: RunOutcome, audit: AuditEvent) {
    const run = this.runs.get(outcome.runId);
    if (!run) throw new BillingRunNotFound(outcome.runId);
    Object.assign(run, { status: outcome.status, finishedAt: outcome.finishedAt }, outcome.counts ? { counts: outcome.counts } : {}, outcome.errors ? { errors: outcome.errors } : {}, outcome.failure ? { failure: outcome.failure } : {});
    this.audit.push(audit);
    this.finishes++;
  }
}
