/**
 * The project's own tariff document ("cis-tariff/1"): an effective-dated list of versions, each a
 * list of charges evaluated in order. Prices are decimal strings, quantities are decimal strings
 * of the tariff's unit, schedules are 12x24 matrices of 0-based period numbers (months x hours),
 * the way OpenEI URDB and NREL SAM write them.
 *
 * The zod schema is the contract: `parseTariffDocument` turns any JSON into a checked document or
 * throws InvalidTariffDocument naming the field.
 */
import { z } from 'zod';
import { isCalendarDate, isTimeZone } from '../calendar';
import { RuleViolation } from '../errors';
import { Money } from '../money';
import type { Decimal } from 'decimal.js';

export class InvalidTariffDocument extends RuleViolation {
  override name = 'InvalidTariffDocument';
  constructor(message: string) {
    super('invalid-tariff', message);
  }
}

const DECIMAL = /^-?(0|[1-9]\d*)(\.\d+)?$/;
const UNSIGNED = /^(0|[1-9]\d*)(\.\d+)?$/;

/** A signed decimal string ("-0.0125", "12.50"); no exponents, no floats. */
export const Dec = z.string({ error: 'must be a decimal string like "0.1234"' }).regex(DECIMAL, 'must be a decimal string like "0.1234"');
/** A non-negative decimal string. */
export const UDec = z.string({ error: 'must be a non-negative decimal string like "500"' }).regex(UNSIGNED, 'must be a non-negative decimal string like "500"');
const DateString = z.string().refine(isCalendarDate, { error: 'must be a calendar date YYYY-MM-DD' });
const Month = z.number().int().min(1).max(12);

export const ROUNDING_MODES = ['half-up', 'half-even', 'half-down', 'up', 'down'] as const;
export const Rounding = z.strictObject({
  /** Decimal places kept (2 = cents; 0 = whole units; -3 = whole thousands, e.g. of gallons). */
  places: z.number().int().min(-6).max(6),
  /** half-up (default), half-even (banker's), half-down, up (away from zero), down (truncate). */
  mode: z.enum(ROUNDING_MODES).default('half-up'),
});
export type Rounding = z.infer<typeof Rounding>;

/** 12 rows (January..December) of 24 hours (0..23) of 0-based period numbers. */
export const Schedule12x24 = z
  .array(z.array(z.number().int().min(0).max(63)).length(24, 'each month row has 24 hours'))
  .length(12, 'a schedule has 12 month rows');

export const TouSchedule = z.strictObject({
  weekday: Schedule12x24,
  weekend: Schedule12x24,
  /** Optional names of the periods, by period number ("Off-peak", "Peak"). */
  periodNames: z.array(z.string()).optional(),
});
export type TouSchedule = z.infer<typeof TouSchedule>;

export const Tier = z.strictObject({
  /** Upper limit of the tier in the tier unit (see tierLimitPer); absent for the last tier. */
  upTo: UDec.optional(),
  /** Price per unit (per kWh, per kW, per gallon ...). Negative for a credit. */
  rate: Dec,
});
export type Tier = z.infer<typeof Tier>;

function tiersAscending(tiers: Array<{ upTo?: string | undefined }>): boolean {
  let previous: Decimal | undefined;
  for (const [index, tier] of tiers.entries()) {
    if (tier.upTo === undefined) return index === tiers.length - 1;
    if (!UNSIGNED.test(tier.upTo)) return true; // reported by the field's own check
    const value = new Money(tier.upTo);
    if (previous !== undefined && !value.gt(previous)) return false;
    previous = value;
  }
  return true;
}
const Tiers = z
  .array(Tier)
  .min(1)
  .refine(tiersAscending, { error: 'tier limits must increase and only the last tier may omit upTo' });

const Common = {
  id: z.string().min(1).optional(),
  description: z.string().min(1),
  /** Grouping used by minimum bills, percentage riders and taxes ("base", "rider", "tax" ...). */
  category: z.string().min(1).optional(),
  /** Bill months (1..12) the charge applies in; all when absent. */
  months: z.array(Month).min(1).optional(),
  /** Rounding of this line's amount; the version's default (half-up to cents) when absent. */
  rounding: Rounding.optional(),
  /** Dates (inclusive) within the version when the charge applies, e.g. a drought surcharge. */
  activeFrom: DateString.optional(),
  activeTo: DateString.optional(),
};

export const FixedCharge = z.strictObject({
  ...Common,
  kind: z.literal('fixed'),
  /** Per bill, per day (times the days billed), or per year (one twelfth on each monthly bill). */
  per: z.enum(['bill', 'day', 'year']).default('bill'),
  /** 'each-additional-meter': charged once per meter beyond the first (rating context `meters`, 1 when absent). */
  appliesTo: z.enum(['account', 'each-additional-meter']).default('account'),
  /** The charge, or ... */
  amount: Dec.optional(),
  /** ... the charge by meter size or service class (the rating context supplies the key). */
  keyedBy: z.enum(['meterSize', 'serviceClass']).optional(),
  amounts: z.record(z.string(), Dec).optional(),
});

