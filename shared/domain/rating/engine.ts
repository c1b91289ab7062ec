/**
 * The rating engine: one bill for one period from interval usage and an effective-dated tariff.
 *
 * How a bill is rated:
 * 1. The period is split where the tariff changes (one segment per version in effect). Per-bill
 *    amounts and per-bill tier limits of a segment are prorated by segment days / reference days,
 *    where the reference is the full period (`context.fullPeriodDays`, for partial first and
 *    final bills) or else the period itself; per-day amounts count the segment's days.
 * 2. Each segment's intervals are added up in integers: micro-units per energy period (imports
 *    and exports apart), micro-kW peaks per demand period, through a 2x12x24 lookup
 *    (weekday/weekend-or-holiday x month x hour).
 * 3. The version's charges run in order and make lines. Quantities stay integers until a line is
 *    priced; each line is rounded once with its own rule (half-up to cents by default), after an
 *    optional rounding of the quantity (per-unit rounding before multiplying).
 * 4. The total is the sum of the rounded lines.
 */
import { Decimal } from 'decimal.js';
import { RuleViolation } from '../errors';
import { Money } from '../money';
import type { Charge, DemandCharge, EnergyCharge, Rounding, TariffDocument, TariffVersion, Tier } from './schema';
import { civilFromDays, dateFromDay, dayFromDate, daysFromCivil, weekdayOfDay } from './time';
import { decimalToMicro, type UsageSeries } from './usage';

export interface RatingContext {
  /** Key of fixed charges keyed by meter size ("5/8", "1", "2" ...). */
  meterSize?: string;
  /** Key of fixed charges keyed by service class, and of tax exemptions. */
  serviceClass?: string;
  /** Ids of taxes this customer is exempt from. */
  taxExemptions?: string[];
  /** Winter-average usage per bill in the tariff's unit (sewer charges with basis winter-average or winter-average-fixed). */
  winterAverage?: string;
  /** Impervious area (in the unit of the stormwater charge's eruSize) and the credit in percent. */
  imperviousArea?: string;
  stormwaterCreditPercent?: string;
  /** Measured monthly peaks of earlier bills, for ratchets ("2026-01" -> kW decimal string). */
  demandHistory?: Array<{ month: string; peakKw: string }>;
  /** Days of a full billing period; a shorter period (first or final bill) prorates per-bill amounts. */
  fullPeriodDays?: number;
  /** Net-metering bank carried in from the previous bill (micro-units). */
  netBankMicro?: number;
  /** Meters on the account (charges per additional meter); 1 when absent. */
  meters?: number;
}

export interface RatedLine {
  description: string;
  /** Decimal string. */
  quantity: string;
  unit: string;
  /** Decimal string: amount = quantity x rate before rounding. */
  rate: string;
  /** Decimal string, rounded with the line's rule. */
  amount: string;
  periodStart: string;
  periodEnd: string;
  category: string;
}

export interface RatedBill {
  periodStart: string;
  periodEnd: string;
  lines: RatedLine[];
  total: string;
  /** The measured peak demand of the period in kW (decimal string). */
  peakKw: string;
  /** The net-metering bank after this bill (micro-units), when the tariff banks exports. */
  netBankMicro?: number;
  /** Sum of the bill's minimum-charge lines (decimal string), for the annual minimum. */
  minimumCharged: string;
}

export class RatingError extends RuleViolation {
  override name = 'RatingError';
  constructor(message: string) {
    super('rating', message);
  }
}

const ROUNDING_MODE: Record<Rounding['mode'], Decimal.Rounding> = {
  'half-up': Decimal.ROUND_HALF_UP,
  'half-even': Decimal.ROUND_HALF_EVEN,
  'half-down': Decimal.ROUND_HALF_DOWN,
  up: Decimal.ROUND_UP,
  down: Decimal.ROUND_DOWN,
};
const CENTS: Rounding = { places: 2, mode: 'half-up' };
const ZERO = new Money(0);
const ONE = new Money(1);
const HUNDRED = new Money(100);

export function applyRounding(value: Decimal, rounding: Rounding): Decimal {
  if (rounding.places >= 0) return value.toDecimalPlaces(rounding.places, ROUNDING_MODE[rounding.mode]);
  const step = new Money(10).pow(-rounding.places);
  return value.div(step).toDecimalPlaces(0, ROUNDING_MODE[rounding.mode]).times(step);
}

function formatAmount(value: Decimal, places: number): string {
  const text = value.toFixed(places);
  return text.charCodeAt(0) === 45 && /^-0(\.0*)?$/.test(text) ? text.slice(1) : text; // never "-0.00"
}

function formatQuantity(value: Decimal): string {
  return value.isZero() ? '0' : value.toFixed();
}

/** Micro-units as a decimal string without trailing zeros (integer work only). */
export function microString(micro: number): string {
  const negative = micro < 0;
  const digits = String(Math.abs(micro)).padStart(7, '0');
  const fraction = digits.slice(-6).replace(/0+$/, '');
  return `${negative ? '-' : ''}${digits.slice(0, -6)}${fraction ? `.${fraction}` : ''}`;
}

function microDecimal(micro: number): Decimal {
  return new Money(microString(micro));
}

// ---------------------------------------------------------------------------------------------
// Compiled versions: lookups, integer tier limits and Decimal prices built once per tariff.

