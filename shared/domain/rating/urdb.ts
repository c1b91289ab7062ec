/**
 * Import of OpenEI Utility Rate Database (URDB) tariffs, API v7 JSON or the bulk JSON file:
 * one rate object, `{"items":[...]}` or an array. Follows the URDB v7 field documentation, and
 * NREL SAM (ssc `utilityrate5`, as PySAM's URDBv8_to_ElectricityRates feeds it) where the
 * documentation is silent:
 * - schedules are 12x24 matrices of 0-based period indexes (month rows, hour columns);
 * - tier `max` is the cumulative upper limit (a `max` on the last tier does not end it: usage
 *   above it stays in the last tier); tier units 'kWh' (per month), 'kWh daily' (per day, times
 *   the days billed), 'kWh/kW' (per kW of the month's billing demand: the peak, raised by a
 *   lookback or ratchet of the monthly demand, as SAM's billing_demand) and 'kWh/kW daily'
 *   (per kW per day);
 * - energy tiers apply to the month's total energy, each period's share spread in proportion
 *   (SAM's monthly reconciliation); under dgrules 'Net Billing Instantaneous' or 'Net Billing
 *   Hourly' SAM prices each time step, so the month's imports fill the tiers in time order
 *   (tierBasis 'chronological');
 * - the effective rate of a tier is rate + adj; `sell` is the export rate (net metering);
 * - fixedchargefirstmeter, and fixedchargeeaaddl once per meter beyond the first (rating context
 *   `meters`, `cis rate --meters N`; 1 when absent, so no extra charge), in fixedchargeunits
 *   '$/month', '$/day' or '$/year'; the legacy fixedmonthlycharge ($/month);
 * - mincharge in '$/month' or '$/day' (or the legacy minmonthlycharge) is a minimum on each bill,
 *   compared, as in SAM, with the bill's charges less its export credits (at least zero); in '$/year', like
 *   annualmincharge, an annual minimum: SAM charges, on the December bill, the annual minimum less
 *   the sum of the year's bills before their monthly minimums (each at least zero), when positive
 *   (see AnnualMinimum in schema.ts and rateMonths);
 * - demandratestructure prices the peak of each demand TOU period, flatdemandstructure with
 *   flatdemandmonths the month's overall peak; demandratchetpercentage (one per month, a fraction
 *   such as 0.8 or a percent such as 80) is a ratchet on the highest peak of the 11 previous
 *   months (as REopt reads it);
 * - lookbackpercent (a fraction) with lookbackrange (months; 12 when absent) and lookbackmonths
 *   (12 flags: the months whose peaks count; all when absent) is a ratchet of the monthly (flat)
 *   demand, or of each TOU demand period when the rate has no flat demand: billing demand =
 *   max(this month's peak, percent x the highest counted peak of the previous lookbackrange
 *   months). Earlier bills of the same run (and `demandHistory`) supply those peaks.
 * - energyattrs, demandattrs and fixedattrs are not priced (SAM ignores them too): each attribute
 *   is kept in the document's `notes`, which `cis rate` prints as one warning line each on stderr.
 *
 * Where SAM (or PySAM's mapping) differs from the tariff's plain meaning, the plain meaning wins:
 * - '$/day' fixed and minimum charges are the amount per day times the days billed (PySAM turns
 *   them into amount x 365/30 per month); '$/year' fixed charges are a twelfth per monthly bill;
 * - 'kWh daily' limits multiply the days of the bill (SAM uses the days of the month of a
 *   365-day year: 28 in a leap February);
 * - PySAM leaves SAM's "use the current month's peak" lookback flag off, so SAM can bill less
 *   than the month's own peak (e.g. 80% of it); here the billing demand is never below the
 *   month's peak. PySAM also sets every month's lookback percent when any lookbackmonths flag is
 *   set (one shared list); here only the flagged months' peaks count. SAM does not read
 *   demandratchetpercentage; REopt does, and so does this import. SAM replaces each TOU period's
 *   demand by the flat billing demand under a lookback; here a lookback raises the flat demand
 *   when there is one, else each TOU period's own peak;
 * - SAM's net metering rolls a period's surplus kWh into the next month's period at the same time
 *   of day and credits the December surplus at ur_nm_yearend_sell_rate (0 unless set); here the
 *   surplus kWh are banked per bill, offset later imports in proportion, and the December balance
 *   is paid at 0;
 * - fueladjustmentsmonthly ($/kWh by month) is charged on the month's energy (PySAM does not map
 *   it, so SAM leaves it out);
 * - dgrules absent is read as 'Net Metering', as PySAM does (metering option 0); 'Net Billing
 *   Hourly' is PySAM's option 3, net billing whose surplus credit dollars carry to the next
 *   month's energy charges: here, as under 'Net Billing Instantaneous', the credit stays on the
 *   bill it was earned on (a bill may be negative), so months differ but a year whose credits
 *   are used up by December totals the same;
 * - dates: a single item applies whatever the usage dates (as in SAM; startdate/enddate are noted
 *   in `source`); with `history`, the items of one rate become effective-dated versions.
 * Still refused, with a message naming the field: kVA/kVAR/hp demand units, reactive power
 * charges, coincident demand, 'Buy All Sell All' (usage is one net channel), tier units other
 * than the four above, sell rates that differ by tier, and any unknown field.
 */
