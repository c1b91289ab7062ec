/**
 * Portal usage: the account's metered usage from the packed day items, summed per hour, day
 * or month (meter multipliers applied, estimates marked), and the same data as a Green Button
 * (ESPI) feed, with the high-usage alerts raised for the account in the range. Only the
 * account's own customer may read it.
 */
import { createHash } from 'node:crypto';
import type { Account, Meter } from '../domain/accounts';
import { daysInclusive, isoFromEpochSec } from '../domain/calendar';
import { InvalidInput } from '../domain/errors';
import { buildUsageFeed, nameUuid, type FeedInterval, type FeedUsagePoint } from '../domain/greenbutton/espi';
import { requireOwnAccount } from '../domain/identity';
import type { DayReads } from '../domain/reads';
import { formatMicro, scaleQuantity, type Unit } from '../domain/units';
import { dayClock } from '../domain/vee/days';
import type { AccountStore, Clock, MeterStore } from './ports';
import type { UsageAlertReader, WindowReadStore } from './read-ports';

export type UsageInterval = 'hour' | 'day' | 'month';
export const MAX_USAGE_DAYS: Record<UsageInterval, number> = { hour: 62, day: 400, month: 1100 };

export interface GetUsageDeps {
  accounts: Pick<AccountStore, 'get'>;
  meters: MeterStore;
  reads: Pick<WindowReadStore, 'listDays'>;
  clock: Clock;
  timeZone: string;
}

export interface UsagePoint {
  /** Hour: ISO instant of the hour start; day: YYYY-MM-DD; month: YYYY-MM (local). */
  period: string;
  quantity: string;
  /** True when some of it is estimated. */
  estimated: boolean;
}

/** A day whose use passed the rate class's high-usage threshold (raised when the reads arrived, before any bill). */
export interface UsageAlertView {
  day: string;
  meterId: string;
  unit: string;
  /** The day's use and the threshold, decimal strings in `unit`. */
  total: string;
  threshold: string;
  raisedAt: string;
}

export interface UsageView {
  accountId: string;
  from: string;
  to: string;
  interval: UsageInterval;
  /** The utility's IANA time zone: days and months are its local dates (hours are UTC instants). */
  timeZone: string;
  series: Array<{ unit: Unit; meterIds: string[]; points: UsagePoint[] }>;
  alerts: UsageAlertView[];
}

async function ownAccount(deps: GetUsageDeps, customerId: string, accountId: string): Promise<Account> {
  return requireOwnAccount(await deps.accounts.get(accountId), customerId, accountId);
}

function checkRange(from: string, to: string, interval: UsageInterval): void {
  if (to < from) throw new InvalidInput(`to ${to} is before from ${from}`, [{ path: 'query.to', message: 'before from' }]);
  if (daysInclusive(from, to) > MAX_USAGE_DAYS[interval]) {
    throw new InvalidInput(`at most ${MAX_USAGE_DAYS[interval]} days of ${interval}ly usage at a time`, [{ path: 'query.to', message: 'range too long' }]);
  }
}

async function meterDays(deps: GetUsageDeps, account: Account, from: string, to: string): Promise<Array<{ meter: Meter; days: DayReads[] }>> {
  const meters = await deps.meters.getMany(account.meterIds);
  return Promise.all(meters.map(async (meter) => ({ meter, days: await deps.reads.listDays(meter.meterId, from, to) })));
}

export async function getUsage(deps: GetUsageDeps & { alerts: UsageAlertReader }, customerId: string, accountId: string, query: { from: string; to: string; interval: UsageInterval }): Promise<UsageView> {
  checkRange(query.from, query.to, query.interval);
  const account = await ownAccount(deps, customerId, accountId);
  const clock = dayClock(deps.timeZone);
  const byUnit = new Map<Unit, { meterIds: string[]; buckets: Map<string, { micro: number; estimated: boolean }> }>();
  const [readsByMeter, alerts] = await Promise.all([meterDays(deps, account, query.from, query.to), deps.alerts.listAlerts(accountId, query.from, query.to)]);
  for (const { meter, days } of readsByMeter) {
    let series = byUnit.get(meter.unit);
    if (!series) byUnit.set(meter.unit, (series = { meterIds: [], buckets: new Map() }));
    series.meterIds.push(meter.meterId);
    for (const day of days) {
      for (const [start, [quantity, , quality]] of Object.entries(day.intervals)) {
        const epoch = Number(start);
        const period = query.interval === 'hour' ? isoFromEpochSec(epoch - (epoch % 3600)) : query.interval === 'day' ? clock.dayOf(epoch) : clock.dayOf(epoch).slice(0, 7);
        const bucket = series.buckets.get(period) ?? { micro: 0, estimated: false };
        bucket.micro += scaleQuantity(quantity, meter.multiplier);
        bucket.estimated ||= quality === 'E';
        series.buckets.set(period, bucket);
      }
    }
  }
  return {
    accountId,
    from: query.from,
    to: query.to,
    interval: query.interval,
    timeZone: deps.timeZone,
    series: [...byUnit.entries()].map(([unit, { meterIds, buckets }]) => ({
      unit,
      meterIds,
      points: [...buckets.entries()].sort(([a], [b]) => a.localeCompare(b)).map(([period, bucket]) => ({ period, quantity: formatMicro(bucket.micro), estimated: bucket.estimated })),
    })),
    alerts: alerts.map((alert) => ({ day: alert.day, meterId: alert.meterId, unit: alert.unit, total: formatMicro(alert.totalMicro), threshold: formatMicro(alert.thresholdMicro), raisedAt: alert.raisedAt })),
  };
}

const uuidOf = (name: string) => nameUuid(createHash('sha256').update(name).digest('hex'));

/** The account's interval data from `from` to `to` as a Green Button usage feed (one IntervalBlock per meter-day). */
export async function getGreenButtonFeed(deps: GetUsageDeps, customerId: string, accountId: string, query: { from: string; to: string }): Promise<string> {
  checkRange(query.from, query.to, 'day');
  const account = await ownAccount(deps, customerId, accountId);
  const clock = dayClock(deps.timeZone);
  const usagePoints: FeedUsagePoint[] = [];
  for (const { meter, days } of await meterDays(deps, account, query.from, query.to)) {
    const blocks = days.map((day) => {
      const [from, to] = clock.dayBounds(day.day);
      const intervals: FeedInterval[] = Object.entries(day.intervals)
        .map(([start, [quantity, durationSec, quality]]) => ({
          startEpochSec: Number(start),
          durationSec,
          quantityMicro: scaleQuantity(quantity, meter.multiplier),
          quality,
          ...(day.methods?.[start] ? { method: day.methods[start] } : {}),
        }))
        .sort((a, b) => a.startEpochSec - b.startEpochSec);
      return { startEpochSec: from, durationSec: to - from, intervals };
    });
    const lengths = blocks.flatMap((block) => block.intervals.map((interval) => interval.durationSec));
    usagePoints.push({ id: meter.meterId, title: `Meter ${meter.meterId}`, unit: meter.unit, intervalLengthSec: lengths.length ? Math.min(...lengths) : 3600, blocks });
  }
  return buildUsageFeed(
    { feedId: uuidOf(`${accountId}/${query.from}/${query.to}`), title: `Green Button usage of account ${accountId}, ${query.from} to ${query.to}`, base: `/espi/1_1/resource/RetailCustomer/${customerId}`, updated: deps.clock.now().toISOString().replace(/\.\d{3}Z$/, 'Z'), usagePoints },
    uuidOf,
  );
}
