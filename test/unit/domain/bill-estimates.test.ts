/** Usage estimates for meters without reads: from last year, from the average of the last bills, or none. */
import { estimatedInARow, estimateUsage, spreadOverHours } from '../../../shared/domain/bill-estimates';
import type { BillHistoryEntry } from '../../../shared/domain/billing';

const entry = (billId: string, periodStart: string, periodEnd: string, quantity: string, options: { estimated?: boolean; agreementId?: string; unit?: string } = {}): BillHistoryEntry => ({
  billId,
  periodStart,
  periodEnd,
  total: '10.00',
  estimated: options.estimated ?? false,
  services: [{ agreementId: options.agreementId ?? 'G1', periodStart, periodEnd, quantity, unit: options.unit ?? 'kWh', estimated: options.estimated ?? false }],
});

describe('estimateUsage', () => {
  const history = [
    entry('B-2025-01', '2025-01-01', '2025-01-31', '310'), // 10 a day
    entry('B-2025-11', '2025-11-01', '2025-11-30', '600'), // 20 a day
    entry('B-2025-12', '2025-12-01', '2025-12-31', '930'), // 30 a day
  ];

  it('takes the same days a year earlier when a bill covers at least half of them', () => {
    expect(estimateUsage(history, 'G1', 'kWh', '2026-01-01', '2026-01-31')).toEqual({ method: 'last-year', quantityMicro: 310_000_000, basis: ['B-2025-01'] });
    // 16 of 31 days a year earlier are covered by January 2025 (its daily usage x 31 days).
    expect(estimateUsage(history, 'G1', 'kWh', '2026-01-16', '2026-02-15')).toMatchObject({ method: 'last-year', quantityMicro: 310_000_000 });
  });

  it('averages the daily usage of the last three measured bills otherwise', () => {
    // Feb 2026 a year earlier (Feb 2025) has no bill: (310 + 600 + 930) / (31 + 30 + 31) days x 28 days = 560.
    expect(estimateUsage(history, 'G1', 'kWh', '2026-02-01', '2026-02-28')).toEqual({ method: 'average-daily', quantityMicro: 560_000_000, basis: ['B-2025-12', 'B-2025-11', 'B-2025-01'] });
  });

  it('never estimates from estimates, other agreements or other units, and gives nothing without measured history', () => {
    const others = [entry('E', '2025-12-01', '2025-12-31', '999', { estimated: true }), entry('O', '2025-12-01', '2025-12-31', '999', { agreementId: 'G2' }), entry('U', '2025-12-01', '2025-12-31', '999', { unit: 'gal' })];
    expect(estimateUsage(others, 'G1', 'kWh', '2026-01-01', '2026-01-31')).toBeUndefined();
    expect(estimateUsage([...others, history[2]!], 'G1', 'kWh', '2026-01-01', '2026-01-10')).toEqual({ method: 'average-daily', quantityMicro: 300_000_000, basis: ['B-2025-12'] });
  });

  it('rounds to micro-units half up', () => {
    expect(estimateUsage([entry('B', '2025-12-01', '2025-12-03', '1')], 'G1', 'kWh', '2026-01-01', '2026-01-01')).toMatchObject({ quantityMicro: 333_333 });
    expect(estimateUsage([entry('B', '2025-12-01', '2025-12-03', '2')], 'G1', 'kWh', '2026-01-01', '2026-01-01')).toMatchObject({ quantityMicro: 666_667 });
  });
});

describe('spreadOverHours', () => {
  it('spreads a quantity exactly over the local hours, the remainder on the first hours', () => {
    const intervals = spreadOverHours(1_000_000_010, '2026-01-01', '2026-01-02', 'America/Denver');
    expect(intervals).toHaveLength(48);
    expect(intervals[0]).toEqual({ startEpochSec: Date.UTC(2026, 0, 1, 7) / 1000, durationSec: 3600, quantityMicro: 20_833_334 });
    expect(intervals.at(-1)).toEqual({ startEpochSec: Date.UTC(2026, 0, 3, 6) / 1000, durationSec: 3600, quantityMicro: 20_833_333 });
    expect(intervals.reduce((sum, interval) => sum + interval.quantityMicro, 0)).toBe(1_000_000_010);
  });

  it('has 23 hours on the spring-forward day and 25 on the fall-back day', () => {
    expect(spreadOverHours(23_000_000, '2026-03-08', '2026-03-08', 'America/Denver').map((i) => i.quantityMicro)).toEqual(Array(23).fill(1_000_000));
    expect(spreadOverHours(25_000_000, '2026-11-01', '2026-11-01', 'America/Denver')).toHaveLength(25);
  });
});

describe('estimatedInARow', () => {
  it('counts the newest estimated bills until a measured one, whatever the order given', () => {
    const bills = [entry('1', '2025-09-01', '2025-09-30', '1', { estimated: true }), entry('2', '2025-10-01', '2025-10-31', '1'), entry('4', '2025-12-01', '2025-12-31', '1', { estimated: true }), entry('3', '2025-11-01', '2025-11-30', '1', { estimated: true })];
    expect(estimatedInARow(bills)).toBe(2);
    expect(estimatedInARow([])).toBe(0);
    expect(estimatedInARow(bills.slice(0, 2))).toBe(0);
  });
});
