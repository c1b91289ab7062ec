/**
 * Billing task: bill every account of one segment (a contiguous range of shards) for a cycle
 * and period. Each account gets one bill with a section per service agreement in the period,
 * rated by the rating engine from the meter's interval data (clipped to the agreement's dates),
 * the tariff's effective-dated versions, the meter size and service class, and the peaks of
 * earlier bills (ratchets). Per-account problems are counted with a reason, not thrown; store
 * failures that may pass are thrown as TransientStoreError so the state machine retries the
 * segment, which is safe: a bill that exists is never written again.
 */
import type { Account, Meter } from '../domain/accounts';
import type { AuditEvent } from '../domain/audit';
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
import type { AccountStore, AgreementStore, BillStore, Clock, Logger, MeterStore, ReadStore, TariffStore } from './ports';

export const DEFAULT_ACCOUNT_CONCURRENCY = 8;

export interface BillSegmentDeps {
  accounts: AccountStore;
  agreements: AgreementStore;
  meters: MeterStore;
  reads: ReadStore;
  tariffs: TariffStore;
  bills: BillStore;
  clock: Clock;
  log: Logger;
  /** The utility's IANA time zone (issue date -> due date). */
  timeZone: string;
  /** Days from the issue date to the due date (default 21). */
  dueDays?: number;
  /** Accounts billed in parallel within a segment. */
  concurrency?: number;
}

export interface BillSegmentInput extends BillingPeriod {
  runId: string;
  segment: Segment;
}

type AccountOutcome = { outcome: 'billed' | 'skipped' } | { outcome: 'failed'; reason: string };

/** What the accounts of one segment share: the run, the issue instant and date, and the tariffs read once. */
interface SegmentContext {
  input: BillSegmentInput;
  issuedAt: string;
  dueDate: string;
  tariffOf: (tariffId: string) => Promise<TariffDocument | undefined>;
}

export async function billSegment(deps: BillSegmentDeps, input: BillSegmentInput): Promise<SegmentResult> {
  assertValidPeriod(input.periodStart, input.periodEnd);
  const result: SegmentResult = { segmentIndex: input.segment.segmentIndex, billed: 0, skipped: 0, failed: 0, errors: [] };
  const issuedAt = deps.clock.now().toISOString();
  const tariffs = new Map<string, Promise<TariffDocument | undefined>>();
  const tariffOf = (tariffId: string) => {
    let tariff = tariffs.get(tariffId);
    if (!tariff) {
      tariff = deps.tariffs.get(tariffId);
      tariffs.set(tariffId, tariff);
    }
    return tariff;
  };
  const context: SegmentContext = { input, issuedAt, dueDate: dueDateFor(issuedAt, deps.timeZone, deps.dueDays ?? DEFAULT_DUE_DAYS), tariffOf };
  for (const shard of shardsOf(input.segment)) {
    let cursor: string | undefined;
    do {
      const page = await deps.accounts.listByShard(input.cycle, shard, cursor);
      const outcomes = await mapLimit(page.items, deps.concurrency ?? DEFAULT_ACCOUNT_CONCURRENCY, (account) => billAccount(deps, context, account));
      outcomes.forEach((outcome, index) => {
        if (outcome.outcome !== 'failed') {
          result[outcome.outcome]++;
          return;
        }
        result.failed++;
        if (result.errors.length < MAX_SEGMENT_ERRORS) result.errors.push({ accountId: page.items[index]?.accountId ?? '?', reason: outcome.reason });
      });
      cursor = page.nextCursor;
    } while (cursor);
  }
  deps.log.info('segment billed', { runId: input.runId, ...result, errors: result.errors.length });
  return result;
}

