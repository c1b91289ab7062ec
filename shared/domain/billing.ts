/**
 * Bills: one invoice per account and billing period, with one service section per service
 * agreement rated by the rating engine. Bill ids are deterministic (a re-run bills nobody twice).
 */
import type { BillCorrection } from './rebill';
import { createHash } from 'node:crypto';
import type { Account } from './accounts';
import { addDays, daysInclusive, isCalendarDate, localDate } from './calendar';
import type { Agreement, ServiceType } from './customers/model';
import { InvalidInput, RuleViolation } from './errors';
import { Money } from './money';
import { billMonthOf as engineBillMonthOf, type RatedLine } from './rating/engine';
import { dayFromDate } from './rating/time';

/** A billing period may not be longer than this many days. */
export const MAX_PERIOD_DAYS = 62;

/** Days from the issue date to the due date when the utility does not say otherwise. */
export const DEFAULT_DUE_DAYS = 21;

export interface BillingPeriod {
  cycle: string;
  periodStart: string;
  periodEnd: string;
}

/** One line of a bill: the rating engine's line (description, quantity, unit, rate, amount, period, category). */
export type BillLine = RatedLine;

/** The part of a bill for one service agreement. */
export interface BillService {
  agreementId: string;
  serviceType: ServiceType;
  servicePointId: string;
  premiseId: string;
  meterId?: string;
  tariffId: string;
  tariffName: string;
  /** The days of this service billed: the bill period clipped to the agreement's dates. */
  periodStart: string;
  periodEnd: string;
  /** Metered usage in the period (meter multiplier applied); "0" for an unmetered service. */
  usage: { quantity: string; unit: string };
  /** The measured monthly peak demand in kW (electric services), kept for ratchets. */
  peakKw?: string;
  /** The closing bill of the agreement. */
  finalBill: boolean;
  lines: BillLine[];
  /** Sum of the lines (decimal string, at least two decimals). */
  subtotal: string;
  /** The usage is not from reads: the meter had none for the period (see `estimateMethod`). */
  estimated?: boolean;
  /**
   * The agreement could not be rated (its tariff or meter is missing, or they disagree on the
   * unit): the section has no lines and the bill is held for review; staff correct the record
   * and cancel the bill, and the next run bills the account again.
   */
  unbillable?: { reason: string; message: string };
  estimateMethod?: EstimateMethod;
}

/**
 * How the usage of a service without reads was estimated: `last-year` (the same period a year
 * earlier, per day), `average-daily` (average daily usage of its previous bills x days), or
 * `none` (no history to estimate from: usage 0, and the bill is held).
 */
export type EstimateMethod = 'last-year' | 'average-daily' | 'none';
export const ESTIMATE_METHODS: readonly EstimateMethod[] = ['last-year', 'average-daily', 'none'];

/**
 * ISSUED: posted to the ledger. HELD: composed but waiting in the bill exception queue (no ledger
 * entry). CANCELLED: a held bill staff cancelled (never posted; the period bills again), or a
 * posted bill cancelled and rebilled (its ledger entry reversed; `replacedBy` names the new one).
 */
export type BillStatus = 'ISSUED' | 'HELD' | 'CANCELLED';
export const BILL_STATUSES: readonly BillStatus[] = ['ISSUED', 'HELD', 'CANCELLED'];

/** Why a bill was held (reason code and a message for the reviewer). */
export interface BillHold {
  reason: string;
  message: string;
}

/** The staff decision on a held bill. */
export interface BillReview {
  action: 'released' | 'cancelled';
  at: string;
  by: string;
  note?: string;
}

export interface Bill {
  billId: string;
  accountId: string;
  customerId: string;
  cycle: string;
  periodStart: string;
  periodEnd: string;
  services: BillService[];
  /** Sum of the service subtotals. */
  total: string;
  /** Issue date (utility local) + the due days. */
  dueDate: string;
  /** True when a service on it is billed for the last time (move-out, stop). */
  finalBill: boolean;
  currency: 'USD';
  status: BillStatus;
  runId: string;
  /** When the run composed the bill (and, unless it was held, posted it). */
  issuedAt: string;
  /** 1 for the first bill of the account and period; a bill after a cancelled one has the next revision. */
  revision?: number;
  /** A service on it has estimated usage. */
  estimated?: boolean;
  /** Why it was held (a held bill, and a bill released or cancelled after review). */
  holds?: BillHold[];
  review?: BillReview;
  /** A posted bill cancelled and rebilled after a read or tariff correction: the bill that replaces it. */
  replacedBy?: { billId: string; reason: string; at: string; by: string };
  /** A corrected bill: the bill it replaces, why, what changed and the message it prints. */
  replaces?: { billId: string; reason: string; corrections: BillCorrection[]; message: string };
}

