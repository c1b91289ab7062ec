/**
 * Billing task: bill every account of one segment (a contiguous range of shards) for a cycle
 * and period. Each account gets one bill with a section per service agreement in the period,
 * rated by the rating engine from the meter's interval data (clipped to the agreement's dates),
 * the tariff's effective-dated versions, the meter size and service class, and the peaks of
 * earlier bills (ratchets). A meter without reads in the period is estimated from the account's
 * bill history, held or failed, as the utility configures. Every composed bill passes the bill
 * exception checks (against the account's history) before it is posted; a bill that fails one is
 * held for review instead, without posting. Per-account problems are counted with a reason, not
 * thrown; store failures that may pass are thrown as TransientStoreError so the state machine
 * retries the segment, which is safe: a bill that exists is never written again.
 */
import type { Account, Meter } from '../domain/accounts';
import type { DeliveredBill } from '../domain/bill-delivery';
import type { AuditEvent } from '../domain/audit';
import { estimatedInARow, estimateUsage, spreadOverHours, type MissingReadsPolicy } from '../domain/bill-estimates';
import { billExceptions, DEFAULT_BILL_EXCEPTION_LIMITS, heldBillOf, type BillExceptionLimits } from '../domain/bill-exceptions';
import {
  AccountNotBillable,
  assertValidPeriod,
  billIdFor,
  composeBill,
  DEFAULT_DUE_DAYS,
  demandHistoryOf,
  dueDateFor,
  servicePeriods,
  type AgreementPeak,
  type Bill,
  type BillHistoryEntry,
  type BillingPeriod,
  type BillService,
  type ServicePeriod,
} from '../domain/billing';
import { daysInclusive } from '../domain/calendar';
import { isMetered } from '../domain/customers/lifecycle';
import { ConflictError, InvalidInput, RuleViolation } from '../domain/errors';
import { ledgerEntryForBill } from '../domain/ledger';
import { rateBill, RatingError } from '../domain/rating/engine';
import type { TariffDocument } from '../domain/rating/schema';
import { usageFromIntervals, type StoredInterval } from '../domain/rating/usage';
import { MAX_SEGMENT_ERRORS, type SegmentResult } from '../domain/runs';
import { shardsOf, type Segment } from '../domain/segments';
import { addQuantities, formatMicro, InvalidQuantity, scaleQuantity } from '../domain/units';
import { mapLimit } from './concurrency';
import { CorruptRecord, TransientStoreError } from './errors';
import type { AccountStore, AgreementStore, BillIssue, BillStore, Clock, IntervalReader, Logger, MeterStore, RunProgressStore, TariffStore } from './ports';

/** Accounts of a segment prepared (agreements and reads queried, rated) in parallel. */
export const DEFAULT_ACCOUNT_CONCURRENCY = 8;
/** Accounts handled together: one BatchGet of their bills, one of their meters, shared transactions. */
export const DEFAULT_CHUNK_ACCOUNTS = 50;
/** Shards of a segment listed in parallel. */
const SHARD_CONCURRENCY = 8;
/** Earlier bills the high and low checks average (the most recent ones). */
export const HISTORY_BILLS = 12;
/** Cancelled revisions of one account's bill for a period before the account fails `too-many-cancellations`. */
export const MAX_BILL_REVISIONS = 10;
/** What a meter without reads gets when the utility does not say. */
export const DEFAULT_MISSING_READS: MissingReadsPolicy = 'estimate';

