/**
 * Import of OpenEI Utility Rate Database (URDB) tariffs, API v7 JSON or the bulk JSON file:
 * one rate object, `{"items":[...]}` or an array. Follows the URDB v7 field documentation, and
 * NREL SAM (ssc `utilityrate5`) where the documentation is silent:
 * - schedules are 12x24 matrices of 0-based period indexes (month rows, hour columns);
 * - tier `max` is the cumulative upper limit (a `max` on the last tier does not end it: usage
 *   above it stays in the last tier); tier units 'kWh' (per month), 'kWh daily' (per day,
 *   times the days in the bill) and 'kWh/kW' (per kW of the month's peak demand);
 * - energy tiers apply to the month's total energy, each period's share spread in proportion;
 * - the effective rate of a tier is rate + adj; `sell` is the export rate (net metering);
 * - fixed charges in '$/month' or '$/day' (and the legacy fixedmonthlycharge, $/month); minimum charges in '$/month' or '$/day';
 * - demandratestructure prices the peak of each demand TOU period, flatdemandstructure with
 *   flatdemandmonths the month's overall peak; demandratchetpercentage (one per month, a fraction
 *   such as 0.8 or a percent such as 80) is a ratchet on the highest peak of the 11 previous months.
 * Like SAM, a single URDB item applies whatever the usage dates (startdate/enddate are noted in
 * `source`). Any field that changes the bill and that this import cannot express is rejected
 * with a message naming it; nothing is dropped silently.
 */
import { Money } from '../money';
import { InvalidTariffDocument, parseTariffDocument, type Charge, type NetMetering, type TariffDocument, type TariffVersion } from './schema';
import { dateFromDay } from './time';

export class UnsupportedUrdbField extends InvalidTariffDocument {
  override name = 'UnsupportedUrdbField';
}

type Json = Record<string, unknown>;

/** Fields that describe the rate without changing the bill. */
const INFORMATIONAL = new Set([
  '_id', 'label', 'uri', 'name', 'utility', 'eiaid', 'sector', 'servicetype', 'description', 'source', 'sourceparent', 'supersedes', 'supersededby',
  'startdate', 'enddate', 'approved', 'is_default', 'isdefault', 'country', 'state', 'voltagecategory', 'phasewiring', 'basicinformationcomments',
  'energycomments', 'demandcomments', 'fixedchargecomments', 'peakkwcapacitymin', 'peakkwcapacitymax', 'peakkwcapacityhistory', 'peakkwhusagemin',
  'peakkwhusagemax', 'peakkwhusagehistory', 'voltageminimum', 'voltagemaximum', 'revisions', 'latest_update', 'demandwindow', 'fixedkeyvals',
  'energykeyvals', 'demandkeyvals', 'servicetype', 'utility_name', 'rateschedule', 'ratename', 'creationdate', 'lastupdate', 'demandunits',
  'flatdemandunit', 'demandrateunit', 'has_net_metering',
]);

/** Fields the import turns into charges. */
const PRICED = new Set([
  'energyratestructure', 'energyweekdayschedule', 'energyweekendschedule', 'demandratestructure', 'demandweekdayschedule', 'demandweekendschedule',
  'flatdemandstructure', 'flatdemandmonths', 'fixedchargefirstmeter', 'fixedchargeunits', 'mincharge', 'minchargeunits', 'demandratchetpercentage',
  'fueladjustmentsmonthly', 'dgrules', 'fixedchargeeaaddl', 'annualmincharge', 'demandreactivepowercharge', 'coincidentratestructure',
  'coincidentrateschedule', 'coincidentrateunit', 'fixedmonthlycharge', 'lookbackpercent', 'lookbackrange', 'lookbackmonths', 'energyattrs', 'demandattrs', 'fixedattrs',
]);

function isEmpty(value: unknown): boolean {
  if (value === undefined || value === null || value === '' || value === false) return true;
  if (typeof value === 'number') return value === 0;
  if (Array.isArray(value)) return value.every(isEmpty);
  if (typeof value === 'object') return Object.values(value as Json).every(isEmpty);
  return false;
}

