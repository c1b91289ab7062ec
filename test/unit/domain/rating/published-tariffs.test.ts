/**
 * Worked examples from published tariffs: each fixture's `source` names the utility, the schedule,
 * the date and where its prices were read. Every expected amount below is worked out in the
 * comments from those published prices (calendar counts, products and half-up rounding to cents),
 * not from the engine.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { Decimal } from 'decimal.js';
import { importUrdb, parseTariffDocument, rateBill, RatingError, type TariffDocument } from '../../../../shared/domain/rating';
import { compact, FIXTURES, fixtureTariff, usage } from './helpers';

const sum = (amounts: string[]) => amounts.reduce((a, b) => a.plus(b), new Decimal(0)).toFixed(2);

describe('Tucson Electric Power residential time-of-use with kWh blocks (tep-residential-tou-tiers.json)', () => {
  const tariff = fixtureTariff('tep-residential-tou-tiers.json');

  it('names its source', () => {
    expect(tariff.utility).toBe('Tucson Electric Power');
    expect(tariff.source).toMatch(/pnnl\/tesp .*InvFeederGen\.m at commit 47c63d75d16c3aadbaa892e50aa99373196eb51c/);
  });

  // Each row: month, flat load (kWh per 15 minutes), expected lines [description, kWh, $/kWh, amount], total.
  const cases: Array<[string, string, string, string, Array<[string, string, string, string]>, string]> = [
    [
      // January 2024 at 0.5 kW: 31 x 24 x 0.5 = 372 kWh, all in the first block (0-500 kWh).
      // Winter on-peak is 6-9 a.m. and 6-9 p.m. (6 hours) on weekdays; January 2024 has 23
      // weekdays, less New Year's Day (Monday, a holiday) = 22 days x 6 h x 0.5 kW = 66 kWh.
      // Off-peak 372 - 66 = 306 kWh.
      //   306 x 0.097803 = 29.927718 -> 29.93;  66 x 0.104717 = 6.911322 -> 6.91
      // Monthly fee 10.00. Total 10.00 + 29.93 + 6.91 = 46.84
      'January 2024, 0.5 kW',
      '2024-01-01',
      '2024-01-31',
      '0.125',
      [
        ['Monthly fee', '1', '10', '10.00'],
        ['Energy, Winter off-peak, tier 1 (first 500 kWh)', '306', '0.097803', '29.93'],
        ['Energy, Winter on-peak, tier 1 (first 500 kWh)', '66', '0.104717', '6.91'],
      ],
      '46.84',
    ],
    [
      // July 2024 at 2 kW: 31 x 24 x 2 = 1488 kWh: blocks 500, 500 and 488 kWh.
      // Summer on-peak is 3-7 p.m. (4 hours) on weekdays: 23 weekdays less July 4 (Thursday) =
      // 22 days x 4 h x 2 kW = 176 kWh; off-peak 1488 - 176 = 1312 kWh.
      // Each period's kWh spread over the blocks in proportion to 500 : 500 : 488 (of 1488), in
      // millionths of a kWh, the leftover millionths to the largest remainders:
      //   on-peak  176 x 500/1488 = 59.1397849.. (twice), 176 x 488/1488 = 57.7204301..
      //            floors 59.139784 + 59.139784 + 57.720430 = 175.999998: +0.000001 to each 59.. ->
      //            59.139785, 59.139785, 57.720430
      //   off-peak 1312 x 500/1488 = 440.8602150.. (twice), 1312 x 488/1488 = 430.2795698..
      //            floors 440.860215 x 2 + 430.279569 = 1311.999999: +0.000001 to the third ->
      //            440.860215, 440.860215, 430.279570
      //   440.860215 x 0.098484 = 43.41767741 -> 43.42;  440.860215 x 0.107484 = 47.38541935 -> 47.39
      //   430.279570 x 0.112984 = 48.61470694 -> 48.61;  59.139785 x 0.138719 = 8.20381184 -> 8.20
      //   59.139785 x 0.147719 = 8.73606990 -> 8.74;    57.720430 x 0.153219 = 8.84386656 -> 8.84
      // Total 10.00 + 43.42 + 47.39 + 48.61 + 8.20 + 8.74 + 8.84 = 175.20
      'July 2024, 2 kW',
      '2024-07-01',
      '2024-07-31',
      '0.5',
      [
        ['Monthly fee', '1', '10', '10.00'],
        ['Energy, Summer off-peak, tier 1 (first 500 kWh)', '440.860215', '0.098484', '43.42'],
        ['Energy, Summer off-peak, tier 2 (500-1000 kWh)', '440.860215', '0.107484', '47.39'],
        ['Energy, Summer off-peak, tier 3 (over 1000 kWh)', '430.27957', '0.112984', '48.61'],
        ['Energy, Summer on-peak, tier 1 (first 500 kWh)', '59.139785', '0.138719', '8.20'],
        ['Energy, Summer on-peak, tier 2 (500-1000 kWh)', '59.139785', '0.147719', '8.74'],
        ['Energy, Summer on-peak, tier 3 (over 1000 kWh)', '57.72043', '0.153219', '8.84'],
      ],
      '175.20',
    ],
  ];

  it.each(cases)('%s', (_name, from, to, per15, lines, total) => {
    const load = usage(from, Number(to.slice(8, 10)), 15, () => per15, tariff.timeZone);
    const bill = rateBill(tariff, load, from, to);
    expect(compact(bill.lines)).toEqual(lines);
    expect(bill.total).toBe(total);
    expect(bill.total).toBe(sum(bill.lines.map((line) => line.amount)));
  });

  it('prices a holiday with the weekend schedule: July 4 at 6 p.m. is off-peak, July 5 is on-peak', () => {
    // 10 kWh in one hour at 18:00 on each day; nothing else.
    const spike = (day: string) => usage('2024-07-01', 31, 60, (date, hour) => (date === day && hour === 18 ? '10' : '0'), tariff.timeZone);
    // 10 x 0.098484 = 0.98484 -> 0.98 (off-peak); 10 x 0.138719 = 1.38719 -> 1.39 (on-peak)
    expect(compact(rateBill(tariff, spike('2024-07-04'), '2024-07-01', '2024-07-31').lines)[1]).toEqual(['Energy, Summer off-peak, tier 1 (first 500 kWh)', '10', '0.098484', '0.98']);
    expect(compact(rateBill(tariff, spike('2024-07-05'), '2024-07-01', '2024-07-31').lines)[1]).toEqual(['Energy, Summer on-peak, tier 1 (first 500 kWh)', '10', '0.138719', '1.39']);
  });
});

describe('SMUD CI-TOD3 commercial TOU energy and demand, as published in OpenEI URDB (urdb-smud-ci-tod3-2025.json)', () => {
  const json = JSON.parse(readFileSync(path.join(FIXTURES, 'tariffs/urdb-smud-ci-tod3-2025.json'), 'utf8')) as { items: Array<Record<string, unknown>> };
  const tariff = importUrdb(json, { timeZone: 'America/Los_Angeles' });

  it('is the URDB item of Sacramento Municipal Utility District, starting 2025-05-01', () => {
    expect(json.items[0]!.utility).toBe('Sacramento Municipal Utility District');
    expect(tariff.source).toBe('OpenEI URDB 68c0ca32d7afaa668b0dc6fb, startdate 2025-05-01');
  });

  it('July 2025: summer peak energy and demand, site demand on the monthly maximum', () => {
    // 500 kW (125 kWh per 15 min) all month; one 15-minute interval of 800 kW (200 kWh) on
    // Tuesday 2025-07-15 at 17:00 (summer peak) and one of 900 kW (225 kWh) on Saturday
    // 2025-07-12 at 12:00 (off-peak).
    const load = usage('2025-07-01', 31, 15, (date, hour, minute) => {
      if (date === '2025-07-15' && hour === 17 && minute === 0) return '200';
      if (date === '2025-07-12' && hour === 12 && minute === 0) return '225';
      return '125';
    }, tariff.timeZone);
    const bill = rateBill(tariff, load, '2025-07-01', '2025-07-31');
    // Summer peak (period 3) is 16:00-21:00 on weekdays (URDB has no holidays): July 2025 has 23
    // weekdays x 5 h = 115 h x 500 kW = 57,500 kWh, + 75 kWh of the 800 kW interval = 57,575 kWh
    //   at 0.2294 + 0.0003 (state surcharge adj) = 0.2297: 13,224.9775 -> 13,224.98
    // Off-peak (period 4): 744 h x 500 = 372,000 - 57,500 = 314,500 + 100 kWh of the 900 kW
    //   interval = 314,600 kWh at 0.1118 + 0.0003 = 0.1121: 35,266.66
    // Summer peak demand (period 1) 800 kW x 11.609 = 9,287.20
    // Monthly (site) demand, the month's maximum 900 kW x 5.539 = 4,985.10
    // Fixed 2,339.50. Total 2,339.50 + 13,224.98 + 35,266.66 + 9,287.20 + 4,985.10 = 65,103.44
    expect(compact(bill.lines)).toEqual([
      ['Fixed charge', '1', '2339.5', '2339.50'],
      ['Energy charge, period 3', '57575', '0.2297', '13224.98'],
      ['Energy charge, period 4', '314600', '0.1121', '35266.66'],
      ['TOU demand charge, period 1', '800', '11.609', '9287.20'],
      ['Demand charge', '900', '5.539', '4985.10'],
    ]);
    expect(bill.total).toBe('65103.44');
  });

  it('January 2026: winter peak, off-peak and super off-peak; no TOU demand outside summer', () => {
    const bill = rateBill(tariff, usage('2026-01-01', 31, 15, () => '125', tariff.timeZone), '2026-01-01', '2026-01-31');
    // January 2026 has 22 weekdays. Winter peak (period 0) 16:00-21:00: 22 x 5 h x 500 kW =
    //   55,000 kWh x (0.1405 + 0.0003) = 7,744.00
    // Super off-peak (period 2) 9:00-16:00 on weekdays: 22 x 7 h x 500 = 77,000 kWh x 0.0753 = 5,798.10
    // Off-peak (period 1) the rest: (744 - 22 x 12) h x 500 = 240,000 kWh x 0.1163 = 27,912.00
    // Demand: 500 kW x 5.539 = 2,769.50; the summer peak demand period is not in January (0 kW).
    // Total 2,339.50 + 7,744.00 + 27,912.00 + 5,798.10 + 0 + 2,769.50 = 46,563.10
    expect(compact(bill.lines)).toEqual([
      ['Fixed charge', '1', '2339.5', '2339.50'],
      ['Energy charge, period 0', '55000', '0.1408', '7744.00'],
      ['Energy charge, period 1', '240000', '0.1163', '27912.00'],
      ['Energy charge, period 2', '77000', '0.0753', '5798.10'],
      ['TOU demand charge, period 1', '0', '11.609', '0.00'],
      ['Demand charge', '500', '5.539', '2769.50'],
    ]);
    expect(bill.total).toBe('46563.10');
  });

  it('reads the IURDB export field names in any letter case, and refuses one field spelled twice', () => {
    const item = json.items[0]!;
    expect(() => importUrdb({ ...item, dgrules: 'Net Metering' })).toThrow(/field dgrules is given twice/i);
    expect(() => importUrdb({ ...item, flatDemandUnits: 'kVA' })).toThrow(/flatdemandunits "kVA": only kW demand/);
  });
});

describe('City of Portland, Texas water and wastewater (portland-tx-water-wastewater-*.json)', () => {
  const residential = fixtureTariff('portland-tx-water-wastewater-residential.json');
  const commercial = fixtureTariff('portland-tx-water-wastewater-commercial.json');
  /** `kgal` thousand gallons over July 2024, in daily reads (the last day takes the odd tenth). */
  const july = (kgal: string) => {
    const total = new Decimal(kgal);
    const daily = total.div(31).toDecimalPlaces(1, Decimal.ROUND_DOWN);
    const last = total.minus(daily.times(30));
    return usage('2024-07-01', 31, 1440, (date) => (date === '2024-07-31' ? last.toFixed() : daily.toFixed()), residential.timeZone);
  };

  // Each row: tariff, context, July usage (kgal), expected amounts, total.
  const cases: Array<[string, TariffDocument, Record<string, string>, string, string[], string]> = [
    [
      // Residential, 5/8-inch meter, winter average 6.4 kgal, 18.3 kgal used:
      //   water base 13.84; usage "each thousand gallons or part": 19 kgal -> 13 x 3.02 = 39.26 and
      //   6 x 3.08 = 18.48; wastewater base 26.59; wastewater on the winter average
      //   6.4 x 0.93 = 5.952 -> 5.95. Total 13.84 + 39.26 + 18.48 + 26.59 + 5.95 = 104.12
      'residential, 18.3 kgal',
      residential,
      { meterSize: '0.625', winterAverage: '6.4' },
      '18.3',
      ['13.84', '39.26', '18.48', '26.59', '5.95'],
      '104.12',
    ],
    [
      // Residential using less than the winter average: wastewater is still billed on the average.
      //   4.2 kgal -> 5 x 3.02 = 15.10; 13.84 + 15.10 + 26.59 + 5.95 = 61.48
      'residential, 4.2 kgal (below the winter average)',
      residential,
      { meterSize: '0.625', winterAverage: '6.4' },
      '4.2',
      ['13.84', '15.10', '26.59', '5.95'],
      '61.48',
    ],
    [
      // Commercial, 2-inch meter, 45.6 kgal (46 billed): water base 47.11; 13 x 3.02 = 39.26,
      //   12 x 3.08 = 36.96, 15 x 3.28 = 49.20, 6 x 3.54 = 21.24; wastewater base 101.21;
      //   wastewater on actual use 45.6 x 0.93 = 42.408 -> 42.41.
      //   Total 47.11 + 39.26 + 36.96 + 49.20 + 21.24 + 101.21 + 42.41 = 337.39
      'commercial 2-inch, 45.6 kgal',
      commercial,
      { meterSize: '2.0' },
      '45.6',
      ['47.11', '39.26', '36.96', '49.20', '21.24', '101.21', '42.41'],
      '337.39',
    ],
  ];

  it.each(cases)('%s', (_name, tariff, context, kgal, amounts, total) => {
    const bill = rateBill(tariff, july(kgal), '2024-07-01', '2024-07-31', context);
    expect(bill.lines.map((line) => line.amount)).toEqual(amounts);
    expect(bill.total).toBe(total);
  });

  it('bills whole thousand gallons per tier line and names the winter-average basis', () => {
    const bill = rateBill(residential, july('18.3'), '2024-07-01', '2024-07-31', { meterSize: '0.625', winterAverage: '6.4' });
    expect(compact(bill.lines)).toEqual([
      ['Water minimum base charge (meter size 0.625)', '1', '13.84', '13.84'],
      ['Water usage, tier 1 (first 13 kgal)', '13', '3.02', '39.26'],
      ['Water usage, tier 2 (13-25 kgal)', '6', '3.08', '18.48'],
      ['Wastewater minimum base charge (meter size 0.625)', '1', '26.59', '26.59'],
      ['Wastewater discharge usage fee (winter average)', '6.4', '0.93', '5.95'],
    ]);
  });

  it('refuses a meter size the schedule does not publish', () => {
    expect(() => rateBill(residential, july('5'), '2024-07-01', '2024-07-31', { meterSize: '3.0', winterAverage: '6.4' })).toThrow(RatingError);
  });
});

