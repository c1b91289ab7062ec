/**
 * A demo utility for the local platform and for trying things out: two tariffs, N customers
 * each with one account (cycle C1) and one meter, and about two days of hourly reads before
 * `now`, packed per local day. Ids: customers C0001.., accounts A0001.., meters M0001.. (four
 * digits, more when N > 9999). Every fourth account (A0004, A0008, ...) is a water account
 * (tariff WATER-RES, gallons); the others are electric (tariff ELEC-RES, kWh).
 */
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { Account, Customer, Meter } from '../domain/accounts';
import { localDate } from '../domain/calendar';
import { mergeDay, type Interval } from '../domain/reads';
import { shardOf } from '../domain/segments';
import type { Tariff } from '../domain/tariff';
import { accountToItem, customerAccountLinkToItem, customerToItem } from '../adapters/account-store';
import { batchPut, type Item } from '../adapters/dynamo';
import { meterToItem } from '../adapters/meter-store';
import { dayReadsToItem } from '../adapters/read-store';
import { tariffToItem } from '../adapters/tariff-store';

export const DEMO_CYCLE = 'C1';
export const DEMO_READ_HOURS = 48;

export const DEMO_TARIFFS: readonly Tariff[] = [
  { tariffId: 'ELEC-RES', name: 'Residential electric', unit: 'kWh', fixedCharge: '12.50', unitPrice: '0.1125', rounding: 'half-up' },
  { tariffId: 'WATER-RES', name: 'Residential water', unit: 'gal', fixedCharge: '18.00', unitPrice: '0.0045', rounding: 'half-up' },
];

export interface SeedDemoOptions {
  documentClient: DynamoDBDocumentClient;
  tableName: string;
  accounts: number;
  now: Date;
  /** The utility's IANA time zone (reads are packed per local day in it). */
  timeZone: string;
  /** BatchWrite requests in flight (default 4). */
  parallel?: number;
}

export interface SeedDemoSummary {
  customers: number;
  accounts: number;
  meters: number;
  tariffs: number;
  readDays: number;
  items: number;
  sampleCustomerId: string;
  sampleAccountId: string;
  sampleMeterId: string;
}

const FIRST_NAMES = ['Avery', 'Blake', 'Casey', 'Devon', 'Emery', 'Finley', 'Harper', 'Jordan', 'Kendall', 'Logan', 'Morgan', 'Parker', 'Quinn', 'Reese', 'Rowan', 'Sawyer'];
const LAST_NAMES = ['Alvarez', 'Bennett', 'Chen', 'Dawson', 'Ellis', 'Foster', 'Garcia', 'Hughes', 'Iverson', 'Jensen', 'Kim', 'Lopez', 'Murphy', 'Nguyen', 'Ortiz', 'Patel'];
const STREETS = ['Main St', 'Oak Ave', 'Pine St', 'Cedar Ln', 'Elm St', 'Maple Dr', 'Aspen Way', 'Juniper Ct'];

export function demoId(prefix: 'C' | 'A' | 'M', index: number, count: number): string {
  return `${prefix}${String(index).padStart(Math.max(4, String(count).length), '0')}`;
}

/** Deterministic pseudo-random 0..1 from integers (so a demo looks the same every time). */
function noise(a: number, b: number): number {
  let x = Math.imul(a ^ 0x9e3779b9, 0x85ebca6b) ^ Math.imul(b + 0x632be5ab, 0xc2b2ae35);
  x ^= x >>> 15;
  x = Math.imul(x, 0x2c1b3c6d);
  x ^= x >>> 12;
  return (x >>> 0) / 0x1_0000_0000;
}

/** Hourly usage in micro-units: electric 0.2..2.0 kWh (to the Wh), water 0..40 gallons. */
function hourlyUsage(unit: 'kWh' | 'gal', accountIndex: number, hourEpoch: number, hourOfDay: number): number {
  const peak = hourOfDay >= 6 && hourOfDay <= 9 ? 1.6 : hourOfDay >= 17 && hourOfDay <= 21 ? 2 : hourOfDay <= 5 ? 0.5 : 1;
  const r = noise(accountIndex, hourEpoch / 3600);
  if (unit === 'kWh') return Math.round(Math.min(2, 0.2 + r * 0.9 * peak) * 1000) * 1000;
  return Math.round(Math.min(40, r * 20 * peak * (hourOfDay <= 4 ? 0.2 : 1))) * 1_000_000;
}