/** A JSON number or numeric string as a plain decimal string (the shortest text that reads back as the number). */
function decimal(value: unknown, field: string): string {
  if (typeof value === 'number' && Number.isFinite(value)) return new Money(String(value)).toFixed();
  if (typeof value === 'string' && /^-?\d+(\.\d+)?(e[-+]?\d+)?$/i.test(value.trim())) return new Money(value.trim()).toFixed();
  throw new InvalidTariffDocument(`URDB ${field}: ${JSON.stringify(value)} is not a number`);
}

function schedule(value: unknown, field: string): number[][] {
  if (!Array.isArray(value) || value.length !== 12 || !value.every((row) => Array.isArray(row) && row.length === 24 && row.every((p) => Number.isInteger(p) && p >= 0))) {
    throw new InvalidTariffDocument(`URDB ${field} must be 12 rows (months) of 24 whole 0-based period numbers`);
  }
  return value as number[][];
}

interface UrdbTier {
  max?: unknown;
  unit?: unknown;
  rate?: unknown;
  adj?: unknown;
  sell?: unknown;
}

function structure(value: unknown, field: string): UrdbTier[][] {
  if (!Array.isArray(value) || !value.every((period) => Array.isArray(period) && period.length > 0 && period.every((tier) => tier && typeof tier === 'object'))) {
    throw new InvalidTariffDocument(`URDB ${field} must be a list of periods, each a non-empty list of tiers {max, rate, adj ...}`);
  }
  return value as UrdbTier[][];
}

function tierRate(tier: UrdbTier, field: string): string {
  const rate = tier.rate === undefined || tier.rate === null ? new Money(0) : new Money(decimal(tier.rate, `${field}.rate`));
  const adj = tier.adj === undefined || tier.adj === null ? new Money(0) : new Money(decimal(tier.adj, `${field}.adj`));
  return rate.plus(adj).toFixed();
}

function tiersOf(period: UrdbTier[], field: string): Array<{ upTo?: string; rate: string }> {
  return period.map((tier, index) => {
    const last = index === period.length - 1;
    const hasMax = tier.max !== undefined && tier.max !== null && tier.max !== '';
    if (!hasMax && !last) throw new InvalidTariffDocument(`URDB ${field}[${index}]: only the last tier may omit max`);
    const rate = tierRate(tier, `${field}[${index}]`);
    return hasMax && !last ? { upTo: decimal(tier.max, `${field}[${index}].max`), rate } : { rate };
  });
}

const MONTHS = Array.from({ length: 12 }, (_, m) => m + 1);

function percentOf(value: unknown, field: string): string {
  const number = new Money(decimal(value, field));
  return (number.lte(1) ? number.times(100) : number).toFixed();
}

function epochDate(value: unknown): string | undefined {
  if (typeof value === 'number' && Number.isFinite(value)) return dateFromDay(Math.floor(value / 86400));
  if (typeof value === 'string' && /^\d{4}-\d{2}-\d{2}/.test(value)) return value.slice(0, 10);
  return undefined;
}

