/**
 * Billing task: bill every account of one segment (a contiguous range of shards) for a cycle
 * and period. Per-account problems are counted, not thrown; store failures that may pass are
 * thrown as TransientStoreError so the state machine retries the segment, which is safe:
 * a bill that exists is never written again.
 */
import type { Account } from '../domain/accounts';
import type { AuditEvent } from '../domain/audit';
import { AccountNotBillable, assertValidPeriod, billIdFor, buildBill, type BillingPeriod } from '../domain/billing';
import { ConflictError, RuleViolation } from '../domain/errors';
import { ledgerEntryForBill } from '../domain/ledger';
import { dayTotal } from '../domain/reads';
import { MAX_SEGMENT_ERRORS, type SegmentResult } from '../domain/runs';
import { shardsOf, type Segment } from '../domain/segments';
import type { Tariff } from '../domain/tariff';
import { addQuantities, InvalidQuantity, scaleQuantity } from '../domain/units';
import { mapLimit } from './concurrency';
import { CorruptRecord, TransientStoreError } from './errors';
import type { AccountStore, BillStore, Clock, Logger, MeterStore, ReadStore, TariffStore } from './ports';

export const DEFAULT_ACCOUNT_CONCURRENCY = 8;

export interface BillSegmentDeps {
  accounts: AccountStore;
  meters: MeterStore;
  reads: ReadStore;
  tariffs: TariffStore;
  bills: BillStore;
  clock: Clock;
  log: Logger;
  /** Accounts billed in parallel within a segment. */
  concurrency?: number;
}

export interface BillSegmentInput extends BillingPeriod {
  runId: string;
  segment: Segment;
}

type AccountOutcome = { outcome: 'billed' | 'skipped' } | { outcome: 'failed'; reason: string };

export async function billSegment(deps: BillSegmentDeps, input: BillSegmentInput): Promise<SegmentResult> {
  assertValidPeriod(input.periodStart, input.periodEnd);
  const result: SegmentResult = { segmentIndex: input.segment.segmentIndex, billed: 0, skipped: 0, failed: 0, errors: [] };
  const issuedAt = deps.clock.now().toISOString();
  const tariffs = new Map<string, Promise<Tariff | undefined>>();
  const tariffOf = (tariffId: string) => {
    let tariff = tariffs.get(tariffId);
    if (!tariff) {
      tariff = deps.tariffs.get(tariffId);
      tariffs.set(tariffId, tariff);
    }
    return tariff;
  };
  for (const shard of shardsOf(input.segment)) {
    let cursor: string | undefined;
    do {
      const page = await deps.accounts.listByShard(input.cycle, shard, cursor);
      const outcomes = await mapLimit(page.items, deps.concurrency ?? DEFAULT_ACCOUNT_CONCURRENCY, (account) => billAccount(deps, input, account, issuedAt, tariffOf));
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

async function billAccount(deps: BillSegmentDeps, input: BillSegmentInput, account: Account, issuedAt: string, tariffOf: (id: string) => Promise<Tariff | undefined>): Promise<AccountOutcome> {
  const { runId, cycle, periodStart, periodEnd } = input;
  try {
    if (account.status !== 'ACTIVE') return { outcome: 'skipped' };
    const billId = billIdFor(account.accountId, cycle, periodStart, periodEnd);
    const existing = await deps.bills.get(account.accountId, periodStart, billId);
    if (existing) return { outcome: existing.runId === runId ? 'billed' : 'skipped' };
    const tariff = await tariffOf(account.tariffId);
    if (!tariff) throw new AccountNotBillable('tariff-not-found', `tariff ${account.tariffId} does not exist`);
    const usageMicro = await periodUsage(deps, account, tariff, input);
    const bill = buildBill({ account, tariff, usageMicro, cycle, periodStart, periodEnd, runId, issuedAt });
    const audit: AuditEvent = {
      eventId: bill.billId,
      entityType: 'ACCOUNT',
      entityId: account.accountId,
      at: issuedAt,
      actor: `billing-run:${runId}`,
      action: 'bill.issued',
      details: { billId: bill.billId, runId, total: bill.total, periodStart, periodEnd },
    };
    const issued = await deps.bills.issue(bill, ledgerEntryForBill(bill, issuedAt), audit);
    if (issued.issued) return { outcome: 'billed' };
    return { outcome: issued.existing?.runId === runId ? 'billed' : 'skipped' };
  } catch (error) {
    if (error instanceof TransientStoreError) throw error;
    const reason = reasonOf(error);
    if (reason.startsWith('unexpected')) deps.log.error('account could not be billed', { runId, accountId: account.accountId, error: describe(error) });
    return { outcome: 'failed', reason };
  }
}

/** The period's usage of an account in micro-units of the tariff's unit, meter multipliers applied. */
async function periodUsage(deps: BillSegmentDeps, account: Account, tariff: Tariff, period: BillingPeriod): Promise<number> {
  if (account.meterIds.length === 0) throw new AccountNotBillable('no-meters', `account ${account.accountId} has no meters`);
  const meters = await deps.meters.getMany(account.meterIds);
  if (meters.length < account.meterIds.length) throw new AccountNotBillable('meter-not-found', `a meter of account ${account.accountId} does not exist`);
  let usage = 0;
  let daysWithReads = 0;
  for (const meter of meters) {
    if (meter.unit !== tariff.unit) throw new AccountNotBillable('unit-mismatch', `meter ${meter.meterId} measures ${meter.unit} but tariff ${tariff.tariffId} prices ${tariff.unit}`);
    let meterUsage = 0;
    for (const day of await deps.reads.listDays(meter.meterId, period.periodStart, period.periodEnd)) {
      if (day.unit !== tariff.unit) throw new AccountNotBillable('unit-mismatch', `reads of meter ${meter.meterId} on ${day.day} are in ${day.unit}`);
      meterUsage = addQuantities(meterUsage, dayTotal(day));
      daysWithReads++;
    }
    usage = addQuantities(usage, scaleQuantity(meterUsage, meter.multiplier));
  }
  if (daysWithReads === 0) throw new AccountNotBillable('no-reads', `account ${account.accountId} has no reads for ${period.periodStart}..${period.periodEnd} (estimation required)`);
  return usage;
}

function reasonOf(error: unknown): string {
  if (error instanceof RuleViolation) return error.reason;
  if (error instanceof InvalidQuantity) return 'usage-overflow';
  if (error instanceof CorruptRecord) return 'corrupt-record';
  if (error instanceof ConflictError) return 'conflict';
  return `unexpected-${error instanceof Error ? error.name : 'error'}`;
}

function describe(error: unknown): string {
  return error instanceof Error ? `${error.name}: ${error.message}` : String(error);
}
