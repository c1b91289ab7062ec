/**
 * A demo utility for the local platform and for trying things out: two cis-tariff/1 tariffs
 * (residential electric time-of-use, residential water with inclining tiers and sewer), N
 * customers each with one premise, one service point, one meter, one account (cycle C1) and one
 * active service agreement, and about two days of hourly reads before `now`, packed per local
 * day. Ids: customers C0001.., accounts A0001.., meters M0001.., premises P0001.., agreements
 * G0001.. (four digits, more when N > 9999). Every fourth account (A0004, A0008, ...) is a water
 * account (tariff WATER-RES, gallons, 5/8in meter); the others are electric (tariff ELEC-RES,
 * kWh, 200A meter). Prices are round example prices, not a published tariff.
 * With `usageDays`, the sample account A0001 and the first water account A0004 get that many days
 * of hourly reads instead (a year shows the portal's comparison with last year), with one
 * high-usage day three days ago and its customer alert, and a morning of estimated reads.
 */
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { addDays, localDate } from '../domain/calendar';
import { DEFAULT_VEE_CONFIG } from '../domain/vee/config';
import type { AccountRecord, Agreement, CustomerRecord, MeterRecord, Premise, ServicePoint } from '../domain/customers/model';
import { formatAddress, normalizeAddress } from '../domain/customers/address';
import { accountTokens, customerTokens, meterTokens, premiseTokens } from '../domain/customers/search';
import { parseTariffDocument, type TariffDocument } from '../domain/rating/schema';
import { mergeDay, type Interval } from '../domain/reads';
import { shardOf } from '../domain/segments';
import { customerAccountLinkToItem } from '../adapters/account-store';
import { accountRecordToItem, agreementToItem, customerRecordToItem, meterRecordToItem, premiseToItem, searchTokenToItem, servicePointToItem } from '../adapters/customer-record-items';
import { batchPut, type Item } from '../adapters/dynamo';
import { keys } from '../adapters/keys';
import { dayReadsToItem } from '../adapters/read-store';
import { tariffToItems } from '../adapters/tariff-store';

export const DEMO_CYCLE = 'C1';
/** The demo utility as its bills show it (the local platform's utilityProfile unless cdk.json sets one). */
export const DEMO_UTILITY_PROFILE = {
  name: 'Demo Municipal Utilities',
  addressLines: ['100 Civic Center Dr', 'Springfield, CO 80000'],
  phone: '(555) 010-0100',
  website: 'utilities.example.org',
  remitToLines: ['Demo Municipal Utilities', 'PO Box 1000', 'Springfield, CO 80000-1000'],
  messages: ['Office hours: Monday to Friday, 8 am to 5 pm. To report an outage or a water main break, call (555) 010-0199 at any time.'],
};
export const DEMO_READ_HOURS = 48;
/** Demo agreements started this many days before `now`. */
export const DEMO_SERVICE_DAYS = 365;
const TARIFF_FROM = '2020-01-01';

const hours = (from: number, to: number, peak: number, offPeak: number) => Array.from({ length: 24 }, (_, hour) => (hour >= from && hour < to ? peak : offPeak));

/** The demo tariffs in the utility's time zone. */
export function demoTariffs(timeZone: string): TariffDocument[] {
  const weekday = Array.from({ length: 12 }, () => hours(16, 21, 1, 0));
  const weekend = Array.from({ length: 12 }, () => hours(0, 0, 1, 0));
  return [
    parseTariffDocument({
      format: 'cis-tariff/1',
      tariffId: 'ELEC-RES',
      name: 'Residential electric time-of-use',
      utility: 'Springfield demo utility',
      source: 'demo example prices',
      unit: 'kWh',
      timeZone,
      versions: [
        {
          effectiveFrom: TARIFF_FROM,
          energySchedule: { weekday, weekend, periodNames: ['Off-peak', 'On-peak'] },
          charges: [
            { kind: 'fixed', description: 'Customer charge', amount: '12.50' },
            { kind: 'energy', description: 'Energy', periods: [0], tiers: [{ rate: '0.0925' }] },
            { kind: 'energy', description: 'Energy', periods: [1], tiers: [{ rate: '0.2150' }] },
            { kind: 'rider', basis: 'usage', description: 'Energy cost adjustment', rate: '0.0042' },
            { kind: 'tax', description: 'City franchise fee', percent: '5' },
          ],
        },
      ],
    }),
    parseTariffDocument({
      format: 'cis-tariff/1',
      tariffId: 'WATER-RES',
      name: 'Residential water and sewer',
      utility: 'Springfield demo utility',
      source: 'demo example prices',
      unit: 'gal',
      timeZone,
      versions: [
        {
          effectiveFrom: TARIFF_FROM,
          charges: [
            { kind: 'fixed', description: 'Water base charge', keyedBy: 'meterSize', amounts: { '5/8in': '18.00', '1in': '27.50', '2in': '64.00' } },
            { kind: 'energy', description: 'Water', tiers: [{ upTo: '3000', rate: '0.0045' }, { upTo: '10000', rate: '0.0060' }, { rate: '0.0085' }] },
            { kind: 'fixed', description: 'Sewer base charge', category: 'sewer', amount: '9.75' },
            { kind: 'energy', description: 'Sewer volume', category: 'sewer', cap: '8000', tiers: [{ rate: '0.0052' }] },
          ],
        },
      ],
    }),
  ];
}