export const EnergyCharge = z.strictObject({
  ...Common,
  kind: z.literal('energy'),
  /** Energy TOU periods (of the version's energySchedule) priced here; all usage when absent. */
  periods: z.array(z.number().int().min(0)).min(1).optional(),
  tiers: Tiers,
  /**
   * 'period': the tiers apply to the usage in this charge's periods. 'total': the tier position
   * comes from the bill's total usage across all periods (baseline-style tiers shared by TOU
   * periods); this charge's usage is spread over the tiers in proportion (NREL SAM's reading).
   * 'chronological': the month's imports fill the tiers in time order across all periods, each
   * interval priced whole at the tier its month-to-date total reaches (NREL SAM's reading under
   * net billing, where it prices each time step).
   */
  tierBasis: z.enum(['period', 'total', 'chronological']).default('period'),
  /**
   * Tier limits are per bill, per day (times the days in the period), per kW of the month's
   * billing demand (the peak, raised by a ratchet of the monthly demand charge), or per kW per
   * day (kW x days).
   */
  tierLimitPer: z.enum(['bill', 'day', 'kW', 'kW-day']).default('bill'),
  /**
   * 'metered' usage; 'winter-average': the winter average (rating context), or the metered usage
   * when less (sewer); 'winter-average-fixed': the winter average whatever the month's metered
   * usage (sewer billed on the average all year, e.g. City of Portland, Texas).
   */
  basis: z.enum(['metered', 'winter-average', 'winter-average-fixed']).default('metered'),
  /** At most this quantity per bill is charged (sewer caps). */
  cap: UDec.optional(),
  /** Rounding of the quantity before multiplying (e.g. whole thousand gallons). */
  quantityRounding: Rounding.optional(),
});

export const DemandCharge = z.strictObject({
  ...Common,
  kind: z.literal('demand'),
  /** Demand TOU periods (of the version's demandSchedule) whose peak is priced; the monthly peak when absent. */
  periods: z.array(z.number().int().min(0)).min(1).optional(),
  tiers: Tiers,
  /** Billing demand is at least percent% of the highest peak of the previous lookbackMonths months. */
  ratchet: z
    .strictObject({
      percent: UDec,
      lookbackMonths: z.number().int().min(1).max(36),
      /** Only peaks of these months count (e.g. summer); all when absent. */
      monthsCounted: z.array(Month).min(1).optional(),
    })
    .optional(),
  /** Billing demand is at least this many kW. */
  minimumKw: UDec.optional(),
  quantityRounding: Rounding.optional(),
});

export const MinimumCharge = z.strictObject({
  ...Common,
  kind: z.literal('minimum'),
  per: z.enum(['bill', 'day']).default('bill'),
  amount: UDec,
  /** Categories whose lines count toward the minimum; ["base"] when absent. */
  appliesTo: z.array(z.string()).min(1).optional(),
});

export const UnitRider = z.strictObject({
  ...Common,
  kind: z.literal('rider'),
  basis: z.literal('usage'),
  /** Price per unit of metered usage (energy TOU periods filter with `periods`). */
  rate: Dec,
  periods: z.array(z.number().int().min(0)).min(1).optional(),
});

export const PercentRider = z.strictObject({
  ...Common,
  kind: z.literal('rider'),
  basis: z.literal('percent'),
  /** Percent (e.g. "3.5") of the sum of the lines in the categories `of`. */
  percent: Dec,
  of: z.array(z.string()).min(1),
});

export const Tax = z.strictObject({
  ...Common,
  kind: z.literal('tax'),
  percent: UDec,
  /** Categories taxed; every earlier non-tax line when absent. */
  of: z.array(z.string()).min(1).optional(),
  /** Service classes exempt from this tax (the context may also list exempt tax ids). */
  exemptServiceClasses: z.array(z.string()).optional(),
});

export const StormwaterCharge = z.strictObject({
  ...Common,
  kind: z.literal('stormwater'),
  per: z.enum(['bill', 'day']).default('bill'),
  /** Price per ERU (equivalent residential unit) per bill or per day. */
  ratePerEru: UDec,
  /** Impervious area (in the context's area unit) of one ERU, e.g. "2500" sq ft. */
  eruSize: UDec,
  /** How the ERU count is rounded before multiplying (e.g. to 0.1 ERU); none when absent. */
  eruRounding: Rounding.optional(),
  /** At least this many ERUs are billed. */
  minimumErus: UDec.optional(),
});