import { Money } from '../money';
import { InvalidTariffDocument, parseTariffDocument, type ChargeInput, type NetMetering, type TariffDocument, type TariffVersionInput } from './schema';
import { dateFromDay, dayFromDate } from './time';

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
  // The IURDB rate page's JSON export (camelCase, 'supercedes' as URDB spells it): applicability and units.
  'supercedes', 'sourcereference', 'mindemand', 'maxdemand', 'servicemax', 'flatdemandunits', 'demandrateunits',
]);

/** Fields the import turns into charges. */
const PRICED = new Set([
  'energyratestructure', 'energyweekdayschedule', 'energyweekendschedule', 'demandratestructure', 'demandweekdayschedule', 'demandweekendschedule',
  'flatdemandstructure', 'flatdemandmonths', 'fixedchargefirstmeter', 'fixedchargeunits', 'mincharge', 'minchargeunits', 'demandratchetpercentage',
  'fueladjustmentsmonthly', 'dgrules', 'fixedchargeeaaddl', 'annualmincharge', 'demandreactivepowercharge', 'coincidentratestructure',
  'coincidentrateschedule', 'coincidentrateunit', 'fixedmonthlycharge', 'minmonthlycharge', 'lookbackpercent', 'lookbackrange', 'lookbackmonths', 'energyattrs', 'demandattrs', 'fixedattrs',
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

/** A demand structure: its tiers are in kW (the only demand interval energy gives). */
function demandStructure(value: unknown, field: string): UrdbTier[][] {
  const periods = structure(value, field);
  periods.forEach((period, p) =>
    period.forEach((tier, t) => {
      if (tier.unit !== undefined && tier.unit !== null && tier.unit !== '' && String(tier.unit).toLowerCase() !== 'kw') {
        throw new UnsupportedUrdbField(`URDB ${field}[${p}][${t}] unit ${JSON.stringify(tier.unit)}: only kW demand can be derived from interval energy`);
      }
    }),
  );
  return periods;
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

/** What a URDB minimum compares with: the bill's charges less its export credits (SAM's monthly bill, at least zero). */
const MINIMUM_COUNTS = ['base', 'net-metering'];

/** URDB tier units (case as written varies) and the tier limit basis they mean. */
const TIER_UNITS: Record<string, 'bill' | 'day' | 'kW' | 'kW-day'> = { kwh: 'bill', 'kwh daily': 'day', 'kwh/kw': 'kW', 'kwh/kw daily': 'kW-day' };

function percentOf(value: unknown, field: string): string {
  const number = new Money(decimal(value, field));
  return (number.lte(1) ? number.times(100) : number).toFixed();
}

function epochDate(value: unknown): string | undefined {
  if (typeof value === 'number' && Number.isFinite(value)) return dateFromDay(Math.floor(value / 86400));
  if (typeof value === 'string' && /^\d{4}-\d{2}-\d{2}/.test(value)) return value.slice(0, 10);
  return undefined;
}

/** One note per attribute of URDB energyattrs/demandattrs/fixedattrs (a list of {name: value} objects, or one object). */
function attributeNotes(item: Json, label: string): string[] {
  const notes: string[] = [];
  for (const field of ['energyattrs', 'demandattrs', 'fixedattrs']) {
    const value = item[field];
    if (isEmpty(value)) continue;
    const entries = Array.isArray(value) ? value : [value];
    for (const entry of entries) {
      if (entry && typeof entry === 'object' && !Array.isArray(entry)) {
        for (const [name, text] of Object.entries(entry as Json)) notes.push(`URDB ${label} ${field}: ${JSON.stringify(name)} = ${JSON.stringify(text)} is not priced by this rating (the tariff's own text; check it applies)`);
      } else if (!isEmpty(entry)) {
        notes.push(`URDB ${label} ${field}: ${JSON.stringify(entry)} is not priced by this rating (the tariff's own text; check it applies)`);
      }
    }
  }
  return notes;
}

type Per = 'bill' | 'day' | 'year';
function perOfUnits(units: string, field: string): Per {
  if (units === '$/month') return 'bill';
  if (units === '$/day') return 'day';
  if (units === '$/year') return 'year';
  throw new UnsupportedUrdbField(`URDB ${field} ${JSON.stringify(units)}: only $/month, $/day and $/year can be expressed`);
}

/** A URDB 12-month list of booleans (true/false or 1/0). */
function monthFlags(value: unknown, field: string): number[] {
  if (!Array.isArray(value) || value.length !== 12 || !value.every((flag) => typeof flag === 'boolean' || flag === 0 || flag === 1)) {
    throw new InvalidTariffDocument(`URDB ${field} must list 12 booleans (one per month)`);
  }
  return value.flatMap((flag, m) => (flag === true || flag === 1 ? [m + 1] : []));
}

/**
 * The item with its field names in lower case: the API writes them so, the IURDB page export in
 * camelCase (dgRules, flatDemandUnits); both spellings of one field are refused as ambiguous.
 */
function lowerCaseKeys(item: Json): Json {
  const lower: Json = {};
  for (const [key, value] of Object.entries(item)) {
    const name = key.toLowerCase();
    if (name in lower) throw new InvalidTariffDocument(`URDB rate ${String(item.label ?? '')}: field ${key} is given twice (in different letter case)`);
    lower[name] = value;
  }
  return lower;
}

/** Converts one URDB rate object. */
export function importUrdbItem(written: Json, options: { timeZone?: string } = {}): TariffDocument {
  const item = lowerCaseKeys(written);
  const label = String(item.label ?? 'urdb');
  const unknown = Object.keys(written).filter((key) => !INFORMATIONAL.has(key.toLowerCase()) && !PRICED.has(key.toLowerCase()) && !isEmpty(written[key]));
  if (unknown.length > 0) throw new UnsupportedUrdbField(`URDB rate ${String(item.label ?? item.name ?? '')}: field(s) ${unknown.join(', ')} are not understood by this import; refusing rather than dropping them`);
  const reject = (field: string, why: string) => {
    if (!isEmpty(item[field])) throw new UnsupportedUrdbField(`URDB rate ${String(item.label ?? '')}: ${field} ${why}`);
  };
  reject('demandreactivepowercharge', '(reactive power charge) cannot be expressed: usage has no kVAR');
  reject('coincidentratestructure', '(coincident demand) cannot be expressed: usage has no system peak');
  reject('coincidentrateschedule', '(coincident demand) cannot be expressed: usage has no system peak');
  for (const field of ['demandunits', 'flatdemandunit', 'demandrateunit', 'flatdemandunits', 'demandrateunits']) {
    const unit = item[field];
    if (unit !== undefined && unit !== null && unit !== '' && unit !== 'kW') throw new UnsupportedUrdbField(`URDB ${field} ${JSON.stringify(unit)}: only kW demand can be derived from interval energy (kVA and hp cannot)`);
  }

  const charges: ChargeInput[] = [];
  // Fixed charges: the first meter, and each additional meter (rating context `meters`).
  const fixedUnits = String(item.fixedchargeunits ?? '$/month');
  if (!isEmpty(item.fixedchargefirstmeter)) {
    charges.push({ kind: 'fixed', id: 'fixed', description: 'Fixed charge', per: perOfUnits(fixedUnits, 'fixedchargeunits'), amount: decimal(item.fixedchargefirstmeter, 'fixedchargefirstmeter') });
  }
  if (!isEmpty(item.fixedchargeeaaddl)) {
    charges.push({ kind: 'fixed', id: 'fixed-additional', description: 'Fixed charge per additional meter', per: perOfUnits(fixedUnits, 'fixedchargeunits'), appliesTo: 'each-additional-meter', amount: decimal(item.fixedchargeeaaddl, 'fixedchargeeaaddl') });
  }
  // Legacy URDB field (before fixedchargefirstmeter): a fixed charge in $/month.
  if (!isEmpty(item.fixedmonthlycharge)) {
    if (!isEmpty(item.fixedchargefirstmeter)) throw new UnsupportedUrdbField('URDB rate has both fixedmonthlycharge and fixedchargefirstmeter: which one applies is ambiguous');
    charges.push({ kind: 'fixed', id: 'fixed', description: 'Fixed monthly charge', per: 'bill', amount: decimal(item.fixedmonthlycharge, 'fixedmonthlycharge') });
  }
  // Energy charges: one per period, tiers on the month's total energy (SAM); under net billing SAM
  // prices each time step, so the tiers fill in time order.
  const netBilling = item.dgrules === 'Net Billing Instantaneous' || item.dgrules === 'Net Billing Hourly';
  let energySchedule: TariffVersionInput['energySchedule'];
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
      const per = TIER_UNITS[unit.toLowerCase()];
      if (!per) throw new UnsupportedUrdbField(`URDB energyratestructure[${p}] tier unit ${JSON.stringify(unit)}: only kWh, kWh daily, kWh/kW and kWh/kW daily can be expressed`);
      const periodSells = new Set(period.map((tier) => (tier.sell === undefined || tier.sell === null ? '0' : decimal(tier.sell, `energyratestructure[${p}].sell`))));
      if (periodSells.size > 1) throw new UnsupportedUrdbField(`URDB energyratestructure[${p}]: sell rates that differ by tier cannot be expressed`);
      sells.push([...periodSells][0]);
      charges.push({ kind: 'energy', id: `energy-${p}`, description: 'Energy charge', periods: [p], tiers: tiersOf(period, `energyratestructure[${p}]`), tierBasis: netBilling ? 'chronological' : 'total', tierLimitPer: per, basis: 'metered' });
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
  // Ratchets: demandratchetpercentage (per bill month, on the 11 previous months' peaks), or the
  // lookback fields (a share of the highest peak of the previous lookbackrange months, counting
  // only the months flagged in lookbackmonths).
  const ratchets = isEmpty(item.demandratchetpercentage) ? undefined : item.demandratchetpercentage;
  if (ratchets !== undefined && (!Array.isArray(ratchets) || ratchets.length !== 12)) throw new InvalidTariffDocument('URDB demandratchetpercentage must list 12 monthly values');
  let lookback: { percent: string; lookbackMonths: number; monthsCounted?: number[] } | undefined;
  if (!isEmpty(item.lookbackpercent)) {
    if (ratchets !== undefined) throw new UnsupportedUrdbField('URDB rate has both demandratchetpercentage and lookbackpercent: which ratchet applies is ambiguous');
    const range = isEmpty(item.lookbackrange) ? 12 : Number(item.lookbackrange);
    if (!Number.isInteger(range) || range < 1 || range > 36) throw new InvalidTariffDocument(`URDB lookbackrange ${JSON.stringify(item.lookbackrange)} must be a whole number of months (1..36)`);
    const counted = isEmpty(item.lookbackmonths) ? undefined : monthFlags(item.lookbackmonths, 'lookbackmonths');
    lookback = { percent: percentOf(item.lookbackpercent, 'lookbackpercent'), lookbackMonths: range, ...(counted ? { monthsCounted: counted } : {}) };
  }
  // A flat demand structure counts even at a zero rate when a lookback raises its billing demand (kWh/kW tiers use it).
  const hasFlatDemand = !isEmpty(item.flatdemandstructure) || (lookback !== undefined && Array.isArray(item.flatdemandstructure) && item.flatdemandstructure.length > 0);
  // TOU demand.
  let demandSchedule: TariffVersionInput['demandSchedule'];
  if (!isEmpty(item.demandratestructure)) {
    const periods = demandStructure(item.demandratestructure, 'demandratestructure');
    const weekday = schedule(item.demandweekdayschedule, 'demandweekdayschedule');
    const weekend = schedule(item.demandweekendschedule ?? item.demandweekdayschedule, 'demandweekendschedule');
    for (const matrix of [weekday, weekend]) for (const row of matrix) for (const p of row) if (p >= periods.length) throw new InvalidTariffDocument(`URDB demand schedule names period ${p}, but demandratestructure has ${periods.length} periods (schedules are 0-based)`);
    demandSchedule = { weekday, weekend };
    periods.forEach((period, p) => {
      const tiers = tiersOf(period, `demandratestructure[${p}]`);
      if (tiers.every((tier) => new Money(tier.rate).isZero())) return;
      // Without a monthly demand charge, the lookback applies to each TOU period's demand.
      charges.push({ kind: 'demand', id: `demand-${p}`, description: 'TOU demand charge', periods: [p], tiers, ...(lookback && !hasFlatDemand ? { ratchet: lookback } : {}) });
    });
  }
  // Flat (monthly peak) demand, with ratchets.
  if (hasFlatDemand) {
    const periods = demandStructure(item.flatdemandstructure, 'flatdemandstructure');
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
      const ratchet = lookback ?? (new Money(group.percent).isZero() ? undefined : { percent: group.percent, lookbackMonths: 11 });
      if (tiers.every((tier) => new Money(tier.rate).isZero()) && !ratchet) continue;
      charges.push({ kind: 'demand', description: 'Demand charge', months: group.months, tiers, ...(ratchet ? { ratchet } : {}) });
    }
  } else if (ratchets !== undefined) {
    throw new UnsupportedUrdbField('URDB demandratchetpercentage without flatdemandstructure cannot be expressed: the ratchet applies to the monthly (flat) demand');
  } else if (lookback && !charges.some((charge) => charge.kind === 'demand')) {
    throw new UnsupportedUrdbField('URDB lookbackpercent without a demand charge cannot be expressed: there is no demand to raise');
  }
  // Minimum charges (after the base charges): monthly or daily on each bill, yearly as an annual minimum.
  let annualMinimum: { amount: string; description: string } | undefined;
  if (!isEmpty(item.mincharge)) {
    const per = perOfUnits(String(item.minchargeunits ?? '$/month'), 'minchargeunits');
    if (per === 'year') annualMinimum = { description: 'Annual minimum charge', amount: decimal(item.mincharge, 'mincharge') };
    else charges.push({ kind: 'minimum', description: 'Minimum charge', per, amount: decimal(item.mincharge, 'mincharge'), appliesTo: MINIMUM_COUNTS });
  }
  // Legacy URDB field (before mincharge/minchargeunits): a minimum in $/month.
  if (!isEmpty(item.minmonthlycharge)) {
    if (!isEmpty(item.mincharge)) throw new UnsupportedUrdbField('URDB rate has both minmonthlycharge and mincharge: which one applies is ambiguous');
    charges.push({ kind: 'minimum', description: 'Minimum monthly charge', per: 'bill', amount: decimal(item.minmonthlycharge, 'minmonthlycharge'), appliesTo: MINIMUM_COUNTS });
  }
  if (!isEmpty(item.annualmincharge)) {
    if (annualMinimum) throw new UnsupportedUrdbField('URDB rate has both annualmincharge and a mincharge in $/year: which annual minimum applies is ambiguous');
    annualMinimum = { description: 'Annual minimum charge', amount: decimal(item.annualmincharge, 'annualmincharge') };
  }
  // Distributed generation rules.
  let netMetering: NetMetering | undefined;
  const rules = item.dgrules === undefined || item.dgrules === null || item.dgrules === '' ? undefined : String(item.dgrules);
  if (rules === 'Buy All Sell All') throw new UnsupportedUrdbField('URDB dgrules "Buy All Sell All" cannot be expressed: usage is one net channel (delivered and received are not given apart)');
  if (rules !== undefined && !['Net Metering', 'Net Billing Instantaneous', 'Net Billing Hourly'].includes(rules)) throw new UnsupportedUrdbField(`URDB dgrules ${JSON.stringify(rules)} is not known`);
  // Without dgrules SAM (PySAM) assumes net metering, so exports are netted and banked the same way.
  if (rules === 'Net Metering' || rules === undefined) {
    netMetering = { mode: 'monthly-net', sellRates: sellRates ?? ['0'], trueUpMonth: 12, trueUpRate: '0' };
  } else {
    netMetering = { mode: 'net-billing', sellRates: sellRates ?? ['0'] };
  }
  if (charges.length === 0) throw new InvalidTariffDocument(`URDB rate ${label} has no charges this import understands`);

  const start = epochDate(item.startdate);
  const end = epochDate(item.enddate);
  const version: TariffVersionInput = {
    effectiveFrom: '1900-01-01',
    ...(energySchedule ? { energySchedule } : {}),
    ...(demandSchedule ? { demandSchedule } : {}),
    ...(netMetering ? { netMetering } : {}),
    ...(annualMinimum ? { annualMinimum } : {}),
    charges,
  };
  const notes = attributeNotes(item, label);
  return parseTariffDocument({
    format: 'cis-tariff/1',
    tariffId: label,
    name: String(item.name ?? label),
    utility: item.utility === undefined ? undefined : String(item.utility),
    source: `OpenEI URDB ${label}${item.uri ? ` (${String(item.uri)})` : ''}${start ? `, startdate ${start}` : ''}${end ? `, enddate ${end}` : ''}`,
    unit: 'kWh',
    timeZone: options.timeZone ?? 'UTC',
    ...(notes.length > 0 ? { notes } : {}),
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

export interface UrdbImportOptions {
  /** The item to use when the file has several (with `history`: the rate whose items are used). */
  label?: string;
  timeZone?: string;
  /** Build effective-dated versions from the items of one rate (same utility and name) by startdate. */
  history?: boolean;
}

/**
 * The tariff document of a URDB file: the only item, or the one whose label is `label`; with
 * `history`, every item of that rate as effective-dated versions.
 */
export function importUrdb(json: unknown, options: UrdbImportOptions = {}): TariffDocument {
  const items = urdbItems(json);
  if (items.length === 0) throw new InvalidTariffDocument('URDB: the document has no items');
  const labels = () => items.map((i) => String(i.label)).slice(0, 20).join(', ');
  let item: Json | undefined;
  if (options.label !== undefined) {
    item = items.find((candidate) => candidate.label === options.label);
    if (!item) throw new InvalidTariffDocument(`URDB: no item with label ${options.label} (labels: ${labels()})`);
  } else if (items.length === 1 || options.history) {
    item = items[0]!;
  } else {
    throw new InvalidTariffDocument(`URDB: the document has ${items.length} items; choose one by label (${labels()}), or give history to date them as versions of one rate`);
  }
  if (!options.history) return importUrdbItem(item, options);
  return importUrdbHistory(items, item, options);
}

const rateKey = (item: Json) => `${String(item.utility ?? '')}|${String(item.name ?? '')}`;

/**
 * Effective-dated versions from the items of one rate (the chosen item's utility and name): each
 * item is in effect from its startdate to the day before the next item's startdate; the latest
 * stays in effect (its enddate is noted in `source`, like a single item's). Usage before the
 * earliest startdate has no version and is refused by the engine.
 */
function importUrdbHistory(items: Json[], chosen: Json, options: UrdbImportOptions): TariffDocument {
  const key = rateKey(chosen);
  const group = items.filter((item) => rateKey(item) === key);
  if (options.label === undefined && group.length !== items.length) {
    const rates = [...new Set(items.map(rateKey))].map((k) => k.replace('|', ': ')).slice(0, 10).join('; ');
    throw new InvalidTariffDocument(`URDB: the items are several rates (${rates}); choose one with a label`);
  }
  const dated = group.map((item) => {
    const start = epochDate(item.startdate);
    if (!start) throw new InvalidTariffDocument(`URDB item ${String(item.label)}: a dated version needs a startdate`);
    return { item, start, doc: importUrdbItem(item, options) };
  });
  dated.sort((a, b) => (a.start < b.start ? -1 : a.start > b.start ? 1 : 0));
  for (let i = 1; i < dated.length; i++) {
    if (dated[i]!.start === dated[i - 1]!.start) throw new InvalidTariffDocument(`URDB items ${String(dated[i - 1]!.item.label)} and ${String(dated[i]!.item.label)} both start on ${dated[i]!.start}: which one applies is ambiguous`);
  }
  const versions = dated.map(({ start, doc }, i) => {
    const next = dated[i + 1];
    const { effectiveFrom: _from, ...rest } = doc.versions[0]!;
    return { ...rest, effectiveFrom: start, ...(next ? { effectiveTo: dateFromDay(dayFromDate(next.start) - 1) } : {}) };
  });
  const latest = dated[dated.length - 1]!;
  const notes = dated.flatMap(({ doc }) => doc.notes ?? []);
  return parseTariffDocument({
    ...latest.doc,
    source: dated.map(({ doc }) => doc.source).join('; '),
    ...(notes.length > 0 ? { notes } : {}),
    versions,
  });
}