export interface SeedDemoOptions {
  documentClient: DynamoDBDocumentClient;
  tableName: string;
  accounts: number;
  now: Date;
  /** The utility's IANA time zone (reads are packed per local day in it). */
  timeZone: string;
  /** BatchWrite requests in flight (default 4). */
  parallel?: number;
  /** Days of hourly reads (ending now) for the usage-history accounts A0001 and A0004, when more than the others' two days. */
  usageDays?: number;
}

/** The accounts (by index) that get `usageDays` of reads: the sample account and the first water account. */
export const DEMO_HISTORY_ACCOUNTS: readonly number[] = [1, 4];
/** Days before today (utility local date) of the seeded high-usage day, and of the estimated morning. */
export const DEMO_HIGH_USAGE_DAYS_AGO = 3;
export const DEMO_ESTIMATED_DAYS_AGO = 20;

export interface SeedDemoSummary {
  customers: number;
  accounts: number;
  meters: number;
  tariffs: number;
  premises: number;
  agreements: number;
  readDays: number;
  /** High-usage alerts seeded with the usage history. */
  alerts: number;
  items: number;
  sampleCustomerId: string;
  sampleAccountId: string;
  sampleMeterId: string;
}

const FIRST_NAMES = ['Avery', 'Blake', 'Casey', 'Devon', 'Emery', 'Finley', 'Harper', 'Jordan', 'Kendall', 'Logan', 'Morgan', 'Parker', 'Quinn', 'Reese', 'Rowan', 'Sawyer'];
const LAST_NAMES = ['Alvarez', 'Bennett', 'Chen', 'Dawson', 'Ellis', 'Foster', 'Garcia', 'Hughes', 'Iverson', 'Jensen', 'Kim', 'Lopez', 'Murphy', 'Nguyen', 'Ortiz', 'Patel'];
const STREETS = ['Main St', 'Oak Ave', 'Pine St', 'Cedar Ln', 'Elm St', 'Maple Dr', 'Aspen Way', 'Juniper Ct'];

