/**
 * The usage history chart of a bill, laid out once for both renderers: one bar per bill period,
 * oldest left, scaled to a round axis maximum, the current period marked.
 */
import { Money } from '../domain/money';
import type { UsagePoint } from '../domain/bill-document';

export interface ChartBar {
  x: number;
  y: number;
  width: number;
  height: number;
  label: string;
  value: string;
  current: boolean;
}

export interface UsageChart {
  width: number;
  height: number;
  /** The plot area below the top margin and above the labels. */
  plotTop: number;
  plotBottom: number;
  axisMax: string;
  bars: ChartBar[];
}

/** The smallest of 1, 2, 2.5, 5 x 10^n at or above `value` (0 when there is no usage at all). */
export function niceMax(value: InstanceType<typeof Money>): InstanceType<typeof Money> {
  if (value.lessThanOrEqualTo(0)) return new Money(0);
  const power = new Money(10).pow(Math.floor(value.log(10).toNumber()));
  for (const step of [1, 2, 2.5, 5, 10]) {
    const candidate = power.times(step);
    if (candidate.greaterThanOrEqualTo(value)) return candidate;
  }
  return power.times(10);
}

export function usageChart(history: readonly UsagePoint[], width: number, height: number): UsageChart {
  const plotTop = 14;
  const plotBottom = height - 16;
  const plotHeight = plotBottom - plotTop;
  const values = history.map((point) => Money.max(new Money(point.quantity), 0));
  const axisMax = niceMax(values.reduce((a, b) => (b.greaterThan(a) ? b : a), new Money(0)));
  const slot = history.length === 0 ? width : width / history.length;
  const barWidth = Math.max(2, slot * 0.7);
  const bars = history.map((point, i) => {
    const ratio = axisMax.isZero() ? 0 : values[i]!.dividedBy(axisMax).toNumber();
    const barHeight = Math.round(ratio * plotHeight * 100) / 100;
    return {
      x: Math.round((i * slot + (slot - barWidth) / 2) * 100) / 100,
      y: Math.round((plotBottom - barHeight) * 100) / 100,
      width: Math.round(barWidth * 100) / 100,
      height: barHeight,
      label: point.label,
      value: point.quantity,
      current: point.current,
    };
  });
  return { width, height, plotTop, plotBottom, axisMax: axisMax.toString(), bars };
}