interface CompiledTier {
  /** Upper limit in micro-units (per bill or per day or per kW), undefined for the last tier. */
  upToMicro: number | undefined;
  upTo: Decimal | undefined;
  rate: Decimal;
  rateText: string;
}

interface CompiledCharge {
  charge: Charge;
  category: string;
  rounding: Rounding;
  from: number;
  to: number;
  tiers: CompiledTier[];
  periods: number[] | undefined;
}

interface CompiledVersion {
  version: TariffVersion;
  from: number;
  to: number;
  /** Energy period by (weekend ? 288 : 0) + (month - 1) * 24 + hour. */
  energyLookup: Uint8Array;
  energyPeriods: number;
  energyNames: string[] | undefined;
  demandLookup: Uint8Array | undefined;
  demandPeriods: number;
  demandNames: string[] | undefined;
  holidays: Set<number>;
  charges: CompiledCharge[];
  sellRates: Decimal[] | undefined;
}

interface CompiledTariff {
  doc: TariffDocument;
  versions: CompiledVersion[];
}

const compiledCache = new WeakMap<TariffDocument, CompiledTariff>();

function lookupOf(schedule: { weekday: number[][]; weekend: number[][] } | undefined): { lookup: Uint8Array; periods: number } {
  const lookup = new Uint8Array(2 * 12 * 24);
  let periods = 1;
  if (schedule) {
    for (let month = 0; month < 12; month++) {
      for (let hour = 0; hour < 24; hour++) {
        lookup[month * 24 + hour] = schedule.weekday[month]![hour]!;
        lookup[288 + month * 24 + hour] = schedule.weekend[month]![hour]!;
      }
    }
    for (const p of lookup) if (p + 1 > periods) periods = p + 1;
  }
  return { lookup, periods };
}

function defaultCategory(charge: Charge): string {
  if (charge.kind === 'rider') return 'rider';
  if (charge.kind === 'tax') return 'tax';
  return 'base';
}

function compileTiers(tiers: Tier[]): CompiledTier[] {
  return tiers.map((tier) => ({
    upToMicro: tier.upTo === undefined ? undefined : decimalToMicro(tier.upTo),
    upTo: tier.upTo === undefined ? undefined : new Money(tier.upTo),
    rate: new Money(tier.rate),
    rateText: formatQuantity(new Money(tier.rate)),
  }));
}

export function compileTariff(doc: TariffDocument): CompiledTariff {
  const cached = compiledCache.get(doc);
  if (cached) return cached;
  const versions = doc.versions.map((version): CompiledVersion => {
    const energy = lookupOf(version.energySchedule);
    const demand = version.demandSchedule ? lookupOf(version.demandSchedule) : undefined;
    const from = dayFromDate(version.effectiveFrom);
    const to = version.effectiveTo ? dayFromDate(version.effectiveTo) : Number.MAX_SAFE_INTEGER;
    return {
      version,
      from,
      to,
      energyLookup: energy.lookup,
      energyPeriods: energy.periods,
      energyNames: version.energySchedule?.periodNames,
      demandLookup: demand?.lookup,
      demandPeriods: demand?.periods ?? 1,
      demandNames: version.demandSchedule?.periodNames,
      holidays: new Set((version.holidays ?? []).map(dayFromDate)),
      sellRates: version.netMetering?.sellRates.map((rate) => new Money(rate)),
      charges: version.charges.map((charge) => {
        for (const tier of 'tiers' in charge ? charge.tiers : []) {
          if (tier.upTo !== undefined && decimalToMicro(tier.upTo) === undefined) throw new RatingError(`${charge.description}: tier limit ${tier.upTo} has more than 6 decimals`);
        }
        return {
          charge,
          category: charge.category ?? defaultCategory(charge),
          rounding: charge.rounding ?? version.rounding ?? CENTS,
          from: charge.activeFrom ? Math.max(from, dayFromDate(charge.activeFrom)) : from,
          to: charge.activeTo ? Math.min(to, dayFromDate(charge.activeTo)) : to,
          tiers: 'tiers' in charge ? compileTiers(charge.tiers) : [],
          periods: 'periods' in charge ? charge.periods : undefined,
        };
      }),
    };
  });
  const compiled = { doc, versions };
  compiledCache.set(doc, compiled);
  return compiled;
}

// ---------------------------------------------------------------------------------------------
// Integer aggregation.

export interface Aggregate {
  /** Imported micro-units per energy period. */
  imports: Float64Array;
  /** Exported micro-units per energy period (positive numbers). */
  exports: Float64Array;
  totalImport: number;
  totalExport: number;
  /** Peak micro-kW per demand period, and overall. */
  peaks: Float64Array;
  peak: number;
}