export function buildDemoItems(options: Omit<SeedDemoOptions, 'documentClient' | 'tableName' | 'parallel'>): { items: Item[]; summary: SeedDemoSummary } {
  const { accounts: count, now, timeZone } = options;
  if (!Number.isSafeInteger(count) || count < 1) throw new RangeError(`accounts must be a whole number >= 1, got ${count}`);
  const createdAt = now.toISOString();
  const lastHourStart = Math.floor(now.getTime() / 3_600_000) * 3600 - 3600;
  const hours = Array.from({ length: DEMO_READ_HOURS }, (_, i) => lastHourStart - (DEMO_READ_HOURS - 1 - i) * 3600);
  const dayOfHour = new Map(hours.map((hour) => [hour, localDate(hour, timeZone)]));
  const hourFormat = new Intl.DateTimeFormat('en-US', { timeZone, hour: '2-digit', hourCycle: 'h23' });
  const hourOfDay = new Map(hours.map((hour) => [hour, Number(hourFormat.format(hour * 1000))]));

  const items: Item[] = DEMO_TARIFFS.map(tariffToItem);
  let readDays = 0;
  for (let index = 1; index <= count; index++) {
    const customerId = demoId('C', index, count);
    const accountId = demoId('A', index, count);
    const meterId = demoId('M', index, count);
    const water = index % 4 === 0;
    const tariff = water ? DEMO_TARIFFS[1]! : DEMO_TARIFFS[0]!;
    const first = FIRST_NAMES[index % FIRST_NAMES.length]!;
    const last = LAST_NAMES[Math.floor(index / FIRST_NAMES.length) % LAST_NAMES.length]!;
    const customer: Customer = { customerId, name: `${first} ${last}`, email: `${customerId.toLowerCase()}@example.com`, createdAt };
    const account: Account = {
      accountId,
      customerId,
      name: `${first} ${last} - ${water ? 'water' : 'electric'}`,
      serviceAddress: `${100 + index} ${STREETS[index % STREETS.length]}, Springfield`,
      cycle: DEMO_CYCLE,
      tariffId: tariff.tariffId,
      status: 'ACTIVE',
      meterIds: [meterId],
      shard: shardOf(accountId),
      createdAt,
    };
    const meter: Meter = { meterId, accountId, unit: tariff.unit, status: 'ACTIVE', multiplier: 1 };
    items.push(customerToItem(customer), accountToItem(account), customerAccountLinkToItem(account), meterToItem(meter));

    const byDay = new Map<string, Interval[]>();
    for (const hour of hours) {
      const day = dayOfHour.get(hour)!;
      const interval: Interval = { startEpochSec: hour, durationSec: 3600, quantityMicro: hourlyUsage(water ? 'gal' : 'kWh', index, hour, hourOfDay.get(hour)!), quality: 'A' };
      const list = byDay.get(day);
      if (list) list.push(interval);
      else byDay.set(day, [interval]);
    }
    for (const [day, intervals] of byDay) {
      items.push(dayReadsToItem(mergeDay(undefined, meter, day, intervals, { at: createdAt, by: 'mqtt', ref: 'seed-demo' }).day));
      readDays++;
    }
  }
  const summary: SeedDemoSummary = {
    customers: count,
    accounts: count,
    meters: count,
    tariffs: DEMO_TARIFFS.length,
    readDays,
    items: items.length,
    sampleCustomerId: demoId('C', 1, count),
    sampleAccountId: demoId('A', 1, count),
    sampleMeterId: demoId('M', 1, count),
  };
  return { items, summary };
}

/** Writes the demo utility with BatchWrite (25 items a request, unprocessed items retried). */
export async function seedDemo(options: SeedDemoOptions): Promise<SeedDemoSummary> {
  const { items, summary } = buildDemoItems(options);
  await batchPut(options.documentClient, options.tableName, items, options.parallel ?? 4);
  return summary;
}
