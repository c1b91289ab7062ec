/**
 * Money is exact: decimal.js in the domain, decimal strings at rest and on the wire
 * ("12.30"), never a JS float. Rounding happens once per bill line.
 */
import { Decimal } from 'decimal.js';
import { InvalidInput } from './errors';

/** A private Decimal constructor so that nobody's global Decimal configuration leaks in. */
export const Money: Decimal.Constructor = Decimal.clone({ precision: 40, rounding: Decimal.ROUND_HALF_UP, toExpNeg: -40, toExpPos: 40 });
export type Amount = Decimal;

/** Rounding rules a tariff may name. Only half-up to cents today. */
export type RoundingRule = 'half-up';

const DECIMAL_STRING = /^-?(0|[1-9]\d*)(\.\d+)?$/;
const UNSIGNED_DECIMAL_STRING = /^(0|[1-9]\d*)(\.\d+)?$/;

export function isDecimalString(value: string): boolean {
  return DECIMAL_STRING.test(value);
}

export function isUnsignedDecimalString(value: string): boolean {
  return UNSIGNED_DECIMAL_STRING.test(value);
}

/** Parses a plain decimal string ("12.5", "-3.10"); rejects exponents, "+", blanks, "NaN". */
export function parseDecimal(value: string, field = 'value'): Decimal {
  if (!DECIMAL_STRING.test(value)) throw new InvalidInput(`${field} must be a decimal string like "12.50", got ${JSON.stringify(value)}`);
  return new Money(value);
}

/** Rounds to cents with the tariff's rule (half-up: 0.005 -> 0.01, -0.005 -> -0.01). */
export function roundToCents(amount: Decimal, rule: RoundingRule = 'half-up'): Decimal {
  switch (rule) {
    case 'half-up':
      return new Money(amount).toDecimalPlaces(2, Decimal.ROUND_HALF_UP);
  }
}

/** Formats an amount as a decimal string with exactly two decimals ("12.30"); never "-0.00". */
export function formatMoney(amount: Decimal): string {
  const rounded = roundToCents(amount);
  return rounded.isZero() ? '0.00' : rounded.toFixed(2);
}

export function sumAmounts(amounts: Iterable<Decimal>): Decimal {
  let total = new Money(0);
  for (const amount of amounts) total = total.plus(amount);
  return total;
}

/** Normalizes a decimal string for display (no trailing zeros beyond what is needed: "1.2500" -> "1.25"). */
export function formatDecimal(value: Decimal): string {
  return value.isZero() ? '0' : value.toFixed();
}