/** First interval whose local day is >= day. */
function lowerBound(usage: UsageSeries, day: number): number {
  let lo = 0;
  let hi = usage.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (usage.localDay[mid]! < day) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

const NO_DEMAND_PERIODS = new Uint8Array(2 * 12 * 24);

export function aggregate(cv: CompiledVersion, usage: UsageSeries, fromDay: number, toDay: number): Aggregate {
  const imports = new Float64Array(cv.energyPeriods);
  const exports = new Float64Array(cv.energyPeriods);
  const peaks = new Float64Array(cv.demandPeriods);
  const { localDay, hour, value, demand } = usage;
  const energyLookup = cv.energyLookup;
  const demandLookup = cv.demandLookup ?? NO_DEMAND_PERIODS;
  const holidays = cv.holidays;
  const n = usage.length;
  let i = lowerBound(usage, fromDay);
  // One day at a time: the day type and month give the row of the lookups, then each interval
  // is two table reads and two integer additions or comparisons.
  while (i < n) {
    const day = localDay[i]!;
    if (day > toDay) break;
    const weekday = weekdayOfDay(day);
    const base = (weekday === 0 || weekday === 6 || holidays.has(day) ? 288 : 0) + (civilFromDays(day).month - 1) * 24;
    do {
      const slot = base + hour[i]!;
      const v = value[i]!;
      const p = energyLookup[slot]!;
      if (v >= 0) imports[p] = imports[p]! + v;
      else exports[p] = exports[p]! - v;
      const d = demand[i]!;
      const q = demandLookup[slot]!;
      if (d > peaks[q]!) peaks[q] = d;
      i++;
    } while (i < n && localDay[i] === day);
  }
  let peak = 0;
  for (let q = 0; q < peaks.length; q++) if (peaks[q]! > peak) peak = peaks[q]!;
  let totalImport = 0;
  let totalExport = 0;
  for (let p = 0; p < imports.length; p++) {
    totalImport += imports[p]!;
    totalExport += exports[p]!;
  }
  if (!Number.isSafeInteger(totalImport) || !Number.isSafeInteger(totalExport)) throw new RatingError('usage of the period is too large to add up exactly');
  return { imports, exports, totalImport, totalExport, peaks, peak };
}

// ---------------------------------------------------------------------------------------------
// Allocation helpers (integers).

/** Splits `total` micro-units over tiers with the given limits (cumulative upper bounds). */
function splitSequential(total: number, limits: Array<number | undefined>): number[] {
  const parts: number[] = [];
  let lower = 0;
  for (const limit of limits) {
    const upper = limit === undefined ? Infinity : limit;
    parts.push(Math.max(0, Math.min(total, upper) - lower));
    lower = Math.max(lower, upper);
  }
  return parts;
}

/**
 * Spreads `amount` over parts in proportion to `weights` (integers), so that the pieces are
 * integers adding up to `amount` exactly (largest remainder; ties to the earlier part).
 */
export function allocateProportionally(amount: number, weights: number[]): number[] {
  const total = weights.reduce((a, b) => a + b, 0);
  if (total === 0) return weights.map(() => 0);
  const big = BigInt(amount);
  const bigTotal = BigInt(total);
  const pieces = weights.map((w) => (big * BigInt(w)) / bigTotal);
  const remainders = weights.map((w, i) => ({ i, r: (big * BigInt(w)) % bigTotal }));
  let left = amount - pieces.reduce((a, b) => a + Number(b), 0);
  remainders.sort((a, b) => (a.r === b.r ? a.i - b.i : a.r > b.r ? -1 : 1));
  for (const { i } of remainders) {
    if (left <= 0) break;
    pieces[i]! += 1n;
    left -= 1;
  }
  return pieces.map(Number);
}

/** micro x numerator / denominator rounded half-up to a micro-unit (integers only). */
function scaleMicro(micro: number, numerator: number, denominator: number): number {
  if (numerator === denominator) return micro;
  const product = BigInt(micro) * BigInt(numerator);
  const d = BigInt(denominator);
  const q = product / d;
  return Number((product - q * d) * 2n >= d ? q + 1n : q);
}

// ---------------------------------------------------------------------------------------------
// Rating.

interface Segment {
  cv: CompiledVersion;
  from: number;
  to: number;
  days: number;
  agg: Aggregate;
}

interface BillState {
  doc: TariffDocument;
  usage: UsageSeries;
  context: RatingContext;
  billFrom: number;
  billTo: number;
  billMonth: number;
  billMonthKey: string;
  referenceDays: number;
  lines: Array<RatedLine & { value: Decimal }>;
  /** Bill-wide measured peak (max over segments), micro-kW. */
  peak: number;
  /** Billing demand for kWh/kW tiers: the peak raised by the ratchet of a monthly demand charge, micro-kW. */
  billingDemand: number;
  minimumCharged: Decimal;
  netBank: number;
  netBankUsed: boolean;
}

/** The month most days of the period fall in (ties: the later month): seasonal charges and ratchets use it. */
export function billMonthOf(from: number, to: number): { month: number; key: string } {
  let best = 0;
  let bestCount = -1;
  let current = -1;
  let count = 0;
  let { year, month } = civilFromDays(from);
  let day = from;
  // Walk month by month: days of [from, to] in each calendar month.
  while (day <= to) {
    const nextMonthStart = month === 12 ? daysFromCivil(year + 1, 1, 1) : daysFromCivil(year, month + 1, 1);
    count = Math.min(to, nextMonthStart - 1) - day + 1;
    current = year * 12 + (month - 1);
    if (count >= bestCount) [best, bestCount] = [current, count];
    day = nextMonthStart;
    if (month === 12) [year, month] = [year + 1, 1];
    else month += 1;
  }
  const bestYear = Math.floor(best / 12);
  const bestMonth = (best % 12) + 1;
  return { month: bestMonth, key: `${String(bestYear).padStart(4, '0')}-${String(bestMonth).padStart(2, '0')}` };
}

function unitOf(doc: TariffDocument): string {
  return doc.unit;
}

function push(state: BillState, line: Omit<RatedLine, 'amount'>, value: Decimal, rounding: Rounding): void {
  const rounded = applyRounding(value, rounding);
  state.lines.push({
    description: line.description,
    quantity: line.quantity,
    unit: line.unit,
    rate: line.rate,
    amount: formatAmount(rounded, Math.max(2, rounding.places)),
    periodStart: line.periodStart,
    periodEnd: line.periodEnd,
    category: line.category,
    value: rounded,
  });
}

function prorationNote(days: number, reference: number): string {
  return days === reference ? '' : ` (prorated ${days}/${reference} days)`;
}

function periodLabel(names: string[] | undefined, period: number, count: number): string {
  if (count <= 1) return '';
  return names?.[period] ? `, ${names[period]}` : `, period ${period}`;
}

function tierLabel(tiers: CompiledTier[], index: number, unit: string): string {
  if (tiers.length <= 1) return '';
  const lower = index === 0 ? undefined : tiers[index - 1]!.upTo;
  const upper = tiers[index]!.upTo;
  if (lower === undefined) return `, tier 1 (first ${formatQuantity(upper!)} ${unit})`;
  if (upper === undefined) return `, tier ${index + 1} (over ${formatQuantity(lower)} ${unit})`;
  return `, tier ${index + 1} (${formatQuantity(lower)}-${formatQuantity(upper)} ${unit})`;
}

/**
 * Rates one bill. `periodStart`/`periodEnd` are local calendar dates, both included; the
 * intervals that start on those days belong to the bill.
 */
export function rateBill(doc: TariffDocument, usage: UsageSeries, periodStart: string, periodEnd: string, context: RatingContext = {}): RatedBill {
  const tariff = compileTariff(doc);
  const billFrom = dayFromDate(periodStart);
  const billTo = dayFromDate(periodEnd);
  if (billTo < billFrom) throw new RatingError(`period ${periodStart}..${periodEnd} ends before it starts`);
  const billDays = billTo - billFrom + 1;
  const referenceDays = Math.max(context.fullPeriodDays ?? billDays, billDays);
  const { month: billMonth, key: billMonthKey } = billMonthOf(billFrom, billTo);
  const state: BillState = { doc, usage, context, billFrom, billTo, billMonth, billMonthKey, referenceDays, lines: [], peak: 0, billingDemand: 0, minimumCharged: ZERO, netBank: context.netBankMicro ?? 0, netBankUsed: false };

  const segments: Segment[] = [];
  let covered = billFrom;
  for (const cv of tariff.versions) {
    const from = Math.max(cv.from, billFrom);
    const to = Math.min(cv.to, billTo);
    if (from > to) continue;
    if (from > covered) break;
    segments.push({ cv, from, to, days: to - from + 1, agg: aggregate(cv, usage, from, to) });
    covered = to + 1;
  }
  if (covered <= billTo) throw new RatingError(`tariff ${doc.tariffId} has no version in effect on ${dateFromDay(covered)}`);
  for (const segment of segments) if (segment.agg.peak > state.peak) state.peak = segment.agg.peak;
  state.billingDemand = billingDemandOf(state, segments);
  const billPeaks = new Map<number, number>();
  for (const segment of segments) segment.agg.peaks.forEach((p, q) => billPeaks.set(q, Math.max(billPeaks.get(q) ?? 0, p)));

  for (const segment of segments) rateSegment(state, segment, billPeaks);

  let total = ZERO;
  let places = 2;
  for (const line of state.lines) {
    total = total.plus(line.value);
    places = Math.max(places, line.amount.split('.')[1]?.length ?? 0);
  }
  const bill: RatedBill = {
    periodStart,
    periodEnd,
    lines: state.lines.map(({ value: _value, ...line }) => line),
    total: formatAmount(total, places),
    peakKw: formatQuantity(microDecimal(state.peak)),
    minimumCharged: formatAmount(state.minimumCharged, places),
  };
  if (state.netBankUsed) bill.netBankMicro = state.netBank;
  return bill;
}

function rateSegment(state: BillState, segment: Segment, billPeaks: Map<number, number>): void {
  const { cv } = segment;
  const segmentLineStart = state.lines.length;
  const segmentPeriod = { periodStart: dateFromDay(segment.from), periodEnd: dateFromDay(segment.to) };
  const net = cv.version.netMetering;
  // Usage each energy period bills: imports, or under monthly netting the net imports.
  let billed = segment.agg.imports;
  if (net?.mode === 'monthly-net') billed = netUsage(state, segment);
  const afterNetMetering: Array<() => void> = [];
  for (const compiled of cv.charges) {
    const { charge } = compiled;
    if (charge.months && !charge.months.includes(state.billMonth)) continue;
    const from = Math.max(segment.from, compiled.from);
    const to = Math.min(segment.to, compiled.to);
    if (from > to) continue;
    const dated = from !== segment.from || to !== segment.to;
    const agg = dated ? aggregate(cv, state.usage, from, to) : segment.agg;
    const part: Segment = dated ? { cv, from, to, days: to - from + 1, agg } : segment;
    const partBilled = dated ? (net?.mode === 'monthly-net' ? netted(agg) : agg.imports) : billed;
    const period = dated ? { periodStart: dateFromDay(from), periodEnd: dateFromDay(to) } : segmentPeriod;
    switch (charge.kind) {
      case 'fixed':
        rateFixed(state, compiled, part, period);
        break;
      case 'energy':
        rateEnergy(state, compiled, part, partBilled, period);
        break;
      case 'demand':
        rateDemand(state, compiled, part, billPeaks, period);
        break;
      case 'minimum':
        // A minimum that counts export credits is assessed after them.
        if (net && charge.appliesTo?.includes('net-metering')) afterNetMetering.push(() => rateMinimum(state, compiled, part, segmentLineStart, period));
        else rateMinimum(state, compiled, part, segmentLineStart, period);
        break;
      case 'rider':
        if (charge.basis === 'usage') {
          let quantity = 0;
          for (let p = 0; p < partBilled.length; p++) if (!compiled.periods || compiled.periods.includes(p)) quantity += partBilled[p]!;
          const rate = new Money(charge.rate);
          push(state, { description: charge.description, quantity: microString(quantity), unit: unitOf(state.doc), rate: formatQuantity(rate), category: compiled.category, ...period }, microDecimal(quantity).times(rate), compiled.rounding);
        } else {
          ratePercent(state, compiled, segmentLineStart, charge.percent, charge.of, charge.description, period);
        }
        break;
      case 'tax': {
        const exempt = (charge.id !== undefined && state.context.taxExemptions?.includes(charge.id)) || (state.context.serviceClass !== undefined && charge.exemptServiceClasses?.includes(state.context.serviceClass));
        if (exempt) {
          push(state, { description: `${charge.description} (exempt)`, quantity: '0', unit: 'USD', rate: formatQuantity(new Money(charge.percent).div(HUNDRED)), category: compiled.category, ...period }, ZERO, CENTS);
        } else {
          ratePercent(state, compiled, segmentLineStart, charge.percent, charge.of, charge.description, period);
        }
        break;
      }
      case 'stormwater':
        rateStormwater(state, compiled, part, period);
        break;
    }
  }
  if (net) {
    rateNetMetering(state, segment);
    for (const assess of afterNetMetering) assess();
  } else if (segment.agg.totalExport > 0) {
    // Exports without a net-metering rule earn nothing, but the bill says so rather than hide them.
    push(state, { description: 'Exported energy (the tariff has no net metering: not credited)', quantity: microString(segment.agg.totalExport), unit: state.doc.unit, rate: '0', category: 'net-metering', periodStart: dateFromDay(segment.from), periodEnd: dateFromDay(segment.to) }, ZERO, CENTS);
  }
}

type Period = { periodStart: string; periodEnd: string };

function rateFixed(state: BillState, compiled: CompiledCharge, part: Segment, period: Period): void {
  const charge = compiled.charge as Extract<Charge, { kind: 'fixed' }>;
  let amountText = charge.amount;
  let label = '';
  if (charge.amounts) {
    const key = charge.keyedBy === 'meterSize' ? state.context.meterSize : state.context.serviceClass;
    if (key === undefined) throw new RatingError(`${charge.description} depends on the ${charge.keyedBy}: give it in the rating context (one of ${Object.keys(charge.amounts).join(', ')})`);
    amountText = charge.amounts[key];
    if (amountText === undefined) throw new RatingError(`${charge.description} has no amount for ${charge.keyedBy} ${JSON.stringify(key)} (known: ${Object.keys(charge.amounts).join(', ')})`);
    label = ` (${charge.keyedBy === 'meterSize' ? 'meter size' : 'service class'} ${key})`;
  }
  let rate = new Money(amountText!);
  if (charge.appliesTo === 'each-additional-meter') {
    const additional = (state.context.meters ?? 1) - 1;
    if (additional <= 0) return;
    rate = rate.times(additional);
    label += ` (${additional} additional meter${additional === 1 ? '' : 's'})`;
  }
  if (charge.per === 'day') {
    push(state, { description: `${charge.description}${label}`, quantity: String(part.days), unit: 'day', rate: formatQuantity(rate), category: compiled.category, ...period }, rate.times(part.days), compiled.rounding);
  } else {
    // A yearly amount is one twelfth per (monthly) bill.
    const perBill = charge.per === 'year' ? rate.div(12) : rate;
    const share = part.days === state.referenceDays ? ONE : new Money(part.days).div(state.referenceDays);
    push(
      state,
      {
        description: `${charge.description}${label}${charge.per === 'year' ? ` (${formatQuantity(rate)} a year / 12)` : ''}${prorationNote(part.days, state.referenceDays)}`,
        quantity: formatQuantity(share.toDecimalPlaces(6)),
        unit: 'bill',
        rate: formatQuantity(charge.per === 'year' ? perBill.toDecimalPlaces(8) : perBill),
        category: compiled.category,
        ...period,
      },
      perBill.times(share),
      compiled.rounding,
    );
  }
}

/**
 * The billing demand (micro-kW) that kWh/kW tier limits multiply: the month's peak, raised by the
 * ratchet of a monthly (all-hours) demand charge in effect this month, as SAM uses its billing
 * demand for these tiers.
 */
function billingDemandOf(state: BillState, segments: Segment[]): number {
  let demand = state.peak;
  for (const segment of segments) {
    for (const compiled of segment.cv.charges) {
      const charge = compiled.charge;
      if (charge.kind !== 'demand' || charge.periods || !charge.ratchet) continue;
      if (charge.months && !charge.months.includes(state.billMonth)) continue;
      const floor = Number(ratchetFloor(state, charge).times(1_000_000).toDecimalPlaces(0, Decimal.ROUND_HALF_UP).toFixed());
      if (floor > demand) demand = floor;
    }
  }
  return demand;
}

function tierLimits(state: BillState, compiled: CompiledCharge, part: Segment): Array<number | undefined> {
  const charge = compiled.charge as EnergyCharge;
  return compiled.tiers.map((tier) => {
    if (tier.upToMicro === undefined) return undefined;
    if (charge.tierLimitPer === 'day') return tier.upToMicro * part.days;
    if (charge.tierLimitPer === 'kW') return scaleMicro(tier.upToMicro, state.billingDemand, 1_000_000);
    if (charge.tierLimitPer === 'kW-day') return scaleMicro(tier.upToMicro * part.days, state.billingDemand, 1_000_000);
    return scaleMicro(tier.upToMicro, part.days, state.referenceDays);
  });
}

function rateEnergy(state: BillState, compiled: CompiledCharge, part: Segment, billed: Float64Array, period: Period): void {
  const charge = compiled.charge as EnergyCharge;
  const { cv } = part;
  const periods = compiled.periods;
  let usage = 0;
  let all = 0;
  for (let p = 0; p < billed.length; p++) {
    all += billed[p]!;
    if (!periods || periods.includes(p)) usage += billed[p]!;
  }
  let note = '';
  if (charge.basis === 'winter-average' || charge.basis === 'winter-average-fixed') {
    const average = state.context.winterAverage === undefined ? undefined : decimalToMicro(state.context.winterAverage);
    if (average === undefined) throw new RatingError(`${charge.description} is billed on the winter average: give winterAverage (a decimal of ${state.doc.unit} per bill) in the rating context`);
    const scaled = scaleMicro(average, part.days, state.referenceDays);
    if (scaled < usage || charge.basis === 'winter-average-fixed') {
      usage = scaled;
      note = ' (winter average)';
    }
  }
  if (charge.cap !== undefined) {
    const cap = scaleMicro(decimalToMicro(charge.cap)!, part.days, state.referenceDays);
    if (cap < usage) {
      usage = cap;
      note = ' (capped)';
    }
  }
  const limits = tierLimits(state, compiled, part);
  let parts: number[];
  if (charge.tierBasis === 'chronological' && compiled.tiers.length > 1 && charge.basis === 'metered' && charge.cap === undefined) {
    parts = chronologicalParts(state, part, limits, periods);
  } else if (charge.tierBasis === 'total' && compiled.tiers.length > 1 && usage !== all) {
    const totalParts = splitSequential(all, limits);
    parts = allocateProportionally(usage, totalParts);
  } else if (charge.tierBasis === 'total' && compiled.tiers.length > 1) {
    parts = splitSequential(all, limits);
  } else {
    parts = splitSequential(usage, limits);
  }
  const unit = unitOf(state.doc);
  const label = periods && periods.length === 1 ? periodLabel(cv.energyNames, periods[0]!, cv.energyPeriods) : '';
  // Lines for the tiers used; a charge on all usage shows its first tier even at zero usage.
  const anyUsage = parts.some((micro) => micro !== 0);
  if (!anyUsage && periods) return;
  parts.forEach((micro, index) => {
    if (micro === 0 && (anyUsage || index > 0)) return;
    const tier = compiled.tiers[index]!;
    let quantity = microDecimal(micro);
    if (charge.quantityRounding) quantity = applyRounding(quantity, charge.quantityRounding);
    push(
      state,
      { description: `${charge.description}${label}${effectiveTierLabel(limits, index, unit)}${note}`, quantity: formatQuantity(quantity), unit, rate: tier.rateText, category: compiled.category, ...period },
      quantity.times(tier.rate),
      compiled.rounding,
    );
  });
}

/**
 * Tiers filled in time order: each imported interval goes whole to the tier its month-to-date
 * import total (all periods, this interval included) falls in; the parts of `periods` are kept.
 */
function chronologicalParts(state: BillState, part: Segment, limits: Array<number | undefined>, periods: number[] | undefined): number[] {
  const parts = limits.map(() => 0);
  const { localDay, hour, value } = state.usage;
  const { energyLookup, holidays } = part.cv;
  let cumulative = 0;
  for (let i = lowerBound(state.usage, part.from); i < state.usage.length && localDay[i]! <= part.to; i++) {
    const v = value[i]!;
    if (v <= 0) continue;
    cumulative += v;
    let tier = 0;
    // An interval that brings the total exactly to a limit goes to the next tier (the boundary as read from ssc's per-step pricing).
    while (tier < limits.length - 1 && limits[tier] !== undefined && cumulative >= limits[tier]!) tier++;
    if (periods) {
      const day = localDay[i]!;
      const weekday = weekdayOfDay(day);
      const slot = (weekday === 0 || weekday === 6 || holidays.has(day) ? 288 : 0) + (civilFromDays(day).month - 1) * 24 + hour[i]!;
      if (!periods.includes(energyLookup[slot]!)) continue;
    }
    parts[tier]! += v;
  }
  return parts;
}

/** The tier's bounds as applied to this bill (after per-day, per-kW and proration scaling). */
function effectiveTierLabel(limits: Array<number | undefined>, index: number, unit: string): string {
  if (limits.length <= 1) return '';
  const lower = index === 0 ? undefined : limits[index - 1];
  const upper = limits[index];
  if (lower === undefined) return `, tier 1 (first ${microString(upper!)} ${unit})`;
  if (upper === undefined) return `, tier ${index + 1} (over ${microString(lower)} ${unit})`;
  return `, tier ${index + 1} (${microString(lower)}-${microString(upper)} ${unit})`;
}

function ratchetFloor(state: BillState, charge: DemandCharge): Decimal {
  const ratchet = charge.ratchet;
  if (!ratchet || !state.context.demandHistory) return ZERO;
  const [year, month] = state.billMonthKey.split('-').map(Number) as [number, number];
  const current = year * 12 + (month - 1);
  let highest = ZERO;
  for (const entry of state.context.demandHistory) {
    const match = /^(\d{4})-(\d{2})$/.exec(entry.month);
    if (!match) throw new RatingError(`demand history month ${JSON.stringify(entry.month)} is not YYYY-MM`);
    const index = Number(match[1]) * 12 + Number(match[2]) - 1;
    if (index >= current || index < current - ratchet.lookbackMonths) continue;
    if (ratchet.monthsCounted && !ratchet.monthsCounted.includes(Number(match[2]))) continue;
    const kw = new Money(entry.peakKw);
    if (kw.gt(highest)) highest = kw;
  }
  return highest.times(ratchet.percent).div(HUNDRED);
}

function rateDemand(state: BillState, compiled: CompiledCharge, part: Segment, billPeaks: Map<number, number>, period: Period): void {
  const charge = compiled.charge as DemandCharge;
  const { cv } = part;
  let measured = 0;
  if (compiled.periods) for (const p of compiled.periods) measured = Math.max(measured, billPeaks.get(p) ?? 0);
  else measured = state.peak;
  let demand = microDecimal(measured);
  let note = '';
  const floor = ratchetFloor(state, charge);
  if (floor.gt(demand)) {
    demand = floor;
    note = ` (ratchet ${charge.ratchet!.percent}% of the ${charge.ratchet!.lookbackMonths}-month high)`;
  }
  if (charge.minimumKw !== undefined && new Money(charge.minimumKw).gt(demand)) {
    demand = new Money(charge.minimumKw);
    note = ' (minimum demand)';
  }
  if (charge.quantityRounding) demand = applyRounding(demand, charge.quantityRounding);
  const share = part.days === state.referenceDays ? ONE : new Money(part.days).div(state.referenceDays);
  const label = compiled.periods && compiled.periods.length === 1 ? periodLabel(cv.demandNames, compiled.periods[0]!, cv.demandPeriods) : '';
  let lower = ZERO;
  compiled.tiers.forEach((tier, index) => {
    const upper = tier.upTo;
    const quantity = Decimal.max(ZERO, (upper === undefined ? demand : Decimal.min(demand, upper)).minus(lower));
    if (upper !== undefined && upper.gt(lower)) lower = upper;
    if (quantity.isZero() && index > 0) return;
    const rate = share === ONE ? tier.rate : tier.rate.times(share);
    push(
      state,
      {
        description: `${charge.description}${label}${tierLabel(compiled.tiers, index, 'kW')}${note}${prorationNote(part.days, state.referenceDays)}`,
        quantity: formatQuantity(quantity),
        unit: 'kW',
        rate: share === ONE ? tier.rateText : formatQuantity(rate.toDecimalPlaces(8)),
        category: compiled.category,
        ...period,
      },
      quantity.times(rate),
      compiled.rounding,
    );
  });
}

function sumCategories(state: BillState, fromLine: number, categories: string[] | undefined, exclude: string[] = []): Decimal {
  let sum = ZERO;
  for (let i = fromLine; i < state.lines.length; i++) {
    const line = state.lines[i]!;
    if (categories ? categories.includes(line.category) : !exclude.includes(line.category)) sum = sum.plus(line.value);
  }
  return sum;
}

function rateMinimum(state: BillState, compiled: CompiledCharge, part: Segment, segmentLineStart: number, period: Period): void {
  const charge = compiled.charge as Extract<Charge, { kind: 'minimum' }>;
  const minimum = charge.per === 'day' ? new Money(charge.amount).times(part.days) : new Money(charge.amount).times(part.days).div(state.referenceDays);
  // Credits beyond the charges stay credited: the minimum tops up charges of at least zero.
  const subtotal = Decimal.max(ZERO, sumCategories(state, segmentLineStart, charge.appliesTo ?? ['base']));
  if (subtotal.gte(minimum)) return;
  state.minimumCharged = state.minimumCharged.plus(applyRounding(minimum.minus(subtotal), compiled.rounding));
  push(
    state,
    { description: `${charge.description}: minimum ${formatAmount(applyRounding(minimum, compiled.rounding), 2)} less charges ${formatAmount(subtotal, 2)}`, quantity: '1', unit: 'bill', rate: formatQuantity(applyRounding(minimum.minus(subtotal), compiled.rounding)), category: compiled.category, ...period },
    minimum.minus(subtotal),
    compiled.rounding,
  );
}

function ratePercent(state: BillState, compiled: CompiledCharge, segmentLineStart: number, percent: string, of: string[] | undefined, description: string, period: Period): void {
  const base = sumCategories(state, segmentLineStart, of, ['tax']);
  const rate = new Money(percent).div(HUNDRED);
  push(state, { description: `${description} (${percent}% of ${formatAmount(base, 2)})`, quantity: formatAmount(base, 2), unit: 'USD', rate: formatQuantity(rate), category: compiled.category, ...period }, base.times(rate), compiled.rounding);
}

function rateStormwater(state: BillState, compiled: CompiledCharge, part: Segment, period: Period): void {
  const charge = compiled.charge as Extract<Charge, { kind: 'stormwater' }>;
  if (state.context.imperviousArea === undefined) throw new RatingError(`${charge.description} needs imperviousArea in the rating context`);
  let erus = new Money(state.context.imperviousArea).div(charge.eruSize);
  if (charge.eruRounding) erus = applyRounding(erus, charge.eruRounding);
  if (charge.minimumErus !== undefined && erus.lt(charge.minimumErus)) erus = new Money(charge.minimumErus);
  const rate = new Money(charge.ratePerEru);
  const times = charge.per === 'day' ? new Money(part.days) : new Money(part.days).div(state.referenceDays);
  const perLabel = charge.per === 'day' ? ` x ${part.days} days` : prorationNote(part.days, state.referenceDays);
  const charged = applyRounding(erus.times(rate).times(times), compiled.rounding);
  // The amount uses the exact ERU count; the line shows it to a millionth, like other quantities.
  const shown = formatQuantity(erus.toDecimalPlaces(6, Decimal.ROUND_HALF_UP));
  push(state, { description: `${charge.description} (${shown} ERU${perLabel})`, quantity: shown, unit: 'ERU', rate: formatQuantity(charge.per === 'day' ? rate.times(part.days) : rate.times(times).toDecimalPlaces(8)), category: compiled.category, ...period }, charged, compiled.rounding);
  const credit = state.context.stormwaterCreditPercent;
  if (credit !== undefined && !new Money(credit).isZero()) {
    const creditRate = new Money(credit).div(HUNDRED);
    push(state, { description: `${charge.description}: credit ${credit}%`, quantity: formatAmount(charged, 2), unit: 'USD', rate: formatQuantity(creditRate.negated()), category: compiled.category, ...period }, charged.times(creditRate).negated(), compiled.rounding);
  }
}

// ---------------------------------------------------------------------------------------------
// Net metering.

function netted(agg: Aggregate): Float64Array {
  const out = new Float64Array(agg.imports.length);
  for (let p = 0; p < out.length; p++) out[p] = Math.max(0, agg.imports[p]! - agg.exports[p]!);
  return out;
}

/** Monthly netting per period; a banked surplus from earlier bills offsets net imports first. */
function netUsage(state: BillState, segment: Segment): Float64Array {
  const out = netted(segment.agg);
  const net = segment.cv.version.netMetering!;
  if (net.trueUpMonth !== undefined && state.netBank > 0) {
    const total = out.reduce((a, b) => a + b, 0);
    const used = Math.min(total, state.netBank);
    const reductions = allocateProportionally(used, Array.from(out));
    for (let p = 0; p < out.length; p++) out[p]! -= reductions[p]!;
    state.netBank -= used;
    state.netBankUsed = true;
    if (used > 0) push(state, { description: `Net metering: banked credit applied`, quantity: microString(used), unit: state.doc.unit, rate: '0', category: 'net-metering', periodStart: dateFromDay(segment.from), periodEnd: dateFromDay(segment.to) }, ZERO, CENTS);
  }
  return out;
}

function rateNetMetering(state: BillState, segment: Segment): void {
  const { cv, agg } = segment;
  const net = cv.version.netMetering!;
  const period = { periodStart: dateFromDay(segment.from), periodEnd: dateFromDay(segment.to) };
  const unit = state.doc.unit;
  for (let p = 0; p < cv.energyPeriods; p++) {
    const credited = net.mode === 'net-billing' ? agg.exports[p]! : Math.max(0, agg.exports[p]! - agg.imports[p]!);
    if (credited === 0) continue;
    if (net.mode === 'monthly-net' && net.trueUpMonth !== undefined) {
      state.netBank += credited;
      state.netBankUsed = true;
      push(state, { description: `Net metering: surplus banked${periodLabel(cv.energyNames, p, cv.energyPeriods)}`, quantity: microString(credited), unit, rate: '0', category: 'net-metering', ...period }, ZERO, CENTS);
      continue;
    }
    const sell = cv.sellRates!.length === 1 ? cv.sellRates![0]! : cv.sellRates![p]!;
    push(state, { description: `Net metering: export credit${periodLabel(cv.energyNames, p, cv.energyPeriods)}`, quantity: microString(credited), unit, rate: formatQuantity(sell.negated()), category: 'net-metering', ...period }, microDecimal(credited).times(sell).negated(), CENTS);
  }
  if (net.trueUpMonth !== undefined && state.billMonth === net.trueUpMonth && segment.to === state.billTo) {
    state.netBankUsed = true;
    if (state.netBank > 0) {
      const rate = new Money(net.trueUpRate!);
      push(state, { description: 'Net metering: annual true-up of the banked surplus', quantity: microString(state.netBank), unit, rate: formatQuantity(rate.negated()), category: 'net-metering', ...period }, microDecimal(state.netBank).times(rate).negated(), CENTS);
    }
    state.netBank = 0;
  }
}

/** The kW of `micro` micro-kW, for callers keeping a demand history. */
export function microToDecimalString(micro: number): string {
  return formatQuantity(microDecimal(micro));
}