/** Checks a period: calendar dates, start <= end, at most MAX_PERIOD_DAYS days. */
export function assertValidPeriod(periodStart: string, periodEnd: string): void {
  if (!isCalendarDate(periodStart)) throw new InvalidInput(`periodStart ${JSON.stringify(periodStart)} is not a calendar date YYYY-MM-DD`);
  if (!isCalendarDate(periodEnd)) throw new InvalidInput(`periodEnd ${JSON.stringify(periodEnd)} is not a calendar date YYYY-MM-DD`);
  if (periodEnd < periodStart) throw new InvalidInput(`periodEnd ${periodEnd} is before periodStart ${periodStart}`);
  if (daysInclusive(periodStart, periodEnd) > MAX_PERIOD_DAYS) throw new InvalidInput(`the period ${periodStart}..${periodEnd} is longer than ${MAX_PERIOD_DAYS} days`);
}

/**
 * The bill id of an account for a cycle and period: the same inputs always give the same id,
 * so the bill's conditional write makes a re-run a no-op. "B" + 24 hex digits of SHA-256.
 */
export function billIdFor(accountId: string, cycle: string, periodStart: string, periodEnd: string, revision = 1): string {
  if (!Number.isSafeInteger(revision) || revision < 1) throw new InvalidInput(`bill revision ${revision} is not a whole number >= 1`);
  const parts = revision === 1 ? [accountId, cycle, periodStart, periodEnd] : [accountId, cycle, periodStart, periodEnd, revision];
  const digest = createHash('sha256').update(JSON.stringify(parts)).digest('hex');
  return `B${digest.slice(0, 24).toUpperCase()}`;
}

/** The measured monthly peak demand of an agreement on one bill (the history ratchets read). */
export interface AgreementPeak {
  agreementId: string;
  /** YYYY-MM: the month most days of the service period fall in. */
  month: string;
  /** kW, decimal string. */
  peakKw: string;
  billId: string;
}

/** The demand history of one agreement for the rating engine: the highest peak per month. */
export function demandHistoryOf(peaks: readonly AgreementPeak[], agreementId: string): Array<{ month: string; peakKw: string }> {
  const byMonth = new Map<string, string>();
  for (const peak of peaks) {
    if (peak.agreementId !== agreementId) continue;
    const known = byMonth.get(peak.month);
    if (known === undefined || new Money(peak.peakKw).gt(known)) byMonth.set(peak.month, peak.peakKw);
  }
  return [...byMonth].sort(([a], [b]) => (a < b ? -1 : 1)).map(([month, peakKw]) => ({ month, peakKw }));
}

/** The peaks a bill stores: one per service with a measured peak (an estimated service has none). */
export function peaksOfBill(bill: Pick<Bill, 'billId' | 'services'>): AgreementPeak[] {
  return bill.services.flatMap((service) => (service.peakKw === undefined || service.estimated ? [] : [{ agreementId: service.agreementId, month: billMonthOf(service.periodStart, service.periodEnd), peakKw: service.peakKw, billId: bill.billId }]));
}

/** The month (YYYY-MM) most days of a period fall in (ties: the later month), as the rating engine's ratchets count months. */
export function billMonthOf(from: string, to: string): string {
  return engineBillMonthOf(dayFromDate(from), dayFromDate(to)).key;
}

/** An agreement's share of a billing period. */
export interface ServicePeriod {
  agreement: Agreement;
  /** First and last day billed (both included). */
  from: string;
  to: string;
  /** The agreement ends inside the period and asked for a final bill. */
  finalBill: boolean;
}

/**
 * The agreements of an account that bill in a period, clipped to their dates: ACTIVE ones that
 * started by the end of the period, and CLOSED ones whose last day of service is in (or after)
 * the period. A CLOSED agreement ending inside the period gets its final bill when it asked for one.
 * Pending and cancelled agreements, and agreements without a start date, do not bill.
 */