const Rider = z.discriminatedUnion('basis', [UnitRider, PercentRider], { error: 'a rider has basis "usage" (rate per unit) or "percent" (percent of categories)' });
export const Charge = z.discriminatedUnion('kind', [FixedCharge, EnergyCharge, DemandCharge, MinimumCharge, Rider, Tax, StormwaterCharge], {
  error: 'kind must be one of fixed, energy, demand, minimum, rider, tax, stormwater',
});
export type Charge = z.infer<typeof Charge>;
/** A charge as written (defaults not yet filled in). */
export type ChargeInput = z.input<typeof Charge>;
export type FixedCharge = z.infer<typeof FixedCharge>;
export type EnergyCharge = z.infer<typeof EnergyCharge>;
export type DemandCharge = z.infer<typeof DemandCharge>;
export type MinimumCharge = z.infer<typeof MinimumCharge>;
export type UnitRider = z.infer<typeof UnitRider>;
export type PercentRider = z.infer<typeof PercentRider>;
export type TaxCharge = z.infer<typeof Tax>;
export type StormwaterCharge = z.infer<typeof StormwaterCharge>;

/**
 * An annual minimum: on the bill of `month` (December when absent), when the year's bills
 * (January..month of that calendar year, each before its monthly minimum and at least zero) add
 * up to less than `amount`, the difference is charged. A year only partly billed compares with
 * `amount` x days billed / days of the year. Assessed by the monthly bill run (rateMonths).
 */
export const AnnualMinimum = z.strictObject({
  description: z.string().min(1).default('Annual minimum charge'),
  amount: UDec,
  month: Month.default(12),
});
export type AnnualMinimum = z.infer<typeof AnnualMinimum>;

export const NetMetering = z.strictObject({
  /**
   * 'net-billing': imports are billed by the energy charges, every exported unit is credited at
   * the sell rate of its period. 'monthly-net': imports and exports are netted per period over
   * the month; a net import is billed, a net export is credited at the sell rate, or banked when
   * `trueUpMonth` is set and paid out at `trueUpRate` on the bill of that month.
   */
  mode: z.enum(['net-billing', 'monthly-net']),
  /** Sell rate per exported unit, by energy period (one value = every period). */
  sellRates: z.array(UDec).min(1),
  trueUpMonth: Month.optional(),
  trueUpRate: UDec.optional(),
});
export type NetMetering = z.infer<typeof NetMetering>;

export const TariffVersion = z.strictObject({
  /** First day the version is in effect. */
  effectiveFrom: DateString,
  /** Last day (inclusive) the version is in effect; open-ended when absent. */
  effectiveTo: DateString.optional(),
  energySchedule: TouSchedule.optional(),
  demandSchedule: TouSchedule.optional(),
  /** Dates rated with the weekend schedule. */
  holidays: z.array(DateString).optional(),
  /** Default rounding of line amounts (half-up to cents when absent). */
  rounding: Rounding.optional(),
  netMetering: NetMetering.optional(),
  annualMinimum: AnnualMinimum.optional(),
  charges: z.array(Charge).min(1),
});
export type TariffVersion = z.infer<typeof TariffVersion>;
/** A version as written (defaults not yet filled in). */
export type TariffVersionInput = z.input<typeof TariffVersion>;

export const RATING_UNITS = ['kWh', 'gal', 'kgal', 'ccf', 'therm', 'm3'] as const;
export type RatingUnit = (typeof RATING_UNITS)[number];

export const TariffDocument = z.strictObject({
  format: z.literal('cis-tariff/1'),
  tariffId: z.string().min(1),
  name: z.string().min(1),
  utility: z.string().optional(),
  /** Where the tariff was published (URL, sheet number, effective order). */
  source: z.string().optional(),
  unit: z.enum(RATING_UNITS),
  timeZone: z.string().refine(isTimeZone, { error: 'must be an IANA time zone like "America/Denver"' }),
  /**
   * Parts of the published tariff that no charge prices (e.g. URDB energyattrs/demandattrs/
   * fixedattrs): kept with the tariff and shown as warnings by `cis rate`, never dropped silently.
   */
  notes: z.array(z.string()).optional(),
  versions: z.array(TariffVersion).min(1),
});
export type TariffDocument = z.infer<typeof TariffDocument>;