export interface BillSegmentDeps {
  accounts: AccountStore;
  agreements: AgreementStore;
  meters: MeterStore;
  reads: IntervalReader;
  tariffs: TariffStore;
  bills: BillStore;
  clock: Clock;
  log: Logger;
  /** The utility's IANA time zone (issue date -> due date). */
  timeZone: string;
  /** Days from the issue date to the due date (default 21). */
  dueDays?: number;
  /** Accounts prepared in parallel within a segment. */
  concurrency?: number;
  /** Accounts per chunk (default 50). */
  chunkAccounts?: number;
  /**
   * Called per chunk with the bills issued now and those found issued (a re-run), after they
   * were written: budget billing posts its entries here (idempotent per bill).
   */
  afterIssue?: (bills: ReadonlyArray<DeliveredBill>) => Promise<unknown>;
  /**
   * Announces this run's posted bills for delivery (after afterIssue): those issued now, and on a
   * retried segment those the same run issued before it stopped. A later run's bills are not
   * announced again.
   */
  deliver?: ((bills: ReadonlyArray<DeliveredBill>) => Promise<unknown>) | undefined;
  /** The bill exception checks' limits (default DEFAULT_BILL_EXCEPTION_LIMITS). */
  limits?: BillExceptionLimits;
  /** A metered service without reads: estimate (hold without history), hold, or fail the account (default estimate). */
  missingReads?: MissingReadsPolicy;
  /** Where the segment records its progress when it starts and finishes (absent: not recorded). */
  progress?: RunProgressStore;
}

export interface BillSegmentInput extends BillingPeriod {
  runId: string;
  segment: Segment;
}

type AccountOutcome = { outcome: 'billed' | 'held' | 'skipped' } | { outcome: 'failed'; reason: string };

/** What the accounts of one segment share: the run, the issue instant and date, and the tariffs read once. */
interface SegmentContext {
  input: BillSegmentInput;
  issuedAt: string;
  dueDate: string;
  limits: BillExceptionLimits;
  missingReads: MissingReadsPolicy;
  tariffOf: (tariffId: string) => Promise<TariffDocument | undefined>;
}

/**
 * Lists the accounts of the segment's shards (in parallel), then bills them chunk by chunk:
 * per chunk one BatchGet finds the bills that exist already (a re-run or a retried segment),
 * the other accounts' agreements are queried, their meters read with one BatchGet, each
 * service rated from its intervals, and the bills issued (several per transaction, each bill
 * with its ledger entry and audit event).
 */
export async function billSegment(deps: BillSegmentDeps, input: BillSegmentInput): Promise<SegmentResult> {
  assertValidPeriod(input.periodStart, input.periodEnd);
  const result: SegmentResult = { segmentIndex: input.segment.segmentIndex, billed: 0, held: 0, skipped: 0, failed: 0, errors: [] };
  const issuedAt = deps.clock.now().toISOString();
  await deps.progress?.segmentStarted(input.runId, input.segment.segmentIndex, issuedAt);
  const tariffs = new Map<string, Promise<TariffDocument | undefined>>();
  const tariffOf = (tariffId: string) => {
    let tariff = tariffs.get(tariffId);
    if (!tariff) {
      tariff = deps.tariffs.get(tariffId);
      tariffs.set(tariffId, tariff);
    }
    return tariff;
  };
  const context: SegmentContext = {
    input,
    issuedAt,
    dueDate: dueDateFor(issuedAt, deps.timeZone, deps.dueDays ?? DEFAULT_DUE_DAYS),
    limits: deps.limits ?? DEFAULT_BILL_EXCEPTION_LIMITS,
    missingReads: deps.missingReads ?? DEFAULT_MISSING_READS,
    tariffOf,
  };
  const pages = await mapLimit(shardsOf(input.segment), SHARD_CONCURRENCY, async (shard) => {
    const accounts: Account[] = [];
    let cursor: string | undefined;
    do {
      const page = await deps.accounts.listByShard(input.cycle, shard, cursor);
      accounts.push(...page.items);
      cursor = page.nextCursor;
    } while (cursor);
    return accounts;
  });
  const accounts = pages.flat();
  const size = deps.chunkAccounts ?? DEFAULT_CHUNK_ACCOUNTS;
  for (let offset = 0; offset < accounts.length; offset += size) {
    const chunk = accounts.slice(offset, offset + size);
    const outcomes = await billChunk(deps, context, chunk);
    outcomes.forEach((outcome, index) => {
      if (outcome.outcome !== 'failed') {
        result[outcome.outcome]++;
        return;
      }
      result.failed++;
      if (result.errors.length < MAX_SEGMENT_ERRORS) result.errors.push({ accountId: chunk[index]?.accountId ?? '?', reason: outcome.reason });
    });
  }
  deps.log.info('segment billed', { runId: input.runId, ...result, errors: result.errors.length });
  await deps.progress?.segmentFinished(input.runId, result, deps.clock.now().toISOString());
  return result;
}