export function servicePeriods(agreements: readonly Agreement[], periodStart: string, periodEnd: string): ServicePeriod[] {
  const periods: ServicePeriod[] = [];
  for (const agreement of agreements) {
    if (agreement.status !== 'ACTIVE' && agreement.status !== 'CLOSED') continue;
    const { startDate, endDate } = agreement;
    if (startDate === undefined || startDate > periodEnd) continue;
    if (agreement.status === 'CLOSED' && endDate === undefined) continue;
    if (endDate !== undefined && (endDate < periodStart || endDate < startDate)) continue;
    const from = startDate > periodStart ? startDate : periodStart;
    const to = endDate !== undefined && endDate < periodEnd ? endDate : periodEnd;
    const endsInside = agreement.status === 'CLOSED' && endDate !== undefined && endDate <= periodEnd;
    periods.push({ agreement, from, to, finalBill: endsInside && agreement.finalBill });
  }
  return periods.sort((a, b) => (a.agreement.serviceType === b.agreement.serviceType ? (a.from < b.from ? -1 : a.from > b.from ? 1 : 0) : a.agreement.serviceType < b.agreement.serviceType ? -1 : 1));
}

/** The due date: the issue date in the utility's zone plus `dueDays` days. */
export function dueDateFor(issuedAt: string, timeZone: string, dueDays: number = DEFAULT_DUE_DAYS): string {
  if (!Number.isSafeInteger(dueDays) || dueDays < 0) throw new InvalidInput(`due days ${dueDays} is not a whole number >= 0`);
  return addDays(localDate(Date.parse(issuedAt) / 1000, timeZone), dueDays);
}

export interface ComposeBillInput extends BillingPeriod {
  account: Pick<Account, 'accountId' | 'customerId'>;
  services: BillService[];
  runId: string;
  issuedAt: string;
  dueDate: string;
  /** @default 1 */
  revision?: number;
}

/** One bill for all services of an account; the total is the exact sum of the service subtotals. ISSUED until checks hold it. */
export function composeBill({ account, services, cycle, periodStart, periodEnd, runId, issuedAt, dueDate, revision = 1 }: ComposeBillInput): Bill {
  if (services.length === 0) throw new AccountNotBillable('no-agreements', `account ${account.accountId} has no service to bill for ${periodStart}..${periodEnd}`);
  let total = new Money(0);
  let places = 2;
  for (const service of services) {
    total = total.plus(service.subtotal);
    places = Math.max(places, service.subtotal.split('.')[1]?.length ?? 0);
  }
  return {
    billId: billIdFor(account.accountId, cycle, periodStart, periodEnd, revision),
    accountId: account.accountId,
    customerId: account.customerId,
    cycle,
    periodStart,
    periodEnd,
    services,
    total: total.isZero() ? (0).toFixed(places) : total.toFixed(places),
    dueDate,
    finalBill: services.some((service) => service.finalBill),
    currency: 'USD',
    status: 'ISSUED',
    runId,
    issuedAt,
    ...(revision > 1 ? { revision } : {}),
    ...(services.some((service) => service.estimated) ? { estimated: true } : {}),
  };
}

/**
 * What later bills read of a bill: its total, whether it was estimated, and per service the
 * usage, days and measured peak. Written with the bill when it is posted (not while held), in
 * the account's agreements range so the Query billing makes per account returns it.
 */
export interface BillHistoryEntry {
  billId: string;
  periodStart: string;
  periodEnd: string;
  total: string;
  estimated: boolean;
  services: Array<{ agreementId: string; periodStart: string; periodEnd: string; quantity: string; unit: string; estimated: boolean; peakKw?: string }>;
}

export function historyEntryOf(bill: Bill): BillHistoryEntry {
  return {
    billId: bill.billId,
    periodStart: bill.periodStart,
    periodEnd: bill.periodEnd,
    total: bill.total,
    estimated: bill.estimated === true,
    services: bill.services.map((service) => ({
      agreementId: service.agreementId,
      periodStart: service.periodStart,
      periodEnd: service.periodEnd,
      quantity: service.usage.quantity,
      unit: service.usage.unit,
      estimated: service.estimated === true,
      ...(service.peakKw !== undefined && !service.estimated ? { peakKw: service.peakKw } : {}),
    })),
  };
}

/** The peaks of the history entries, as ratchets read them. */
export function peaksOfHistory(history: readonly BillHistoryEntry[]): AgreementPeak[] {
  return history.flatMap((entry) => entry.services.flatMap((service) => (service.peakKw === undefined ? [] : [{ agreementId: service.agreementId, month: billMonthOf(service.periodStart, service.periodEnd), peakKw: service.peakKw, billId: entry.billId }])));
}

/** An account that cannot be billed for the period, with a short reason code (counted as failed). */
export class AccountNotBillable extends RuleViolation {
  override name = 'AccountNotBillable';
}
