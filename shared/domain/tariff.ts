/**
 * The minimal tariff: a fixed charge per bill plus one flat price per unit. Real tariffs (tiers,
 * time of use, demand, riders) extend `rateUsage` with more line kinds.
 */
import { formatDecimal, formatMoney, isUnsignedDecimalString, Money, roundToCents, type RoundingRule, sumAmounts } from './money';
import { formatMicro, microToDecimal, type Unit } from './units';
import { RuleViolation } from './errors';

export interface Tariff {
  tariffId: string;
  name: string;
  /** The unit usage is priced in; it must be the meters' unit. */
  unit: Unit;
  /** Decimal string, charged once per bill. */
  fixedCharge: string;
  /** Decimal string, price per `unit`. */
  unitPrice: string;
  rounding: RoundingRule;
}

export interface BillLine {
  description: string;
  /** Decimal string. */
  quantity: string;
  unit: string;
  /** Decimal string, price per unit. */
  rate: string;
  /** Decimal string with two decimals. */
  amount: string;
  periodStart: string;
  periodEnd: string;
}

export interface RatedUsage {
  lines: BillLine[];
  /** Sum of the (already rounded) line amounts, two decimals. */
  total: string;
}

export class InvalidTariff extends RuleViolation {
  override name = 'InvalidTariff';
}

export function assertValidTariff(tariff: Tariff): Tariff {
  for (const field of ['fixedCharge', 'unitPrice'] as const) {
    if (!isUnsignedDecimalString(tariff[field])) throw new InvalidTariff('invalid-tariff', `tariff ${tariff.tariffId} ${field} ${JSON.stringify(tariff[field])} is not a non-negative decimal string`);
  }
  return tariff;
}

/**
 * Rates a period's usage (integer micro-units of the tariff's unit): one fixed-charge line and
 * one usage line, each rounded once with the tariff's rule; the total is the sum of the lines.
 */
export function rateUsage(tariff: Tariff, usageMicro: number, period: { periodStart: string; periodEnd: string }): RatedUsage {
  assertValidTariff(tariff);
  const fixed = roundToCents(new Money(tariff.fixedCharge), tariff.rounding);
  const quantity = microToDecimal(usageMicro);
  const usage = roundToCents(quantity.times(tariff.unitPrice), tariff.rounding);
  const lines: BillLine[] = [
    { description: `${tariff.name}: fixed charge`, quantity: '1', unit: 'bill', rate: formatDecimal(new Money(tariff.fixedCharge)), amount: formatMoney(fixed), ...period },
    { description: `${tariff.name}: usage charge`, quantity: formatMicro(usageMicro), unit: tariff.unit, rate: formatDecimal(new Money(tariff.unitPrice)), amount: formatMoney(usage), ...period },
  ];
  return { lines, total: formatMoney(sumAmounts([fixed, usage])) };
}
