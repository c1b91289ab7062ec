/**
 * Demand charges with lookbacks checked against the expected values of an independent rate engine:
 * NREL REopt.jl, test/test_with_xpress.jl, testset "Lookback Demand Charges" (commit
 * dbff55e3f036142e58001c860c716e579caae0f2). Its loads are hourly kW series of a 8760-hour year
 * (1-based indexes below); REopt bills `year_one_demand_cost_before_tax`, which is compared here with
 * the sum of the kW lines of twelve monthly bills of 2023 (a 365-day year, so the hours line up).
 *
 * REopt models one year as repeating: a lookback in January sees the same year's later months
 * (case 2: January bills 75% of April's 400 kW). `cis rate` looks back at earlier bills only, so
 * the year before is given as demand history with the same monthly peaks (a steady year), which
 * is what REopt's repeating year assumes.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { importUrdb, loadTariff, rateMonths, type RatedBill } from '../../../../shared/domain/rating';
import { Decimal } from 'decimal.js';
import { FIXTURES, usage } from './helpers';

/** Hourly kW of 2023: `base` everywhere, `spikes` at REopt's 1-based hour indexes. */
function hourly(base: string, spikes: Record<number, string>) {
  const start = Date.UTC(2023, 0, 1);
  return usage('2023-01-01', 365, 60, (date, hour) => {
    const index = (Date.parse(`${date}T00:00:00Z`) - start) / 3_600_000 + hour + 1;
    return spikes[index] ?? base;
  });
}

const demandLines = (bill: RatedBill) => bill.lines.filter((line) => line.unit === 'kW');
const demandCost = (bills: RatedBill[]) => bills.flatMap(demandLines).reduce((sum, line) => sum.plus(line.amount), new Decimal(0)).toFixed(2);

describe('REopt.jl "Lookback Demand Charges"', () => {
  it('case 1: URDB 539f6a23ec4f024411ec8bf9 (Wallingford CT), 35% of January\'s 100 kW in every later month', () => {
    // The published item less its reactive power charge (which kW data cannot price; REopt's
    // demand cost does not include it either).
    const tariff = loadTariff(JSON.parse(readFileSync(path.join(FIXTURES, 'tariffs', 'urdb-wallingford-without-reactive.json'), 'utf8')));
    // loads_kw = ones(8760); loads_kw[8] = 100.
    const { bills } = rateMonths(tariff, hourly('1', { 8: '100' }));
    // REopt: 100 x (10.5 + 0.35 x 10.5 x 5 + 0.35 x 11.5 x 6) = 5302.5
    // (January 100 kW at the winter 10.50; 35 kW in the 5 other winter months and the 6 summer months at 11.50.)
    expect(bills.map((bill) => demandLines(bill).map((line) => line.quantity))).toEqual([['100'], ...Array(11).fill(['35'])]);
    expect(demandCost(bills)).toBe('5302.50');
  });

  // monthly_demand_rates = [10,10,20,50,20,10,20,20,20,20,20,5] as a URDB flat demand structure
  // with one period per month; demand_lookback_percent 0.75 as lookbackpercent.
  const rates = [10, 10, 20, 50, 20, 10, 20, 20, 20, 20, 20, 5];
  const zeros = () => Array.from({ length: 12 }, () => Array.from({ length: 24 }, () => 0));
  const item = {
    label: 'reopt-lookback-test',
    name: 'REopt.jl lookback test rate (its custom tariff in URDB fields)',
    energyratestructure: [[{ rate: 0.01 }]],
    energyweekdayschedule: zeros(),
    energyweekendschedule: zeros(),
    flatdemandstructure: rates.map((rate) => [{ rate }]),
    flatdemandmonths: rates.map((_, m) => m),
    lookbackpercent: 0.75,
  };
  // loads_kw = 100 everywhere; [22] = 200 (Jan), [2403] = 400 (Apr 11), [4088] = 500 (Jun 20), [8333] = 300 (Dec 14).
  const load = hourly('100', { 22: '200', 2403: '400', 4088: '500', 8333: '300' });
  const peaks = [200, 100, 100, 400, 100, 500, 100, 100, 100, 100, 100, 300];
  const steadyYear = { demandHistory: peaks.map((kw, m) => ({ month: `2022-${String(m + 1).padStart(2, '0')}`, peakKw: String(kw) })) };

  it('case 2: demand_lookback_months Jan, Apr, Dec (lookbackmonths)', () => {
    const tariff = importUrdb({ ...item, lookbackmonths: [true, false, false, true, false, false, false, false, false, false, false, true] });
    const { bills } = rateMonths(tariff, load, { context: steadyYear });
    // REopt: monthly peaks [300,300,300,400,300,500,300,300,300,300,300,300] (300 = 75% of April's 400;
    // June's 500 is not a lookback month); cost = sum(peaks x rates) = 74500.
    expect(bills.map((bill) => demandLines(bill)[0]!.quantity)).toEqual(['300', '300', '300', '400', '300', '500', '300', '300', '300', '300', '300', '300']);
    expect(demandCost(bills)).toBe('74500.00');
  });

  it('case 3: demand_lookback_range 6 (lookbackrange)', () => {
    const tariff = importUrdb({ ...item, lookbackrange: 6 });
    const { bills } = rateMonths(tariff, load, { context: steadyYear });
    // REopt: monthly peaks [225,225,225,400,300,500,375,375,375,375,375,375]; cost 79375.
    expect(bills.map((bill) => demandLines(bill)[0]!.quantity)).toEqual(['225', '225', '225', '400', '300', '500', '375', '375', '375', '375', '375', '375']);
    expect(demandCost(bills)).toBe('79375.00');
  });
});
