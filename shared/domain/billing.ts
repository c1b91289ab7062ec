/** Bills: deterministic ids (a re-run bills nobody twice) built from rated usage. */
import { createHash } from 'node:crypto';
import type { Account } from './accounts';
import { daysInclusive, isCalendarDate } from './calendar';
import { InvalidInput, RuleViolation } from './errors';
import { rateUsage, type BillLine, type Tariff } from './tariff';
import { formatMicro, type Unit } from './units';

/** A billing period may not be longer than this many days. */
export const MAX_PERIOD_DAYS = 62;

export interface BillingPeriod {
  cycle: string;
  periodStart: string;
  periodEnd: string;
}

export interface Bill {
  billId: string;
  accountId: string;
  customerId: string;
  cycle: string;
  periodStart: string;
  periodEnd: string;
  tariffId: string;
  usage: { quantity: string; unit: Unit };
  lines: BillLine[];
  total: string;
  currency: 'USD';
  status: 'ISSUED';
  runId: string;
  issuedAt: string;
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
export function billIdFor(accountId: string, cycle: string, periodStart: string, periodEnd: string): string {
  const digest = createHash('sha256').update(JSON.stringify([accountId, cycle, periodStart, periodEnd])).digest('hex');
  return `B${digest.slice(0, 24).toUpperCase()}`;
}

export interface BuildBillInput extends BillingPeriod {
  account: Pick<Account, 'accountId' | 'customerId'>;
  tariff: Tariff;
  /** Period usage in micro-units of the tariff's unit (integer, multipliers applied). */
  usageMicro: number;
  runId: string;
  issuedAt: string;
}

export function buildBill({ account, tariff, usageMicro, cycle, periodStart, periodEnd, runId, issuedAt }: BuildBillInput): Bill {
  const { lines, total } = rateUsage(tariff, usageMicro, { periodStart, periodEnd });
  return {
    billId: billIdFor(account.accountId, cycle, periodStart, periodEnd),
    accountId: account.accountId,
    customerId: account.customerId,
    cycle,
    periodStart,
    periodEnd,
    tariffId: tariff.tariffId,
    usage: { quantity: formatMicro(usageMicro), unit: tariff.unit },
    lines,
    total,
    currency: 'USD',
    status: 'ISSUED',
    runId,
    issuedAt,
  };
}

/** An account that cannot be billed for the period, with a short reason code (counted as failed). */
export class AccountNotBillable extends RuleViolation {
  override name = 'AccountNotBillable';
}