describe('City of Weatherford, Texas storm water fee per ERU (weatherford-tx-stormwater.json)', () => {
  const tariff = fixtureTariff('weatherford-tx-stormwater.json');
  const water = usage('2024-07-01', 31, 1440, () => '0.2', tariff.timeZone);

  it.each([
    // A residential dwelling unit: 1 ERU (3,300 sq ft) x 4.50 = 4.50
    ['residential dwelling unit', '3300', '1', '4.50'],
    // 49,500 sq ft / 3,300 = 15 ERU x 4.50 = 67.50
    ['non-residential, 49,500 sq ft', '49500', '15', '67.50'],
    // 10,000 / 3,300 = 3.030303.. ERU (not rounded: the page states no rounding) x 4.50 = 13.6363.. -> 13.64
    ['non-residential, 10,000 sq ft', '10000', '3.030303', '13.64'],
  ])('%s', (_name, area, erus, amount) => {
    const bill = rateBill(tariff, water, '2024-07-01', '2024-07-31', { imperviousArea: area });
    expect(compact(bill.lines)).toEqual([[`Storm water utility fee (${erus} ERU)`, erus, '4.5', amount]]);
    expect(bill.total).toBe(amount);
  });
});

describe('sewer on the winter average: the two published readings', () => {
  // The same charge under both bases: 'winter-average' (the lesser of the average and the month's
  // use, e.g. City of Centralia's "Winter Cap") and 'winter-average-fixed' (the average all year,
  // e.g. City of Portland, Texas). Winter average 6.4 kgal, rate 0.93 (Portland's).
  const tariffWith = (basis: string) =>
    parseTariffDocument({
      format: 'cis-tariff/1',
      tariffId: `SEWER-${basis}`,
      name: 'Sewer',
      unit: 'kgal',
      timeZone: 'America/Chicago',
      versions: [{ effectiveFrom: '2024-01-01', charges: [{ kind: 'energy', description: 'Sewer', basis, tiers: [{ rate: '0.93' }] }] }],
    });
  const used = (kgal: string) => usage('2024-07-01', 31, 1440, (date) => (date === '2024-07-01' ? kgal : '0'), 'America/Chicago');

  it.each([
    // 4 kgal used, below the average: lesser -> 4 x 0.93 = 3.72; fixed -> 6.4 x 0.93 = 5.952 -> 5.95
    ['winter-average', '4', '3.72'],
    ['winter-average-fixed', '4', '5.95'],
    // 9 kgal used, above the average: both bill the average, 5.95
    ['winter-average', '9', '5.95'],
    ['winter-average-fixed', '9', '5.95'],
  ])('%s with %s kgal used', (basis, kgal, amount) => {
    expect(rateBill(tariffWith(basis), used(kgal), '2024-07-01', '2024-07-31', { winterAverage: '6.4' }).total).toBe(amount);
  });

  it('needs the winter average in the context', () => {
    expect(() => rateBill(tariffWith('winter-average-fixed'), used('4'), '2024-07-01', '2024-07-31')).toThrow(/give winterAverage/);
  });
});
