/**
 * A utility at scale for `cis seed` and the billing-cycle benchmark: N accounts of one billing
 * cycle with realistic records and D days of 15-minute interval data from a start date, packed
 * one item per meter per local day as the read store keeps them.
 *
 * Accounts: 60% electric only, 20% water only, 20% both (one premise, two service points, two
 * meters, two agreements, one bill with two services). Electric meters 200A (85%), 100A (10%),
 * 400A (5%, commercial); water meters 5/8in (75%), 1in (20%), 2in (5%, commercial). Agreements
 * on the demo tariffs ELEC-RES and WATER-RES, started 1 to 2 years before the data. Usage:
 * electric about 15 to 40 kWh a day with morning and evening peaks (to the Wh), water about 100
 * to 400 gallons a day in draws (whole gallons).
 *
 * Everything is a function of (cycle, index, start, days, time zone): ids carry the cycle
 * (A-C1-00001, M-C1-00001-E, ...), timestamps come from the start date, so a re-run with the
 * same arguments writes the very same items (BatchWrite puts) and changes nothing. Tariffs are
 * written only when they do not exist yet (a stored tariff is never replaced).
 */
import { PutCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { addDays, isCalendarDate } from '../domain/calendar';
import type { AccountRecord, Agreement, CustomerRecord, MeterRecord, Premise, ServiceClass, ServicePoint, ServiceType } from '../domain/customers/model';
import { formatAddress, normalizeAddress } from '../domain/customers/address';
import { accountTokens, customerTokens, meterTokens, premiseTokens } from '../domain/customers/search';
import { InvalidInput } from '../domain/errors';
import { mergeDay, type Interval } from '../domain/reads';
import { shardOf } from '../domain/segments';
import { dayClock } from '../domain/vee/days';
import { customerAccountLinkToItem } from '../adapters/account-store';
import { accountRecordToItem, agreementToItem, customerRecordToItem, meterRecordToItem, premiseToItem, searchTokenToItem, servicePointToItem } from '../adapters/customer-record-items';
import { batchPut, isConditionalCheckFailed, storeCall, type Item } from '../adapters/dynamo';
import { keys } from '../adapters/keys';
import { dayReadsToItem } from '../adapters/read-store';
import { tariffToItems } from '../adapters/tariff-store';
import { demoTariffs } from './seed-demo';

export const MAX_SEED_ACCOUNTS = 1_000_000;
export const MAX_SEED_DAYS = 400;
const INTERVAL_SEC = 900;
/** Accounts generated (and written) per chunk: bounds memory for large seeds. */
const ACCOUNTS_PER_CHUNK = 200;

export interface SeedUtilityOptions {
  accounts: number;
  days: number;
  /** First day of interval data (utility local date). */
  start: string;
  cycle: string;
  /** The utility's IANA time zone: days are local days in it, the demo tariffs use it. */
  timeZone: string;
}

export interface SeedUtilitySummary {
  cycle: string;
  accounts: number;
  electric: number;
  water: number;
  meters: number;
  agreements: number;
  readDays: number;
  intervals: number;
  items: number;
  tariffsWritten: number;
  /** The days the data covers: a billing period inside it is fully metered. */
  firstDay: string;
  lastDay: string;
  sampleAccountId: string;
}

export function assertSeedOptions(options: SeedUtilityOptions): void {
  const { accounts, days, start, cycle } = options;
  if (!Number.isSafeInteger(accounts) || accounts < 1 || accounts > MAX_SEED_ACCOUNTS) throw new InvalidInput(`accounts must be a whole number from 1 to ${MAX_SEED_ACCOUNTS}, got ${accounts}`);
  if (!Number.isSafeInteger(days) || days < 0 || days > MAX_SEED_DAYS) throw new InvalidInput(`days must be a whole number from 0 to ${MAX_SEED_DAYS}, got ${days}`);
  if (!isCalendarDate(start)) throw new InvalidInput(`start ${JSON.stringify(start)} is not a calendar date YYYY-MM-DD`);
  if (!/^[A-Za-z0-9_]{1,16}$/.test(cycle)) throw new InvalidInput(`cycle ${JSON.stringify(cycle)} must be 1 to 16 letters, digits or "_"`);
}

/** The ids of seeded account `index` (1-based) of `count` in `cycle`. */
export function seedIds(cycle: string, index: number, count: number) {
  const n = String(index).padStart(Math.max(5, String(count).length), '0');
  const base = `${cycle}-${n}`;
  return {
    customerId: `C-${base}`,
    accountId: `A-${base}`,
    premiseId: `P-${base}`,
    meterId: (service: ServiceType) => `M-${base}-${service === 'water' ? 'W' : 'E'}`,
    agreementId: (service: ServiceType) => `G-${base}-${service === 'water' ? 'W' : 'E'}`,
    servicePointId: (service: ServiceType) => `P-${base}-${service.toUpperCase()}`,
  };
}

/** The services of seeded account `index`: 60% electric, 20% water, 20% both. */
export function servicesOf(index: number): ServiceType[] {
  const slot = index % 10;
  if (slot < 6) return ['electric'];
  if (slot < 8) return ['water'];
  return ['electric', 'water'];
}

/** Deterministic pseudo-random 0..1 from integers. */
function noise(a: number, b: number, c = 0): number {
  let x = Math.imul(a ^ 0x9e3779b9, 0x85ebca6b) ^ Math.imul(b + 0x632be5ab, 0xc2b2ae35) ^ Math.imul(c + 0x165667b1, 0x27d4eb2f);
  x ^= x >>> 15;
  x = Math.imul(x, 0x2c1b3c6d);
  x ^= x >>> 12;
  x = Math.imul(x, 0x297a2d39);
  x ^= x >>> 15;
  return (x >>> 0) / 0x1_0000_0000;
}

function meterSizeOf(service: ServiceType, index: number): { size: string; serviceClass: ServiceClass } {
  const r = noise(index, service === 'water' ? 7 : 3, 11);
  if (service === 'water') return r < 0.75 ? { size: '5/8in', serviceClass: 'RESIDENTIAL' } : r < 0.95 ? { size: '1in', serviceClass: 'RESIDENTIAL' } : { size: '2in', serviceClass: 'COMMERCIAL' };
  return r < 0.85 ? { size: '200A', serviceClass: 'RESIDENTIAL' } : r < 0.95 ? { size: '100A', serviceClass: 'RESIDENTIAL' } : { size: '400A', serviceClass: 'COMMERCIAL' };
}

/** Load shape by local hour of day (1 = average). */
const SHAPE = [0.5, 0.45, 0.45, 0.45, 0.5, 0.6, 0.9, 1.3, 1.2, 0.9, 0.8, 0.8, 0.85, 0.85, 0.9, 1, 1.2, 1.5, 1.7, 1.7, 1.5, 1.2, 0.9, 0.65];

/** Micro-units for one 15-minute interval. Electric to the Wh, water in whole gallons. */
function intervalUsage(service: ServiceType, index: number, scale: number, startEpochSec: number, localHour: number): number {
  const r = noise(index, startEpochSec / INTERVAL_SEC, service === 'water' ? 1 : 0);
  const shape = SHAPE[localHour] ?? 1;
  if (service === 'electric') return Math.round(scale * shape * (0.6 + 0.8 * r) * 250) * 1000; // ~0.25 kWh per interval on average
  const drawChance = 0.12 * shape;
  if (r >= drawChance) return 0;
  return Math.round(scale * (3 + (r / drawChance) * 25)) * 1_000_000;
}

interface Chunk {
  items: Item[];
  electric: number;
  water: number;
  readDays: number;
  intervals: number;
}

/** The items of accounts `from`..`to` (1-based, inclusive). */
export function buildSeedChunk(options: SeedUtilityOptions, from: number, to: number, clock = dayClock(options.timeZone)): Chunk {
  const { accounts: count, days, start, cycle, timeZone } = options;
  const hourFormat = new Intl.DateTimeFormat('en-US', { timeZone, hour: '2-digit', hourCycle: 'h23' });
  const localHour = new Map<number, number>();
  const hourOf = (epochSec: number) => {
    const hourStart = epochSec - (epochSec % 3600);
    let hour = localHour.get(hourStart);
    if (hour === undefined) {
      hour = Number(hourFormat.format(hourStart * 1000));
      localHour.set(hourStart, hour);
    }
    return hour;
  };
  const dayList = Array.from({ length: days }, (_, d) => addDays(start, d));
  const createdAt = `${start}T00:00:00.000Z`;
  const chunk: Chunk = { items: [], electric: 0, water: 0, readDays: 0, intervals: 0 };
  for (let index = from; index <= to; index++) {
    const ids = seedIds(cycle, index, count);
    const services = servicesOf(index);
    const serviceStart = addDays(start, -365 - Math.floor(noise(index, 5) * 365));
    const first = FIRST_NAMES[index % FIRST_NAMES.length]!;
    const last = LAST_NAMES[Math.floor(index / FIRST_NAMES.length) % LAST_NAMES.length]!;
    const address = { line1: `${100 + (index % 9000)} ${STREETS[index % STREETS.length]}`, line2: `Unit ${cycle}-${index}`, city: 'Springfield', state: 'IL', zip: '62704' };
    const customer: CustomerRecord = { customerId: ids.customerId, name: `${first} ${last}`, email: `${ids.customerId.toLowerCase()}@example.com`, createdAt, kind: 'PERSON', phones: [], billDelivery: index % 3 === 0 ? 'PAPER' : 'PORTAL', contacts: [], recordVersion: 1 };
    const premise: Premise = { premiseId: ids.premiseId, address, normalizedAddress: normalizeAddress(address), premiseType: 'RESIDENTIAL', createdAt, recordVersion: 1 };
    const sized = services.map((service) => ({ service, ...meterSizeOf(service, index) }));
    const account: AccountRecord = {
      accountId: ids.accountId,
      customerId: ids.customerId,
      name: `${first} ${last}`,
      serviceAddress: `${address.line1}, Springfield`,
      cycle,
      tariffId: services[0] === 'water' ? 'WATER-RES' : 'ELEC-RES',
      status: 'ACTIVE',
      meterIds: services.map(ids.meterId),
      shard: shardOf(ids.accountId),
      createdAt: `${serviceStart}T12:00:00.000Z`,
      lifecycle: 'ACTIVE',
      serviceClass: sized.some((s) => s.serviceClass === 'COMMERCIAL') ? 'COMMERCIAL' : 'RESIDENTIAL',
      finalBillDue: false,
      premiseIds: [ids.premiseId],
      recordVersion: 1,
    };
    chunk.items.push(
      clean(customerRecordToItem(customer)),
      ...customerTokens(customer).map(searchTokenToItem),
      clean(premiseToItem(premise)),
      { ...keys.premiseAddress(premise.normalizedAddress), type: 'PREMISE_ADDRESS', premiseId: ids.premiseId },
      ...premiseTokens({ ...premise, label: formatAddress(address) }).map(searchTokenToItem),
      clean(accountRecordToItem(account)),
      ...accountTokens(account).map(searchTokenToItem),
      customerAccountLinkToItem(account),
      { ...keys.premiseAccountLink(ids.premiseId, ids.accountId), type: 'PREMISE_ACCOUNT', premiseId: ids.premiseId, accountId: ids.accountId },
    );
    for (const { service, size, serviceClass } of sized) {
      const water = service === 'water';
      if (water) chunk.water++;
      else chunk.electric++;
      const meterId = ids.meterId(service);
      const servicePointId = ids.servicePointId(service);
      const agreementId = ids.agreementId(service);
      const unit = water ? ('gal' as const) : ('kWh' as const);
      const meter: MeterRecord = {
        meterId,
        accountId: ids.accountId,
        unit,
        status: 'ACTIVE',
        multiplier: 1,
        size,
        serviceType: service,
        meterType: 'AMI',
        dials: water ? 6 : 5,
        servicePointId,
        installHistory: [{ servicePointId, installedAt: `${serviceStart}T12:00:00.000Z` }],
        recordVersion: 1,
      };
      const servicePoint: ServicePoint = { servicePointId, premiseId: ids.premiseId, serviceType: service, meterId, activeAgreementId: agreementId, activeAccountId: ids.accountId, connection: 'ON', recordVersion: 1 };
      const agreement: Agreement = {
        agreementId,
        accountId: ids.accountId,
        customerId: ids.customerId,
        premiseId: ids.premiseId,
        servicePointId,
        serviceType: service,
        serviceClass,
        tariffId: water ? 'WATER-RES' : 'ELEC-RES',
        cycle,
        status: 'ACTIVE',
        startDate: serviceStart,
        meterId,
        finalBill: false,
        createdAt: `${serviceStart}T12:00:00.000Z`,
        recordVersion: 1,
      };
      chunk.items.push(clean(servicePointToItem(servicePoint)), clean(meterRecordToItem(meter)), ...meterTokens(meter).map(searchTokenToItem), clean(agreementToItem(agreement)));

      const scale = water ? 0.6 + noise(index, 13) * 1.2 : 0.6 + noise(index, 17) * 1.0;
      for (const day of dayList) {
        const [dayStart, dayEnd] = clock.dayBounds(day);
        const intervals: Interval[] = [];
        for (let at = dayStart; at < dayEnd; at += INTERVAL_SEC) {
          intervals.push({ startEpochSec: at, durationSec: INTERVAL_SEC, quantityMicro: intervalUsage(service, index, scale, at, hourOf(at)), quality: 'A' });
        }
        chunk.items.push(dayReadsToItem(mergeDay(undefined, meter, day, intervals, { at: `${day}T23:59:59.000Z`, by: 'seed', ref: `seed:${cycle}` }).day));
        chunk.readDays++;
        chunk.intervals += intervals.length;
      }
    }
  }
  return chunk;
}

export interface SeedUtilityDeps {
  documentClient: DynamoDBDocumentClient;
  tableName: string;
  /** BatchWrite requests in flight (default 8). */
  parallel?: number;
  /** Called after each chunk with the accounts written so far. */
  progress?: (written: number) => void;
}

/**
 * Writes the utility: the demo tariffs when missing, then the accounts chunk by chunk (the next
 * chunk is built while the previous one is being written), BatchWrite with `parallel` requests in
 * flight and unprocessed items retried.
 */
export async function seedUtility(deps: SeedUtilityDeps, options: SeedUtilityOptions): Promise<SeedUtilitySummary> {
  assertSeedOptions(options);
  let tariffsWritten = 0;
  let tariffItems = 0;
  for (const tariff of demoTariffs(options.timeZone)) {
    let headerWritten = false;
    for (const item of tariffToItems(tariff, `${options.start}T00:00:00.000Z`)) {
      try {
        await storeCall('PutItem tariff', () => deps.documentClient.send(new PutCommand({ TableName: deps.tableName, Item: item, ConditionExpression: 'attribute_not_exists(PK)' })));
        tariffItems++;
        if (item['SK'] === keys.TARIFF_HEADER_SK) headerWritten = true;
      } catch (error) {
        if (!isConditionalCheckFailed(error)) throw error;
      }
    }
    if (headerWritten) tariffsWritten++;
  }
  const clock = dayClock(options.timeZone);
  const summary: SeedUtilitySummary = {
    cycle: options.cycle,
    accounts: options.accounts,
    electric: 0,
    water: 0,
    meters: 0,
    agreements: 0,
    readDays: 0,
    intervals: 0,
    items: tariffItems,
    tariffsWritten,
    firstDay: options.start,
    lastDay: addDays(options.start, Math.max(0, options.days - 1)),
    sampleAccountId: seedIds(options.cycle, 1, options.accounts).accountId,
  };
  let writing: Promise<void> = Promise.resolve();
  for (let from = 1; from <= options.accounts; from += ACCOUNTS_PER_CHUNK) {
    const to = Math.min(options.accounts, from + ACCOUNTS_PER_CHUNK - 1);
    const chunk = buildSeedChunk(options, from, to, clock);
    await writing;
    summary.electric += chunk.electric;
    summary.water += chunk.water;
    summary.readDays += chunk.readDays;
    summary.intervals += chunk.intervals;
    summary.items += chunk.items.length;
    writing = batchPut(deps.documentClient, deps.tableName, chunk.items, deps.parallel ?? 8).then(() => deps.progress?.(to));
  }
  await writing;
  summary.meters = summary.electric + summary.water;
  summary.agreements = summary.meters;
  return summary;
}

const FIRST_NAMES = ['Avery', 'Blake', 'Casey', 'Devon', 'Emery', 'Finley', 'Harper', 'Jordan', 'Kendall', 'Logan', 'Morgan', 'Parker', 'Quinn', 'Reese', 'Rowan', 'Sawyer'];
const LAST_NAMES = ['Alvarez', 'Bennett', 'Chen', 'Dawson', 'Ellis', 'Foster', 'Garcia', 'Hughes', 'Iverson', 'Jensen', 'Kim', 'Lopez', 'Murphy', 'Nguyen', 'Ortiz', 'Patel'];
const STREETS = ['Main St', 'Oak Ave', 'Pine St', 'Cedar Ln', 'Elm St', 'Maple Dr', 'Aspen Way', 'Juniper Ct'];

/** The item without undefined attributes (the mappers write optional fields as undefined). */
function clean(item: Item): Item {
  return Object.fromEntries(Object.entries(item).filter(([, value]) => value !== undefined));
}