/** An account ready to rate: its service periods, peaks, bill history and the revision its bill gets, or already decided. */
type Planned = { account: Account; periods: ServicePeriod[]; peaks: AgreementPeak[]; history: BillHistoryEntry[]; revision: number } | AccountOutcome;
type Prepared = { issue: BillIssue } | AccountOutcome;

/** The outcome of an account whose bill for the period exists: this run's bill counts as billed or held, another run's as skipped. */
function existingOutcome(bill: Pick<Bill, 'runId' | 'status'>, runId: string): AccountOutcome {
  if (bill.runId !== runId) return { outcome: 'skipped' };
  return { outcome: bill.status === 'HELD' ? 'held' : 'billed' };
}

/**
 * The current bill of each account for the period: the bill of revision 1 and, after a cancelled
 * one, the next revision's (a cancelled held bill bills again). Undefined `bill`: none yet, to be
 * written with `revision`.
 */
async function currentBills(deps: BillSegmentDeps, chunk: readonly Account[], input: BillSegmentInput): Promise<Array<{ bill?: Bill; revision: number } | { tooMany: true }>> {
  const { cycle, periodStart, periodEnd } = input;
  const current: Array<{ bill?: Bill; revision: number } | { tooMany: true }> = chunk.map(() => ({ revision: 1 }));
  let pending = chunk.map((_, index) => index);
  for (let revision = 1; pending.length > 0; revision++) {
    if (revision > MAX_BILL_REVISIONS) {
      for (const index of pending) current[index] = { tooMany: true };
      break;
    }
    const ids = pending.map((index) => billIdFor(chunk[index]!.accountId, cycle, periodStart, periodEnd, revision));
    const found = await deps.bills.getMany(pending.map((index, i) => ({ accountId: chunk[index]!.accountId, periodStart, billId: ids[i]! })));
    const next: number[] = [];
    pending.forEach((index, i) => {
      const bill = found.get(ids[i]!);
      if (!bill) current[index] = { revision };
      else if (bill.status === 'CANCELLED') next.push(index);
      else current[index] = { bill, revision };
    });
    pending = next;
  }
  return current;
}

async function billChunk(deps: BillSegmentDeps, context: SegmentContext, chunk: readonly Account[]): Promise<AccountOutcome[]> {
  const { runId, periodStart, periodEnd } = context.input;
  const concurrency = deps.concurrency ?? DEFAULT_ACCOUNT_CONCURRENCY;
  const current = await currentBills(deps, chunk, context.input);

  const planned = await mapLimit(chunk, concurrency, async (account, index): Promise<Planned> => {
    const state = current[index]!;
    if ('tooMany' in state) return failedOutcome(deps, runId, account, new AccountNotBillable('too-many-cancellations', `the bill of account ${account.accountId} for ${periodStart}..${periodEnd} was cancelled ${MAX_BILL_REVISIONS} times`));
    if (state.bill) return existingOutcome(state.bill, runId);
    try {
      const { agreements, peaks, history = [] } = await deps.agreements.listForBilling(account.accountId);
      if (agreements.length === 0) {
        if (account.status !== 'ACTIVE') return { outcome: 'skipped' };
        throw new AccountNotBillable('no-agreements', `account ${account.accountId} has no service agreements`);
      }
      const periods = servicePeriods(agreements, periodStart, periodEnd);
      if (periods.length === 0) return { outcome: 'skipped' };
      return { account, periods, peaks, history: history.filter((entry) => entry.periodEnd < periodStart), revision: state.revision };
    } catch (error) {
      return failedOutcome(deps, runId, account, error);
    }
  });
  const meterIds = [...new Set(planned.flatMap((plan) => ('periods' in plan ? plan.periods.flatMap((period) => (period.agreement.meterId ? [period.agreement.meterId] : [])) : [])))];
  const meters = new Map((meterIds.length > 0 ? await deps.meters.getMany(meterIds) : []).map((meter) => [meter.meterId, meter]));

  const prepared = await mapLimit(planned, concurrency, async (plan): Promise<Prepared> => {
    if (!('periods' in plan)) return plan;
    try {
      return { issue: await prepareBill(deps, context, plan, meters) };
    } catch (error) {
      return failedOutcome(deps, runId, plan.account, error);
    }
  });
  const issues = prepared.flatMap((item) => ('issue' in item ? [item.issue] : []));
  const issued = issues.length > 0 ? await deps.bills.issueMany(issues) : [];
  if (deps.afterIssue || deps.deliver) {
    const found = issued.flatMap((outcome) => (!outcome.issued && 'existing' in outcome && outcome.existing ? [outcome.existing] : []));
    // Only posted bills: a held bill has no ledger entry until it is released (the release applies it).
    const written = [...current.flatMap((state) => ('bill' in state && state.bill ? [state.bill] : [])), ...found, ...issues.filter((_, index) => issued[index]?.issued).map((issue) => issue.bill)].filter((bill) => bill.status === 'ISSUED');
    if (written.length > 0 && deps.afterIssue) await deps.afterIssue(written);
    const ofThisRun = written.filter((bill) => bill.runId === runId);
    if (ofThisRun.length > 0 && deps.deliver) await deps.deliver(ofThisRun);
  }
  let next = 0;
  return prepared.map((item, index) => {
    if (!('issue' in item)) return item;
    const outcome = issued[next++];
    if (!outcome) throw new Error(`issueMany gave no outcome for bill ${item.issue.bill.billId}`);
    if (outcome.issued) return { outcome: item.issue.bill.status === 'HELD' ? 'held' : 'billed' };
    if ('error' in outcome) {
      if (outcome.error instanceof TransientStoreError) throw outcome.error;
      return failedOutcome(deps, runId, chunk[index]!, outcome.error);
    }
    return outcome.existing ? existingOutcome(outcome.existing, runId) : { outcome: 'skipped' };
  });
}