/** Converts one URDB rate object. */
export function importUrdbItem(item: Json, options: { timeZone?: string } = {}): TariffDocument {
  const unknown = Object.keys(item).filter((key) => !INFORMATIONAL.has(key.toLowerCase()) && !PRICED.has(key.toLowerCase()) && !isEmpty(item[key]));
  if (unknown.length > 0) throw new UnsupportedUrdbField(`URDB rate ${String(item.label ?? item.name ?? '')}: field(s) ${unknown.join(', ')} are not understood by this import; refusing rather than dropping them`);
  const reject = (field: string, why: string) => {
    if (!isEmpty(item[field])) throw new UnsupportedUrdbField(`URDB rate ${String(item.label ?? '')}: ${field} ${why}`);
  };
  reject('fixedchargeeaaddl', '(charge per additional meter) cannot be expressed: the engine rates one meter');
  reject('annualmincharge', '(annual minimum charge) cannot be expressed yet');
  reject('demandreactivepowercharge', '(reactive power charge) cannot be expressed: usage has no kVAR');
  reject('coincidentratestructure', '(coincident demand) cannot be expressed: usage has no system peak');
  reject('coincidentrateschedule', '(coincident demand) cannot be expressed: usage has no system peak');
  reject('lookbackpercent', '(lookback demand minimum) cannot be expressed yet; demandratchetpercentage is supported');
  reject('lookbackrange', '(lookback demand minimum) cannot be expressed yet');
  reject('lookbackmonths', '(lookback demand minimum) cannot be expressed yet');
  reject('energyattrs', '(energy attributes) may change the bill and cannot be expressed');
  reject('demandattrs', '(demand attributes) may change the bill and cannot be expressed');
  reject('fixedattrs', '(fixed charge attributes) may change the bill and cannot be expressed');
  for (const field of ['demandunits', 'flatdemandunit', 'demandrateunit']) {
    const unit = item[field];
    if (unit !== undefined && unit !== null && unit !== '' && unit !== 'kW') throw new UnsupportedUrdbField(`URDB ${field} ${JSON.stringify(unit)}: only kW demand can be derived from interval energy`);
  }

  const charges: Charge[] = [];
  const label = String(item.label ?? 'urdb');
  // Fixed charge.
  if (!isEmpty(item.fixedchargefirstmeter)) {
    const units = String(item.fixedchargeunits ?? '$/month');
    if (units !== '$/month' && units !== '$/day') throw new UnsupportedUrdbField(`URDB fixedchargeunits ${JSON.stringify(units)}: only $/month and $/day can be expressed`);
    charges.push({ kind: 'fixed', id: 'fixed', description: 'Fixed charge', per: units === '$/day' ? 'day' : 'bill', amount: decimal(item.fixedchargefirstmeter, 'fixedchargefirstmeter') });
  }
  // Legacy URDB field (before fixedchargefirstmeter): a fixed charge in $/month.
  if (!isEmpty(item.fixedmonthlycharge)) {
    if (!isEmpty(item.fixedchargefirstmeter)) throw new UnsupportedUrdbField('URDB rate has both fixedmonthlycharge and fixedchargefirstmeter: which one applies is ambiguous');
    charges.push({ kind: 'fixed', id: 'fixed', description: 'Fixed monthly charge', per: 'bill', amount: decimal(item.fixedmonthlycharge, 'fixedmonthlycharge') });
  }
  // Energy charges: one per period, tiers on the month's total energy (SAM).
  let energySchedule: TariffVersion['energySchedule'];
  let sellRates: string[] | undefined;
  if (!isEmpty(item.energyratestructure) || Array.isArray(item.energyratestructure)) {
    const periods = structure(item.energyratestructure, 'energyratestructure');
    const weekday = schedule(item.energyweekdayschedule, 'energyweekdayschedule');
    const weekend = schedule(item.energyweekendschedule ?? item.energyweekdayschedule, 'energyweekendschedule');
    for (const matrix of [weekday, weekend]) for (const row of matrix) for (const p of row) if (p >= periods.length) throw new InvalidTariffDocument(`URDB energy schedule names period ${p}, but energyratestructure has ${periods.length} periods (schedules are 0-based)`);
    energySchedule = { weekday, weekend };
    const sells: Array<string | undefined> = [];
    periods.forEach((period, p) => {
      const units = new Set(period.map((tier) => String(tier.unit ?? 'kWh')));
      if (units.size > 1) throw new UnsupportedUrdbField(`URDB energyratestructure[${p}] mixes tier units ${[...units].join(', ')}`);
      const unit = [...units][0]!;
      const per = unit === 'kWh' ? 'bill' : unit === 'kWh daily' ? 'day' : unit === 'kWh/kW' ? 'kW' : undefined;
      if (!per) throw new UnsupportedUrdbField(`URDB energyratestructure[${p}] tier unit ${JSON.stringify(unit)}: only kWh, kWh daily and kWh/kW can be expressed`);
      const periodSells = new Set(period.map((tier) => (tier.sell === undefined || tier.sell === null ? '0' : decimal(tier.sell, `energyratestructure[${p}].sell`))));
      if (periodSells.size > 1) throw new UnsupportedUrdbField(`URDB energyratestructure[${p}]: sell rates that differ by tier cannot be expressed`);
      sells.push([...periodSells][0]);
      charges.push({ kind: 'energy', id: `energy-${p}`, description: 'Energy charge', periods: [p], tiers: tiersOf(period, `energyratestructure[${p}]`), tierBasis: 'total', tierLimitPer: per, basis: 'metered' });
    });
    if (sells.some((sell) => sell !== undefined && !new Money(sell).isZero())) sellRates = sells.map((sell) => sell ?? '0');
  }
  // Fuel adjustments by month ($/kWh).
  if (!isEmpty(item.fueladjustmentsmonthly)) {
    const values = item.fueladjustmentsmonthly;
    if (!Array.isArray(values) || values.length !== 12) throw new InvalidTariffDocument('URDB fueladjustmentsmonthly must list 12 monthly $/kWh values');
    const byRate = new Map<string, number[]>();
    values.forEach((value, m) => {
      const rate = decimal(value, `fueladjustmentsmonthly[${m}]`);
      if (!new Money(rate).isZero()) byRate.set(rate, [...(byRate.get(rate) ?? []), m + 1]);
    });
    for (const [rate, months] of byRate) charges.push({ kind: 'rider', basis: 'usage', description: 'Fuel adjustment', rate, months, category: 'base' });
  }
  // TOU demand.
  let demandSchedule: TariffVersion['demandSchedule'];
  if (!isEmpty(item.demandratestructure)) {
    const periods = structure(item.demandratestructure, 'demandratestructure');
    const weekday = schedule(item.demandweekdayschedule, 'demandweekdayschedule');
    const weekend = schedule(item.demandweekendschedule ?? item.demandweekdayschedule, 'demandweekendschedule');
    for (const matrix of [weekday, weekend]) for (const row of matrix) for (const p of row) if (p >= periods.length) throw new InvalidTariffDocument(`URDB demand schedule names period ${p}, but demandratestructure has ${periods.length} periods (schedules are 0-based)`);
    demandSchedule = { weekday, weekend };
    periods.forEach((period, p) => {
      const tiers = tiersOf(period, `demandratestructure[${p}]`);
      if (tiers.every((tier) => new Money(tier.rate).isZero())) return;
      charges.push({ kind: 'demand', id: `demand-${p}`, description: 'TOU demand charge', periods: [p], tiers });
    });
  }
  // Flat (monthly peak) demand, with ratchets.
  const ratchets = isEmpty(item.demandratchetpercentage) ? undefined : item.demandratchetpercentage;
  if (ratchets !== undefined && (!Array.isArray(ratchets) || ratchets.length !== 12)) throw new InvalidTariffDocument('URDB demandratchetpercentage must list 12 monthly values');
  if (!isEmpty(item.flatdemandstructure)) {
    const periods = structure(item.flatdemandstructure, 'flatdemandstructure');
    const months = item.flatdemandmonths ?? MONTHS.map(() => 0);
    if (!Array.isArray(months) || months.length !== 12 || !months.every((p) => Number.isInteger(p) && p >= 0 && p < periods.length)) {
      throw new InvalidTariffDocument(`URDB flatdemandmonths must list 12 0-based indexes into flatdemandstructure (${periods.length} periods)`);
    }
    const groups = new Map<string, { period: number; percent: string; months: number[] }>();
    (months as number[]).forEach((p, m) => {
      const percent = ratchets ? percentOf((ratchets as unknown[])[m], `demandratchetpercentage[${m}]`) : '0';
      const key = `${p}|${percent}`;
      const group = groups.get(key) ?? { period: p, percent, months: [] };
      group.months.push(m + 1);
      groups.set(key, group);
    });
    for (const group of groups.values()) {
      const tiers = tiersOf(periods[group.period]!, `flatdemandstructure[${group.period}]`);
      if (tiers.every((tier) => new Money(tier.rate).isZero()) && new Money(group.percent).isZero()) continue;
      charges.push({
        kind: 'demand',
        description: 'Demand charge',
        months: group.months,
        tiers,
        ...(new Money(group.percent).isZero() ? {} : { ratchet: { percent: group.percent, lookbackMonths: 11 } }),
      });
    }
  } else if (ratchets !== undefined) {
    throw new UnsupportedUrdbField('URDB demandratchetpercentage without flatdemandstructure cannot be expressed: the ratchet applies to the monthly (flat) demand');
  }
  // Minimum charge (after the base charges).
  if (!isEmpty(item.mincharge)) {
    const units = String(item.minchargeunits ?? '$/month');
    if (units !== '$/month' && units !== '$/day') throw new UnsupportedUrdbField(`URDB minchargeunits ${JSON.stringify(units)}: only $/month and $/day can be expressed (annual minimums are not supported yet)`);
    charges.push({ kind: 'minimum', description: 'Minimum charge', per: units === '$/day' ? 'day' : 'bill', amount: decimal(item.mincharge, 'mincharge') });
  }
  // Distributed generation rules.
  let netMetering: NetMetering | undefined;
  const rules = item.dgrules === undefined || item.dgrules === null || item.dgrules === '' ? undefined : String(item.dgrules);
  if (rules === 'Buy All Sell All') throw new UnsupportedUrdbField('URDB dgrules "Buy All Sell All" cannot be expressed: usage is one net channel');
  if (rules !== undefined && !['Net Metering', 'Net Billing Instantaneous', 'Net Billing Hourly'].includes(rules)) throw new UnsupportedUrdbField(`URDB dgrules ${JSON.stringify(rules)} is not known`);
  if (rules === 'Net Metering') {
    netMetering = { mode: 'monthly-net', sellRates: sellRates ?? ['0'], trueUpMonth: 12, trueUpRate: '0' };
  } else if (rules !== undefined || sellRates) {
    netMetering = { mode: 'net-billing', sellRates: sellRates ?? ['0'] };
  }
  if (charges.length === 0) throw new InvalidTariffDocument(`URDB rate ${label} has no charges this import understands`);

  const start = epochDate(item.startdate);
  const end = epochDate(item.enddate);
  const version: TariffVersion = {
    effectiveFrom: '1900-01-01',
    ...(energySchedule ? { energySchedule } : {}),
    ...(demandSchedule ? { demandSchedule } : {}),
    ...(netMetering ? { netMetering } : {}),
    charges,
  };
  return parseTariffDocument({
    format: 'cis-tariff/1',
    tariffId: label,
    name: String(item.name ?? label),
    utility: item.utility === undefined ? undefined : String(item.utility),
    source: `OpenEI URDB ${label}${item.uri ? ` (${String(item.uri)})` : ''}${start ? `, startdate ${start}` : ''}${end ? `, enddate ${end}` : ''}`,
    unit: 'kWh',
    timeZone: options.timeZone ?? 'UTC',
    versions: [version],
  });
}

