/**
 * Expected values of NREL SAM's own rate tests, with inputs reproduced exactly: NREL/ssc
 * test/shared_test/lib_utility_rate_equations_test.cpp (commit e3e9b8087eb97700a3aceb543e9ab8f01418fd2b).
 * ssc numbers periods from 1 in its matrices; the documents here use 0-based periods (URDB's
 * and this project's), so ssc period 1 is period 0 below.
 */
import { Decimal } from 'decimal.js';
import { importUrdb, parseTariffDocument, rateBill } from '../../../../shared/domain/rating';
import { usage } from './helpers';

const rows = (period: (month: number, hour: number) => number) => Array.from({ length: 12 }, (_, m) => Array.from({ length: 24 }, (_, h) => period(m, h)));

describe('ssc test_billing_demand_calcs_w_tou: APS E-32 TOU large (URDB 5caf91045457a3c4357780e3)', () => {
  // Demand periods: weekdays 15:00-20:00 on-peak (ssc period 2), else off-peak (ssc period 1).
  // Off-peak: first 100 kW at 6.654, above at 3.628. On-peak: 17.766 and 12.053, billed on the
  // billing demand: at least 500 kW, and 80% of the highest peak of May-October in the 11
  // previous months (ssc lookback percentages 80 for those months, and the current month counted).
  const tariff = parseTariffDocument({
    format: 'cis-tariff/1',
    tariffId: 'aps-e32-ssc-test',
    name: 'APS E-32 TOU large, demand part as in the ssc test',
    source: 'NREL/ssc test/shared_test/lib_utility_rate_equations_test.cpp test_billing_demand_calcs_w_tou (rates of URDB 5caf91045457a3c4357780e3)',
    unit: 'kWh',
    timeZone: 'UTC',
    versions: [
      {
        effectiveFrom: '2016-01-01',
        demandSchedule: { weekday: rows((_m, h) => (h >= 15 && h < 20 ? 1 : 0)), weekend: rows(() => 0) },
        charges: [
          { kind: 'demand', description: 'Off-peak demand', periods: [0], tiers: [{ upTo: '100', rate: '6.654' }, { rate: '3.628' }] },
          {
            kind: 'demand',
            description: 'On-peak demand',
            periods: [1],
            tiers: [{ upTo: '100', rate: '17.766' }, { rate: '12.053' }],
            ratchet: { percent: '80', lookbackMonths: 11, monthsCounted: [5, 6, 7, 8, 9, 10] },
            minimumKw: '500',
          },
        ],
      },
    ],
  });
  // ssc's year starts on a Sunday (2017); the test's day is Monday January 2 (steps 24-47).
  const day = [100, 100, 200, 300, 400, 500, 600, 700, 800, 900, 800, 900, 800, 700, 600, 1000, 950, 900, 850, 800, 700, 500, 500, 500];
  const load = usage('2017-01-01', 31, 60, (date, hour) => (date === '2017-01-02' ? String(day[hour]) : '0'));
  // Year-zero monthly peaks of the test (2016).
  const yearZero = [1200, 1100, 900, 700, 800, 950, 1050, 1300, 850, 400, 600, 750];
  const demandHistory = yearZero.map((kw, m) => ({ month: `2016-${String(m + 1).padStart(2, '0')}`, peakKw: String(kw) }));

  it('bills January 16674.22 of demand charges, as ssc expects', () => {
    const bill = rateBill(tariff, load, '2017-01-01', '2017-01-31', { demandHistory });
    // Off-peak peak 900 kW: 100 x 6.654 + 800 x 3.628 = 665.40 + 2902.40
    // On-peak peak 1000 kW, billing demand max(1000, 80% x August's 1300 = 1040, 500) = 1040 kW:
    //   100 x 17.766 + 940 x 12.053 = 1776.60 + 11329.82
    // Total 16674.22 (ssc: ASSERT_NEAR(16674.22, get_demand_charge(0, 0), 0.01)).
    expect(bill.lines.map((line) => [line.quantity, line.amount])).toEqual([
      ['100', '665.40'],
      ['800', '2902.40'],
      ['100', '1776.60'],
      ['940', '11329.82'],
    ]);
    expect(bill.total).toBe('16674.22');
  });
});

describe('ssc test_kwh_per_kw_only: kWh/kW tiers on the month\'s peak', () => {
  // Energy tiers in kWh per kW of peak: 200, 400, 600 and above; ssc period 1 (0-based 0) in
  // June-September, period 2 (0-based 1) otherwise.
  const tier = (rate: number, max?: number) => ({ ...(max === undefined ? {} : { max }), unit: 'kWh/kW', rate });
  const tariff = importUrdb({
    label: 'ssc-test-kwh-per-kw-only',
    name: 'ssc test_kwh_per_kw_only rate',
    energyratestructure: [
      [tier(0.031718, 200), tier(0.013627, 400), tier(0.010275, 600), tier(0.00771)],
      [tier(0.028813, 200), tier(0.013627, 400), tier(0.010275, 600), tier(0.00771)],
    ],
    energyweekdayschedule: rows((m) => (m >= 5 && m <= 8 ? 0 : 1)),
    energyweekendschedule: rows((m) => (m >= 5 && m <= 8 ? 0 : 1)),
  });
  // January: 500, 600, 658 kW in the first three hours (peak 658); June: 500, 1413, 1000 (peak 1413).
  const load = usage('2017-01-01', 181, 60, (date, hour) => {
    if (date === '2017-01-01' && hour < 3) return ['500', '600', '658'][hour]!;
    if (date === '2017-06-01' && hour < 3) return ['500', '1413', '1000'][hour]!;
    return '0';
  });

  it.each([
    // ssc: January limits 131600, 263200, 394800 kWh at 0.02881..., June 282600, 565200, 847800 at 0.031718.
    ['2017-01-01', '2017-01-31', '131600', '1758', '0.028813', '50.65'],
    ['2017-06-01', '2017-06-30', '282600', '2913', '0.031718', '92.39'],
  ])('%s..%s: the first tier ends at 200 x the peak = %s kWh', (from, to, limit, kwh, rate, amount) => {
    const bill = rateBill(tariff, load, from, to);
    // January 1758 kWh x 0.028813 = 50.653254 -> 50.65; June 2913 kWh x 0.031718 = 92.394534 -> 92.39
    expect(bill.lines.map((line) => [line.description.replace(/^Energy charge, period \d, /, ''), line.quantity, line.rate, line.amount])).toEqual([[`tier 1 (first ${limit} kWh)`, kwh, rate, amount]]);
    expect(new Decimal(kwh).times(rate).toDecimalPlaces(2).toFixed(2)).toBe(amount);
  });
});