async function prepareBill(deps: BillSegmentDeps, context: SegmentContext, plan: Extract<Planned, { periods: ServicePeriod[] }>, meters: Map<string, Meter>): Promise<BillIssue> {
  const { runId, cycle, periodStart, periodEnd } = context.input;
  const { account, periods, peaks, history, revision } = plan;
  const services = await Promise.all(periods.map((period) => billService(deps, context, period, meters, peaks, history).catch((error: unknown) => unbillableService(error, period))));
  const composed = composeBill({ account, services, cycle, periodStart, periodEnd, runId, issuedAt: context.issuedAt, dueDate: context.dueDate, revision });
  // Built for every rated bill, held or not: a bill the ledger refuses (a credit) fails now, not at release.
  const unbillable = services.some((service) => service.unbillable);
  const entry = unbillable ? undefined : ledgerEntryForBill(composed, context.issuedAt);
  const recent = [...history].sort((a, b) => (a.periodStart < b.periodStart ? 1 : -1)).slice(0, HISTORY_BILLS);
  const holds = billExceptions(composed, { previousTotals: recent.map((previous) => previous.total), estimatedInARow: estimatedInARow(history) }, context.limits);
  const details = { billId: composed.billId, runId, total: composed.total, periodStart, periodEnd, dueDate: composed.dueDate, services: services.length, finalBill: composed.finalBill, estimated: composed.estimated === true, revision };
  if (holds.length > 0) {
    const bill: Bill = { ...composed, status: 'HELD', holds: holds.map((hold) => ({ reason: hold.reason, message: hold.message })) };
    const audit: AuditEvent = { eventId: bill.billId, entityType: 'ACCOUNT', entityId: account.accountId, at: context.issuedAt, actor: `billing-run:${runId}`, action: 'bill.held', details: { ...details, reasons: holds.map((hold) => hold.reason).join(',') } };
    return { bill, audit, held: heldBillOf(bill, holds, context.issuedAt) };
  }
  const audit: AuditEvent = { eventId: composed.billId, entityType: 'ACCOUNT', entityId: account.accountId, at: context.issuedAt, actor: `billing-run:${runId}`, action: 'bill.issued', details };
  return { bill: composed, entry: entry!, audit };
}

/**
 * Rates one account for a period as the given revision, with the same rating and exception checks
 * as a run (cancel-and-rebill). Throws AccountNotBillable (and the rating errors) instead of
 * counting them. The peaks of the bill being replaced are left out, so its own corrected usage
 * sets the ratchet again.
 */