export function demoId(prefix: 'C' | 'A' | 'M' | 'P' | 'G', index: number, count: number): string {
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
  const hourList = (count: number) => Array.from({ length: count }, (_, i) => lastHourStart - (count - 1 - i) * 3600);
  const hours = hourList(DEMO_READ_HOURS);
  const historyHours = hourList(Math.max(DEMO_READ_HOURS, Math.floor(options.usageDays ?? 0) * 24));
  const dayOfHour = new Map(historyHours.map((hour) => [hour, localDate(hour, timeZone)]));
  const hourFormat = new Intl.DateTimeFormat('en-US', { timeZone, hour: '2-digit', hourCycle: 'h23' });
  const hourOfDay = new Map(historyHours.map((hour) => [hour, Number(hourFormat.format(hour * 1000))]));
  const today = localDate(now.getTime() / 1000, timeZone);
  const highUsageDay = addDays(today, -DEMO_HIGH_USAGE_DAYS_AGO);
  const estimatedDay = addDays(today, -DEMO_ESTIMATED_DAYS_AGO);
  let alerts = 0;

  const tariffs = demoTariffs(timeZone);
  const items: Item[] = tariffs.flatMap((tariff) => tariffToItems(tariff, createdAt));
  const startDate = addDays(localDate(now.getTime() / 1000, timeZone), -DEMO_SERVICE_DAYS);
  let readDays = 0;
  for (let index = 1; index <= count; index++) {
    const customerId = demoId('C', index, count);
    const accountId = demoId('A', index, count);
    const meterId = demoId('M', index, count);
    const premiseId = demoId('P', index, count);
    const agreementId = demoId('G', index, count);
    const water = index % 4 === 0;
    const serviceType = water ? 'water' : 'electric';
    const tariff = water ? tariffs[1]! : tariffs[0]!;
    const unit = water ? ('gal' as const) : ('kWh' as const);
    const servicePointId = `${premiseId}-${serviceType.toUpperCase()}`;
    const first = FIRST_NAMES[index % FIRST_NAMES.length]!;
    const last = LAST_NAMES[Math.floor(index / FIRST_NAMES.length) % LAST_NAMES.length]!;
    const address = { line1: `${100 + index} ${STREETS[index % STREETS.length]}`, city: 'Springfield', state: 'IL', zip: '62704' };
    const customer: CustomerRecord = { customerId, name: `${first} ${last}`, email: `${customerId.toLowerCase()}@example.com`, createdAt, kind: 'PERSON', phones: [], billDelivery: 'PORTAL', contacts: [], recordVersion: 1 };
    const premise: Premise = { premiseId, address, normalizedAddress: normalizeAddress(address), premiseType: 'RESIDENTIAL', createdAt, recordVersion: 1 };
    const account: AccountRecord = {
      accountId,
      customerId,
      name: `${first} ${last} - ${serviceType}`,
      serviceAddress: `${address.line1}, Springfield`,
      cycle: DEMO_CYCLE,
      tariffId: tariff.tariffId,
      status: 'ACTIVE',
      meterIds: [meterId],
      shard: shardOf(accountId),
      createdAt,
      lifecycle: 'ACTIVE',
      serviceClass: 'RESIDENTIAL',
      finalBillDue: false,
      premiseIds: [premiseId],
      recordVersion: 1,
    };
    const meter: MeterRecord = {
      meterId,
      accountId,
      unit,
      status: 'ACTIVE',
      multiplier: 1,
      size: water ? '5/8in' : '200A',
      serviceType,
      meterType: 'AMI',
      dials: water ? 6 : 5,
      servicePointId,
      installHistory: [{ servicePointId, installedAt: `${startDate}T12:00:00.000Z` }],
      recordVersion: 1,
    };
    const servicePoint: ServicePoint = { servicePointId, premiseId, serviceType, meterId, activeAgreementId: agreementId, activeAccountId: accountId, connection: 'ON', recordVersion: 1 };
    const agreement: Agreement = {
      agreementId,
      accountId,
      customerId,
      premiseId,
      servicePointId,
      serviceType,
      serviceClass: 'RESIDENTIAL',
      tariffId: tariff.tariffId,
      cycle: DEMO_CYCLE,
      status: 'ACTIVE',
      startDate,
      meterId,
      finalBill: false,
      createdAt,
      recordVersion: 1,
    };
    items.push(
      clean(customerRecordToItem(customer)),
      ...customerTokens(customer).map(searchTokenToItem),
      clean(premiseToItem(premise)),
      { ...keys.premiseAddress(premise.normalizedAddress), type: 'PREMISE_ADDRESS', premiseId },
      ...premiseTokens({ ...premise, label: formatAddress(address) }).map(searchTokenToItem),
      clean(servicePointToItem(servicePoint)),
      clean(meterRecordToItem(meter)),
      ...meterTokens(meter).map(searchTokenToItem),
      clean(accountRecordToItem(account)),
      ...accountTokens(account).map(searchTokenToItem),
      customerAccountLinkToItem(account),
      { ...keys.premiseAccountLink(premiseId, accountId), type: 'PREMISE_ACCOUNT', premiseId, accountId },
      clean(agreementToItem(agreement)),
    );

    const history = historyHours.length > hours.length && DEMO_HISTORY_ACCOUNTS.includes(index);
    const byDay = new Map<string, Interval[]>();
    for (const hour of history ? historyHours : hours) {
      const day = dayOfHour.get(hour)!;
      const hourOfTheDay = hourOfDay.get(hour)!;
      let quantityMicro = hourlyUsage(unit, index, hour, hourOfTheDay);
      // A space heater left on (electric) or a running toilet (water): over the alert threshold.
      if (history && day === highUsageDay) quantityMicro += unit === 'kWh' ? 4_500_000 : 60_000_000;
      const estimated = history && day === estimatedDay && hourOfTheDay >= 8 && hourOfTheDay < 12;
      const interval: Interval = { startEpochSec: hour, durationSec: 3600, quantityMicro, quality: estimated ? 'E' : 'A', ...(estimated ? { method: 'like-day' as const } : {}) };
      const list = byDay.get(day);
      if (list) list.push(interval);
      else byDay.set(day, [interval]);
    }
    for (const [day, intervals] of byDay) {
      const merged = mergeDay(undefined, meter, day, intervals, { at: createdAt, by: 'mqtt', ref: 'seed-demo' }).day;
      items.push(dayReadsToItem(merged));
      readDays++;
      const thresholdMicro = DEFAULT_VEE_CONFIG[serviceType].highUsageAlertMicroPerDay;
      const totalMicro = intervals.reduce((sum, interval) => sum + interval.quantityMicro, 0);
      if (history && day === highUsageDay && thresholdMicro !== undefined && totalMicro > thresholdMicro) {
        items.push({ ...keys.usageAlert(accountId, day, meterId), type: 'USAGE_ALERT', accountId, meterId, day, unit, totalMicro, thresholdMicro, raisedAt: createdAt });
        alerts++;
      }
    }
  }
  const summary: SeedDemoSummary = {
    customers: count,
    accounts: count,
    meters: count,
    tariffs: tariffs.length,
    premises: count,
    agreements: count,
    readDays,
    alerts,
    items: items.length,
    sampleCustomerId: demoId('C', 1, count),
    sampleAccountId: demoId('A', 1, count),
    sampleMeterId: demoId('M', 1, count),
  };
  return { items, summary };
}

/** The item without undefined attributes (the mappers write optional fields as undefined). */
function clean(item: Item): Item {
  return Object.fromEntries(Object.entries(item).filter(([, value]) => value !== undefined));
}

/** Writes the demo utility with BatchWrite (25 items a request, unprocessed items retried). */
export async function seedDemo(options: SeedDemoOptions): Promise<SeedDemoSummary> {
  const { items, summary } = buildDemoItems(options);
  await batchPut(options.documentClient, options.tableName, items, options.parallel ?? 4);
  return summary;
}