async function billAccount(deps: BillSegmentDeps, context: SegmentContext, account: Account): Promise<AccountOutcome> {
  const { runId, cycle, periodStart, periodEnd } = context.input;
  try {
    const billId = billIdFor(account.accountId, cycle, periodStart, periodEnd);
    const [existing, { agreements, peaks }] = await Promise.all([deps.bills.get(account.accountId, periodStart, billId), deps.agreements.listForBilling(account.accountId)]);
    if (existing) return { outcome: existing.runId === runId ? 'billed' : 'skipped' };
    if (agreements.length === 0) {
      if (account.status !== 'ACTIVE') return { outcome: 'skipped' };
      throw new AccountNotBillable('no-agreements', `account ${account.accountId} has no service agreements`);
    }
    const periods = servicePeriods(agreements, periodStart, periodEnd);
    if (periods.length === 0) return { outcome: 'skipped' };
    const meterIds = [...new Set(periods.flatMap((period) => (period.agreement.meterId ? [period.agreement.meterId] : [])))];
    const meters = new Map((meterIds.length > 0 ? await deps.meters.getMany(meterIds) : []).map((meter) => [meter.meterId, meter]));
    const services: BillService[] = [];
    for (const period of periods) services.push(await billService(deps, context, period, meters, peaks));
    const bill = composeBill({ account, services, cycle, periodStart, periodEnd, runId, issuedAt: context.issuedAt, dueDate: context.dueDate });
    const audit: AuditEvent = {
      eventId: bill.billId,
      entityType: 'ACCOUNT',
      entityId: account.accountId,
      at: context.issuedAt,
      actor: `billing-run:${runId}`,
      action: 'bill.issued',
      details: { billId: bill.billId, runId, total: bill.total, periodStart, periodEnd, dueDate: bill.dueDate, services: services.length, finalBill: bill.finalBill },
    };
    const issued = await deps.bills.issue(bill, ledgerEntryForBill(bill, context.issuedAt), audit);
    if (issued.issued) return { outcome: 'billed' };
    return { outcome: issued.existing?.runId === runId ? 'billed' : 'skipped' };
  } catch (error) {
    if (error instanceof TransientStoreError) throw error;
    const reason = reasonOf(error);
    if (reason.startsWith('unexpected')) deps.log.error('account could not be billed', { runId, accountId: account.accountId, error: describe(error) });
    else deps.log.info('account not billed', { runId, accountId: account.accountId, reason, message: describe(error) });
    return { outcome: 'failed', reason };
  }
}

/** Rates one agreement's share of the period: its meter's intervals (multiplier applied) on the agreement's days, with its tariff. */
async function billService(deps: BillSegmentDeps, context: SegmentContext, period: ServicePeriod, meters: Map<string, Meter>, peaks: readonly AgreementPeak[]): Promise<BillService> {
  const { agreement, from, to } = period;
  const tariff = await context.tariffOf(agreement.tariffId);
  if (!tariff) throw new AccountNotBillable('tariff-not-found', `tariff ${agreement.tariffId} of agreement ${agreement.agreementId} does not exist`);
  let meter: Meter | undefined;
  let usageMicro = 0;
  const intervals: StoredInterval[] = [];
  if (agreement.meterId) {
    meter = meters.get(agreement.meterId);
    if (!meter) throw new AccountNotBillable('meter-not-found', `meter ${agreement.meterId} of agreement ${agreement.agreementId} does not exist`);
    if (meter.unit !== tariff.unit) throw new AccountNotBillable('unit-mismatch', `meter ${meter.meterId} measures ${meter.unit} but tariff ${tariff.tariffId} prices ${tariff.unit}`);
    const days = await deps.reads.listDays(meter.meterId, from, to);
    if (days.length === 0) throw new AccountNotBillable('no-reads', `meter ${meter.meterId} has no reads for ${from}..${to} (estimation required)`);
    for (const day of days) {
      if (day.unit !== meter.unit) throw new AccountNotBillable('unit-mismatch', `reads of meter ${meter.meterId} on ${day.day} are in ${day.unit}`);
      for (const [start, [quantityMicro, durationSec]] of Object.entries(day.intervals)) {
        const scaled = scaleQuantity(quantityMicro, meter.multiplier);
        usageMicro = addQuantities(usageMicro, scaled);
        intervals.push({ startEpochSec: Number(start), durationSec, quantityMicro: scaled });
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
    ...(meter && tariff.unit === 'kWh' ? { peakKw: rated.peakKw } : {}),
    finalBill: period.finalBill,
    lines: rated.lines,
    subtotal: rated.total,
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