export async function prepareAccountBill(deps: BillSegmentDeps, input: BillingPeriod & { runId: string }, account: Account, revision: number, replacing?: string): Promise<BillIssue> {
  assertValidPeriod(input.periodStart, input.periodEnd);
  const issuedAt = deps.clock.now().toISOString();
  const context: SegmentContext = {
    input: { ...input, segment: { segmentIndex: 0, shardFrom: 0, shardTo: 0 } },
    issuedAt,
    dueDate: dueDateFor(issuedAt, deps.timeZone, deps.dueDays ?? DEFAULT_DUE_DAYS),
    limits: deps.limits ?? DEFAULT_BILL_EXCEPTION_LIMITS,
    missingReads: deps.missingReads ?? DEFAULT_MISSING_READS,
    tariffOf: (tariffId) => deps.tariffs.get(tariffId),
  };
  const { agreements, peaks, history = [] } = await deps.agreements.listForBilling(account.accountId);
  const periods = servicePeriods(agreements, input.periodStart, input.periodEnd);
  if (periods.length === 0) throw new AccountNotBillable('no-agreements', `account ${account.accountId} has no service agreements in ${input.periodStart}..${input.periodEnd}`);
  const meterIds = [...new Set(periods.flatMap((period) => (period.agreement.meterId ? [period.agreement.meterId] : [])))];
  const meters = new Map((meterIds.length > 0 ? await deps.meters.getMany(meterIds) : []).map((meter) => [meter.meterId, meter]));
  return prepareBill(deps, context, { account, periods, peaks: peaks.filter((peak) => peak.billId !== replacing), history: history.filter((entry) => entry.periodEnd < input.periodStart), revision }, meters);
}

/** Problems of the record that staff correct: the service is held for review instead of failing the account. */
export const REVIEWABLE_REASONS: ReadonlySet<string> = new Set(['tariff-not-found', 'meter-not-found', 'unit-mismatch']);

/** UNITS of the section of a service that could not be rated (its usage is 0 in the unit its service is measured in). */
const SERVICE_UNITS: Record<string, string> = { electric: 'kWh', water: 'gal', gas: 'therm', sewer: 'gal', stormwater: 'gal' };

/** A section without lines for an agreement whose tariff or meter is missing (held for review); other errors are rethrown. */
function unbillableService(error: unknown, period: ServicePeriod): BillService {
  if (!(error instanceof AccountNotBillable) || !REVIEWABLE_REASONS.has(error.reason)) throw error;
  const { agreement, from, to } = period;
  return {
    agreementId: agreement.agreementId,
    serviceType: agreement.serviceType,
    servicePointId: agreement.servicePointId,
    premiseId: agreement.premiseId,
    ...(agreement.meterId ? { meterId: agreement.meterId } : {}),
    tariffId: agreement.tariffId,
    tariffName: agreement.tariffId,
    periodStart: from,
    periodEnd: to,
    usage: { quantity: '0', unit: SERVICE_UNITS[agreement.serviceType] ?? 'kWh' },
    finalBill: period.finalBill,
    lines: [],
    subtotal: '0.00',
    unbillable: { reason: error.reason, message: error.message },
  };
}

/** A per-account failure as an outcome with its reason; store failures that may pass are rethrown (the segment is retried). */
function failedOutcome(deps: BillSegmentDeps, runId: string, account: Account, error: unknown): AccountOutcome {
  if (error instanceof TransientStoreError) throw error;
  const reason = reasonOf(error);
  if (reason.startsWith('unexpected')) deps.log.error('account could not be billed', { runId, accountId: account.accountId, error: describe(error) });
  else deps.log.info('account not billed', { runId, accountId: account.accountId, reason, message: describe(error) });
  return { outcome: 'failed', reason };
}

