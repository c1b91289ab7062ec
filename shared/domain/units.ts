/**
 * Units of measure and integer quantities. A reading's decimal string becomes an integer count
 * of micro-units (1e-6) of the meter's unit, so aggregation is integer arithmetic and pricing
 * converts to Decimal once per bill line.
 */
import { Decimal } from 'decimal.js';
import { Money } from './money';

export const UNITS = ['kWh', 'Wh', 'gal', 'ccf', 'therm'] as const;
export type Unit = (typeof UNITS)[number];

/** Micro-units per unit: quantities are stored as integers of 1e-6 of the meter's unit. */
export const MICRO_PER_UNIT = 1_000_000;
const MICRO_DIGITS = 6;

export function isUnit(value: string): value is Unit {
  return (UNITS as readonly string[]).includes(value);
}

/** The metered service a unit belongs to when nothing else says: kWh and Wh electric, therm gas, gal and ccf water. */
export function serviceTypeOfUnit(unit: Unit): 'electric' | 'water' | 'gas' {
  if (unit === 'kWh' || unit === 'Wh') return 'electric';
  if (unit === 'therm') return 'gas';
  return 'water';
}

export type QuantityRejection = 'invalid-value' | 'negative-value' | 'too-precise' | 'value-too-large' | 'unknown-unit' | 'incompatible-unit';

/** A reading value or unit that cannot become an integer quantity of the meter's unit. */
export class InvalidQuantity extends Error {
  override name = 'InvalidQuantity';
  constructor(
    readonly reason: QuantityRejection,
    message: string,
  ) {
    super(message);
  }
}

/**
 * How many decimal places of a reading in `readingUnit` fit in micro-units of `meterUnit`,
 * or undefined when the units are incompatible. kWh meters accept kWh (6 places) and
 * Wh (3 places: 1 Wh = 1000 micro-kWh); every other unit must match exactly.
 */
export function microExponent(readingUnit: Unit, meterUnit: Unit): number | undefined {
  if (readingUnit === meterUnit) return MICRO_DIGITS;
  if (meterUnit === 'kWh' && readingUnit === 'Wh') return MICRO_DIGITS - 3;
  return undefined;
}

const UNSIGNED = /^(\d+)(?:\.(\d+))?$/;
const MAX_MICRO = BigInt(Number.MAX_SAFE_INTEGER);

/**
 * Converts a decimal-string reading into integer micro-units of the meter's unit.
 * Rejects non-decimal strings (exponents, "+", blanks), negative values, more decimal places
 * than a micro-unit can hold (trailing zeros are fine) and values beyond Number.MAX_SAFE_INTEGER
 * micro-units.
 */
export function toMicroUnits(value: string, readingUnit: string, meterUnit: Unit): number {
  if (!isUnit(readingUnit)) throw new InvalidQuantity('unknown-unit', `unit ${JSON.stringify(readingUnit)} is not one of ${UNITS.join(', ')}`);
  const exponent = microExponent(readingUnit, meterUnit);
  if (exponent === undefined) throw new InvalidQuantity('incompatible-unit', `unit ${readingUnit} does not fit a ${meterUnit} meter`);
  if (value.startsWith('-') && UNSIGNED.test(value.slice(1))) throw new InvalidQuantity('negative-value', `value ${value} is negative`);
  const match = UNSIGNED.exec(value);
  if (!match) throw new InvalidQuantity('invalid-value', `value ${JSON.stringify(value)} is not a decimal string like "1.25"`);
  const whole = match[1] ?? '0';
  const fraction = (match[2] ?? '').replace(/0+$/, '');
  if (fraction.length > exponent) {
    throw new InvalidQuantity('too-precise', `value ${value} has more than ${exponent} decimal places for a ${meterUnit} meter reading in ${readingUnit}`);
  }
  const micro = BigInt(whole) * 10n ** BigInt(exponent) + BigInt(fraction.padEnd(exponent, '0') || '0');
  if (micro > MAX_MICRO) throw new InvalidQuantity('value-too-large', `value ${value} ${readingUnit} is too large`);
  return Number(micro);
}

/** Adds integer quantities, refusing to leave the exactly representable range. */
export function addQuantities(a: number, b: number): number {
  const sum = a + b;
  if (!Number.isSafeInteger(sum)) throw new InvalidQuantity('value-too-large', 'usage total exceeds the exactly representable range');
  return sum;
}

export function scaleQuantity(micro: number, multiplier: number): number {
  const product = micro * multiplier;
  if (!Number.isSafeInteger(product)) throw new InvalidQuantity('value-too-large', 'usage total times the meter multiplier exceeds the exactly representable range');
  return product;
}

/** Micro-units as a Decimal of whole units (exact), for pricing. */
export function microToDecimal(micro: number): Decimal {
  return new Money(micro).div(MICRO_PER_UNIT);
}

/** Micro-units as a decimal string of whole units without trailing zeros ("1.25", "0", "42"). */
export function formatMicro(micro: number): string {
  if (!Number.isSafeInteger(micro)) throw new InvalidQuantity('value-too-large', `quantity ${micro} is not a safe integer`);
  const negative = micro < 0;
  const digits = String(Math.abs(micro)).padStart(MICRO_DIGITS + 1, '0');
  const whole = digits.slice(0, -MICRO_DIGITS);
  const fraction = digits.slice(-MICRO_DIGITS).replace(/0+$/, '');
  return `${negative ? '-' : ''}${whole}${fraction ? `.${fraction}` : ''}`;
}