/** Checks a tariff document (any JSON) and returns it with defaults filled in. */
export function parseTariffDocument(json: unknown): TariffDocument {
  const result = TariffDocument.safeParse(json);
  if (!result.success) {
    const issue = result.error.issues[0]!;
    throw new InvalidTariffDocument(`tariff ${issue.path.join('.') || '(document)'}: ${issue.message}`);
  }
  const doc = result.data;
  const versions = [...doc.versions].sort((a, b) => (a.effectiveFrom < b.effectiveFrom ? -1 : 1));
  for (const [index, version] of versions.entries()) {
    const next = versions[index + 1];
    if (version.effectiveTo !== undefined && version.effectiveTo < version.effectiveFrom) throw new InvalidTariffDocument(`tariff version ${version.effectiveFrom}: effectiveTo is before effectiveFrom`);
    if (next && (version.effectiveTo === undefined || version.effectiveTo >= next.effectiveFrom)) {
      throw new InvalidTariffDocument(`tariff versions ${version.effectiveFrom} and ${next.effectiveFrom} overlap: give the earlier one an effectiveTo before ${next.effectiveFrom}`);
    }
    checkVersion(version, `versions[${doc.versions.indexOf(version)}]`);
  }
  return { ...doc, versions };
}

function checkVersion(version: TariffVersion, at: string): void {
  const energyPeriods = version.energySchedule ? maxPeriod(version.energySchedule) + 1 : 1;
  const demandPeriods = version.demandSchedule ? maxPeriod(version.demandSchedule) + 1 : 1;
  const ids = new Set<string>();
  for (const [index, charge] of version.charges.entries()) {
    const where = `tariff ${at}.charges[${index}] (${charge.description})`;
    if (charge.id !== undefined) {
      if (ids.has(charge.id)) throw new InvalidTariffDocument(`${where}: duplicate id ${charge.id}`);
      ids.add(charge.id);
    }
    if (charge.activeFrom && charge.activeTo && charge.activeTo < charge.activeFrom) throw new InvalidTariffDocument(`${where}: activeTo is before activeFrom`);
    if (charge.kind === 'fixed') {
      if ((charge.amount === undefined) === (charge.amounts === undefined)) throw new InvalidTariffDocument(`${where}: give either amount or keyedBy + amounts`);
      if ((charge.amounts === undefined) !== (charge.keyedBy === undefined)) throw new InvalidTariffDocument(`${where}: amounts needs keyedBy (meterSize or serviceClass) and the other way round`);
    }
    if ((charge.kind === 'energy' || (charge.kind === 'rider' && charge.basis === 'usage')) && charge.periods) {
      const bad = charge.periods.find((p) => p >= energyPeriods);
      if (bad !== undefined) throw new InvalidTariffDocument(`${where}: energy period ${bad} is not in the energy schedule (periods 0..${energyPeriods - 1})`);
    }
    if (charge.kind === 'demand' && charge.periods) {
      if (!version.demandSchedule) throw new InvalidTariffDocument(`${where}: periods need a demandSchedule in the version`);
      const bad = charge.periods.find((p) => p >= demandPeriods);
      if (bad !== undefined) throw new InvalidTariffDocument(`${where}: demand period ${bad} is not in the demand schedule (periods 0..${demandPeriods - 1})`);
    }
  }
  if (version.netMetering) {
    const rates = version.netMetering.sellRates.length;
    if (rates !== 1 && rates !== energyPeriods) throw new InvalidTariffDocument(`tariff ${at}.netMetering.sellRates: give one rate or one per energy period (${energyPeriods})`);
    if ((version.netMetering.trueUpMonth === undefined) !== (version.netMetering.trueUpRate === undefined)) throw new InvalidTariffDocument(`tariff ${at}.netMetering: trueUpMonth and trueUpRate go together`);
    if (version.netMetering.trueUpMonth !== undefined && version.netMetering.mode !== 'monthly-net') throw new InvalidTariffDocument(`tariff ${at}.netMetering: a true-up needs mode monthly-net`);
  }
}

function maxPeriod(schedule: TouSchedule): number {
  let max = 0;
  for (const matrix of [schedule.weekday, schedule.weekend]) for (const row of matrix) for (const p of row) if (p > max) max = p;
  return max;
}

/** The rating context as JSON (e.g. `cis rate --context FILE`). */
export const RatingContextSchema = z.strictObject({
  meterSize: z.string().optional(),
  serviceClass: z.string().optional(),
  taxExemptions: z.array(z.string()).optional(),
  winterAverage: UDec.optional(),
  imperviousArea: UDec.optional(),
  stormwaterCreditPercent: UDec.optional(),
  demandHistory: z.array(z.strictObject({ month: z.string().regex(/^\d{4}-(0[1-9]|1[0-2])$/, 'must be YYYY-MM'), peakKw: UDec })).optional(),
  fullPeriodDays: z.number().int().min(1).max(62).optional(),
  meters: z.number().int().min(1).max(10000).optional(),
});

export function parseRatingContext(json: unknown): z.infer<typeof RatingContextSchema> {
  const result = RatingContextSchema.safeParse(json);
  if (!result.success) {
    const issue = result.error.issues[0]!;
    throw new InvalidTariffDocument(`rating context ${issue.path.join('.') || '(document)'}: ${issue.message}`);
  }
  return result.data;
}