/** Items of a URDB document: one rate, `{"items":[...]}` or an array of rates. */
export function urdbItems(json: unknown): Json[] {
  if (Array.isArray(json)) return json as Json[];
  if (json && typeof json === 'object' && Array.isArray((json as Json).items)) return (json as { items: Json[] }).items;
  if (json && typeof json === 'object') return [json as Json];
  throw new InvalidTariffDocument('URDB: expected a rate object, {"items":[...]} or an array of rates');
}

export function isUrdbDocument(json: unknown): boolean {
  const items = (() => {
    try {
      return urdbItems(json);
    } catch {
      return [];
    }
  })();
  return items.length > 0 && items.every((item) => item && typeof item === 'object' && !('format' in item) && ('label' in item || 'energyratestructure' in item || 'fixedchargefirstmeter' in item || 'utility' in item));
}

/**
 * The tariff document of a URDB file: the only item, or the one whose label is `label`.
 */
export function importUrdb(json: unknown, options: { label?: string; timeZone?: string } = {}): TariffDocument {
  const items = urdbItems(json);
  if (items.length === 0) throw new InvalidTariffDocument('URDB: the document has no items');
  let item: Json | undefined;
  if (options.label !== undefined) {
    item = items.find((candidate) => candidate.label === options.label);
    if (!item) throw new InvalidTariffDocument(`URDB: no item with label ${options.label} (labels: ${items.map((i) => String(i.label)).slice(0, 20).join(', ')})`);
  } else if (items.length === 1) {
    item = items[0]!;
  } else {
    throw new InvalidTariffDocument(`URDB: the document has ${items.length} items; choose one by label (${items.map((i) => String(i.label)).slice(0, 20).join(', ')})`);
  }
  return importUrdbItem(item, options);
}