/** Rates one agreement's share of the period: its meter's intervals (multiplier applied) on the agreement's days, with its tariff. */
async function billService(deps: BillSegmentDeps, context: SegmentContext, period: ServicePeriod, meters: Map<string, Meter>, peaks: readonly AgreementPeak[], history: readonly BillHistoryEntry[]): Promise<BillService> {
  const { agreement, from, to } = period;
  const tariff = await context.tariffOf(agreement.tariffId);
  if (!tariff) throw new AccountNotBillable('tariff-not-found', `tariff ${agreement.tariffId} of agreement ${agreement.agreementId} does not exist`);
  let meter: Meter | undefined;
  let usageMicro = 0;
  let intervals: StoredInterval[] = [];
  let estimate: Pick<BillService, 'estimated' | 'estimateMethod'> = {};
  if (agreement.meterId) {
    meter = meters.get(agreement.meterId);
    if (!meter) throw new AccountNotBillable('meter-not-found', `meter ${agreement.meterId} of agreement ${agreement.agreementId} does not exist`);
    if (meter.unit !== tariff.unit) throw new AccountNotBillable('unit-mismatch', `meter ${meter.meterId} measures ${meter.unit} but tariff ${tariff.tariffId} prices ${tariff.unit}`);
    const days = await deps.reads.listDayIntervals(meter.meterId, from, to);
    if (days.length === 0) {
      if (context.missingReads === 'fail') throw new AccountNotBillable('no-reads', `meter ${meter.meterId} has no reads for ${from}..${to} (estimation required)`);
      const estimated = context.missingReads === 'estimate' ? estimateUsage(history, agreement.agreementId, meter.unit, from, to) : undefined;
      usageMicro = estimated?.quantityMicro ?? 0;
      intervals = usageMicro > 0 ? spreadOverHours(usageMicro, from, to, tariff.timeZone) : [];
      estimate = { estimated: true, estimateMethod: estimated?.method ?? 'none' };
    }
    for (const day of days) {
      if (day.unit !== meter.unit) throw new AccountNotBillable('unit-mismatch', `reads of meter ${meter.meterId} on ${day.day} are in ${day.unit}`);
      for (const interval of day.intervals) {
        const scaled = meter.multiplier === 1 ? interval.quantityMicro : scaleQuantity(interval.quantityMicro, meter.multiplier);
        usageMicro = addQuantities(usageMicro, scaled);
        intervals.push(scaled === interval.quantityMicro ? interval : { ...interval, quantityMicro: scaled });
      }
    }
  } else if (isMetered(agreement.serviceType)) {
    throw new AccountNotBillable('meter-not-found', `${agreement.serviceType} agreement ${agreement.agreementId} has no meter`);
  }
  let usage;
  try {
    usage = usageFromIntervals(intervals, tariff.timeZone);
  } catch (error) {
    if (error instanceof InvalidInput) throw new AccountNotBillable('overlapping-reads', `meter ${meter?.meterId ?? '?'}: ${error.message}`);
    throw error;
  }
  const rated = rateBill(tariff, usage, from, to, {
    fullPeriodDays: daysInclusive(context.input.periodStart, context.input.periodEnd),
    serviceClass: agreement.serviceClass,
    ...(meter?.size ? { meterSize: meter.size } : {}),
    demandHistory: demandHistoryOf(peaks, agreement.agreementId),
  });
  return {
    agreementId: agreement.agreementId,
    serviceType: agreement.serviceType,
    servicePointId: agreement.servicePointId,
    premiseId: agreement.premiseId,
    ...(meter ? { meterId: meter.meterId } : {}),
    tariffId: tariff.tariffId,
    tariffName: tariff.name,
    periodStart: from,
    periodEnd: to,
    usage: { quantity: formatMicro(usageMicro), unit: meter?.unit ?? tariff.unit },
    ...(meter && tariff.unit === 'kWh' && !estimate.estimated ? { peakKw: rated.peakKw } : {}),
    finalBill: period.finalBill,
    lines: rated.lines,
    subtotal: rated.total,
    ...estimate,
  };
}

function reasonOf(error: unknown): string {
  if (error instanceof RatingError) return 'rating-error';
  if (error instanceof RuleViolation) return error.reason;
  if (error instanceof InvalidQuantity) return 'usage-overflow';
  if (error instanceof CorruptRecord) return 'corrupt-record';
  if (error instanceof ConflictError) return 'conflict';
  return `unexpected-${error instanceof Error ? error.name : 'error'}`;
}

function describe(error: unknown): string {
  return error instanceof Error ? `${error.name}: ${error.message}` : String(error);
}
