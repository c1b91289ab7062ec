/**
 * Worked examples: each bill is computed by hand in the comments, line by line, from the fixture
 * tariffs in test/fixtures/tariffs (their `source` says which published tariff each imitates, with
 * round example prices); published-tariffs.test.ts works bills from published prices.
 */
import { Decimal } from 'decimal.js';
import { parseTariffDocument, rateBill, rateMonths, RatingError, type TariffDocument } from '../../../../shared/domain/rating';
import { compact, fixtureTariff, usage } from './helpers';

const sum = (amounts: string[]) => amounts.reduce((a, b) => a.plus(b), new Decimal(0)).toFixed(2);

describe('residential TOU with baseline tiers shared by the periods (res-tou-baseline.json)', () => {
  const tariff = fixtureTariff('res-tou-baseline.json');
  // A flat 1 kW load: 0.25 kWh every 15 minutes.
  const flat = usage('2024-01-01', 31 + 29 + 31 + 30 + 31 + 30, 15, () => '0.25');

  it('January 2024: 744 kWh, 92 kWh on-peak (23 weekdays x 4 h), tiers on the 744 kWh total', () => {
    const bill = rateBill(tariff, flat, '2024-01-01', '2024-01-31');
    // Fixed: 31 days x 0.25 = 7.75.
    // Total 744 kWh: tier 1 = 500, tier 2 = 244, shared in proportion by the periods:
    //   off-peak 652 kWh: tier 1 652 x 500/744 = 438.172043, tier 2 the rest 213.827957
    //     438.172043 x 0.10 = 43.8172043 -> 43.82; 213.827957 x 0.12 = 25.65935484 -> 25.66
    //   on-peak 92 kWh: tier 1 92 x 500/744 = 61.827957, tier 2 30.172043
    //     61.827957 x 0.20 = 12.3655914 -> 12.37; 30.172043 x 0.22 = 6.63784946 -> 6.64
    // Base 7.75 + 43.82 + 25.66 + 12.37 + 6.64 = 96.24
    // Franchise fee 3% of 96.24 = 2.8872 -> 2.89; sales tax 2.9% of 99.13 = 2.87477 -> 2.87
    // Total 96.24 + 2.89 + 2.87 = 102.00
    expect(compact(bill.lines)).toEqual([
      ['Service and facility charge', '31', '0.25', '7.75'],
      ['Energy, Winter off-peak, tier 1 (first 500 kWh)', '438.172043', '0.1', '43.82'],
      ['Energy, Winter off-peak, tier 2 (over 500 kWh)', '213.827957', '0.12', '25.66'],
      ['Energy, Winter on-peak, tier 1 (first 500 kWh)', '61.827957', '0.2', '12.37'],
      ['Energy, Winter on-peak, tier 2 (over 500 kWh)', '30.172043', '0.22', '6.64'],
      ['Franchise fee (3% of 96.24)', '96.24', '0.03', '2.89'],
      ['Sales tax (2.9% of 99.13)', '99.13', '0.029', '2.87'],
    ]);
    expect(bill.total).toBe('102.00');
    expect(bill.total).toBe(sum(bill.lines.map((line) => line.amount)));
  });

  it('June 2024 for an exempt class: summer periods, 20 weekdays, no sales tax', () => {
    const bill = rateBill(tariff, flat, '2024-06-01', '2024-06-30', { serviceClass: 'government' });
    // 720 kWh; on-peak 20 weekdays x 4 = 80 kWh; off-peak 640.
    // Fixed 30 x 0.25 = 7.50
    // off-peak: 640 x 500/720 = 444.444444 (tier 1), 195.555556 (tier 2)
    //   444.444444 x 0.11 = 48.88888884 -> 48.89; 195.555556 x 0.13 = 25.42222228 -> 25.42
    // on-peak: 80 x 500/720 = 55.555556 (the larger remainder gets the micro-unit), 24.444444
    //   55.555556 x 0.30 = 16.6666668 -> 16.67; 24.444444 x 0.35 = 8.5555554 -> 8.56
    // Base 7.50 + 48.89 + 25.42 + 16.67 + 8.56 = 107.04; franchise 3% = 3.2112 -> 3.21; tax exempt.
    expect(compact(bill.lines)).toEqual([
      ['Service and facility charge', '30', '0.25', '7.50'],
      ['Energy, Summer off-peak, tier 1 (first 500 kWh)', '444.444444', '0.11', '48.89'],
      ['Energy, Summer off-peak, tier 2 (over 500 kWh)', '195.555556', '0.13', '25.42'],
      ['Energy, Summer on-peak, tier 1 (first 500 kWh)', '55.555556', '0.3', '16.67'],
      ['Energy, Summer on-peak, tier 2 (over 500 kWh)', '24.444444', '0.35', '8.56'],
      ['Franchise fee (3% of 107.04)', '107.04', '0.03', '3.21'],
      ['Sales tax (exempt)', '0', '0.029', '0.00'],
    ]);
    expect(bill.total).toBe('110.25');
  });
});

describe('commercial TOU energy and demand with a ratchet (commercial-tou-demand.json)', () => {
  const tariff = fixtureTariff('commercial-tou-demand.json');
  // 10 kW all the time (2.5 kWh per 15 min); in January one 15-minute interval of 50 kW on
  // Wednesday 2024-01-10 at 14:00 (12.5 kWh, on-peak). February stays at 10 kW.
  const load = usage('2024-01-01', 60, 15, (date, hour, minute) => (date === '2024-01-10' && hour === 14 && minute === 0 ? '12.5' : '2.5'));

  it('January: TOU energy, facility demand, tiered on-peak demand; New Year is a holiday', () => {
    const bill = rateBill(tariff, load, '2024-01-01', '2024-01-31');
    // On-peak 12:00-18:00 on weekdays that are not holidays: 23 weekdays - Jan 1 = 22 days.
    // On-peak energy 22 x 6 h x 10 kW = 1320 kWh + the extra 10 kWh = 1330 kWh x 0.09 = 119.70
    // All energy 2976 x 2.5 + 10 = 7450 kWh; off-peak 7450 - 1330 = 6120 kWh x 0.05 = 306.00
    // Facility demand 50 kW x 5.00 = 250.00 (no history: no ratchet)
    // On-peak demand 50 kW: 20 x 12.00 = 240.00 and 30 x 10.00 = 300.00
    // Total 25 + 306 + 119.70 + 250 + 240 + 300 = 1240.70 (above the 150.00 minimum)
    expect(compact(bill.lines)).toEqual([
      ['Customer charge', '1', '25', '25.00'],
      ['Energy, Off-peak', '6120', '0.05', '306.00'],
      ['Energy, On-peak', '1330', '0.09', '119.70'],
      ['Facility demand', '50', '5', '250.00'],
      ['On-peak demand, On-peak, tier 1 (first 20 kW)', '20', '12', '240.00'],
      ['On-peak demand, On-peak, tier 2 (over 20 kW)', '30', '10', '300.00'],
    ]);
    expect(bill.total).toBe('1240.70');
    expect(bill.peakKw).toBe('50');
  });

  it('February: the ratchet bills 80% of January\'s 50 kW peak', () => {
    const { bills, total } = rateMonths(tariff, load);
    const february = bills[1]!;
    // 29 days x 96 x 2.5 = 6960 kWh; on-peak 21 weekdays x 60 kWh = 1260 kWh x 0.09 = 113.40
    // off-peak 5700 x 0.05 = 285.00; facility demand max(10, 0.8 x 50 = 40) = 40 x 5 = 200.00
    // on-peak demand 10 kW x 12 = 120.00. Total 25 + 285 + 113.40 + 200 + 120 = 743.40
    expect(compact(february.lines)).toEqual([
      ['Customer charge', '1', '25', '25.00'],
      ['Energy, Off-peak', '5700', '0.05', '285.00'],
      ['Energy, On-peak', '1260', '0.09', '113.40'],
      ['Facility demand (ratchet 80% of the 11-month high)', '40', '5', '200.00'],
      ['On-peak demand, On-peak, tier 1 (first 20 kW)', '10', '12', '120.00'],
    ]);
    expect(february.total).toBe('743.40');
    expect(total).toBe('1984.10');
  });

  it('a small bill is raised to the minimum', () => {
    const tiny = usage('2024-03-01', 31, 60, () => '0.1'); // 0.1 kW, weekend-free hours irrelevant
    const bill = rateBill(tariff, tiny, '2024-03-01', '2024-03-31');
    // 744 h x 0.1 = 74.4 kWh; on-peak 21 weekdays x 6 h x 0.1 = 12.6 kWh x 0.09 = 1.134 -> 1.13
    // off-peak 61.8 x 0.05 = 3.09; demand 0.1 kW: facility 0.50, on-peak 1.20.
    // Charges 25 + 3.09 + 1.13 + 0.50 + 1.20 = 30.92; minimum 150.00 adds 119.08.
    expect(bill.lines.at(-1)).toMatchObject({ description: 'Minimum bill: minimum 150.00 less charges 30.92', amount: '119.08' });
    expect(bill.total).toBe('150.00');
  });
});

describe('water, sewer on the winter average, stormwater per ERU (water-sewer-stormwater.json)', () => {
  const tariff = fixtureTariff('water-sewer-stormwater.json');
  const daily = usage('2024-07-01', 31, 1440, () => '0.3'); // 0.3 thousand gallons a day
  const context = { meterSize: '5/8', winterAverage: '5', imperviousArea: '3120', stormwaterCreditPercent: '20' };

  it('July 2024: blocks in whole kgal, a drought surcharge from July 15, sewer on 5 kgal', () => {
    const bill = rateBill(tariff, daily, '2024-07-01', '2024-07-31', context);
    // Base charge for a 5/8" meter 15.20.
    // 9.3 kgal: tier 1 6 kgal x 4.00 = 24.00; tier 2 3.3 kgal rounded down to 3 x 6.00 = 18.00
    // Drought surcharge July 15-31: 17 days x 0.3 = 5.1 kgal x 1.00 = 5.10
    // Sewer on min(9.3, winter average 5) = 5 kgal x 5.50 = 27.50 (cap 12 not reached)
    // Stormwater 3120 / 2500 = 1.248 ERU -> 1.2 x 8.25 = 9.90; 20% credit -1.98
    // Total 15.20 + 24 + 18 + 5.10 + 27.50 + 9.90 - 1.98 = 97.72
    expect(bill.lines.map((line) => [line.description, line.quantity, line.amount, line.periodStart])).toEqual([
      ['Water base charge (meter size 5/8)', '1', '15.20', '2024-07-01'],
      ['Water, tier 1 (first 6 kgal)', '6', '24.00', '2024-07-01'],
      ['Water, tier 2 (6-15 kgal)', '3', '18.00', '2024-07-01'],
      ['Stage 2 drought surcharge', '5.1', '5.10', '2024-07-15'],
      ['Sewer (winter quarter average) (winter average)', '5', '27.50', '2024-07-01'],
      ['Stormwater (1.2 ERU)', '1.2', '9.90', '2024-07-01'],
      ['Stormwater: credit 20%', '9.90', '-1.98', '2024-07-01'],
    ]);
    expect(bill.total).toBe('97.72');
  });

  it('the sewer cap applies when the winter average is higher', () => {
    const bill = rateBill(tariff, usage('2024-07-01', 31, 1440, () => '0.5'), '2024-07-01', '2024-07-31', { ...context, winterAverage: '20' });
    // metered 15.5 kgal, winter average 20: sewer on min(15.5, 20, cap 12) = 12 x 5.50 = 66.00
    expect(bill.lines.find((line) => line.description.startsWith('Sewer'))).toMatchObject({ quantity: '12', amount: '66.00' });
  });

  it('says which context it needs', () => {
    expect(() => rateBill(tariff, daily, '2024-07-01', '2024-07-31', { ...context, meterSize: '3/4' })).toThrow(/no amount for meterSize "3\/4"/);
    expect(() => rateBill(tariff, daily, '2024-07-01', '2024-07-31', { meterSize: '5/8' })).toThrow(/winterAverage/);
  });
});

describe('proration', () => {
  const tariff: TariffDocument = parseTariffDocument({
    format: 'cis-tariff/1',
    tariffId: 'CHANGE',
    name: 'Rate change on June 16',
    unit: 'kWh',
    timeZone: 'UTC',
    versions: [
      { effectiveFrom: '2024-01-01', effectiveTo: '2024-06-15', charges: [{ kind: 'fixed', description: 'Customer charge', amount: '10.00' }, { kind: 'energy', description: 'Energy', tiers: [{ rate: '0.10' }] }] },
      {
        effectiveFrom: '2024-06-16',
        charges: [
          { kind: 'fixed', description: 'Customer charge', amount: '12.00' },
          { kind: 'energy', description: 'Energy', tiers: [{ upTo: '100', rate: '0.12' }, { rate: '0.15' }] },
        ],
      },
    ],
  });

  it('splits a period at the tariff change: per-bill amounts and tier limits by days', () => {
    const daily = usage('2024-06-01', 30, 1440, () => '10');
    const bill = rateBill(tariff, daily, '2024-06-01', '2024-06-30');
    // June 1-15 (15/30): customer charge 10 x 15/30 = 5.00; 150 kWh x 0.10 = 15.00
    // June 16-30 (15/30): 12 x 15/30 = 6.00; tier limit 100 x 15/30 = 50 kWh:
    //   50 x 0.12 = 6.00 and 100 x 0.15 = 15.00. Total 47.00
    expect(bill.lines.map((line) => [line.description, line.quantity, line.amount, line.periodStart, line.periodEnd])).toEqual([
      ['Customer charge (prorated 15/30 days)', '0.5', '5.00', '2024-06-01', '2024-06-15'],
      ['Energy', '150', '15.00', '2024-06-01', '2024-06-15'],
      ['Customer charge (prorated 15/30 days)', '0.5', '6.00', '2024-06-16', '2024-06-30'],
      ['Energy, tier 1 (first 50 kWh)', '50', '6.00', '2024-06-16', '2024-06-30'],
      ['Energy, tier 2 (over 50 kWh)', '100', '15.00', '2024-06-16', '2024-06-30'],
    ]);
    expect(bill.total).toBe('47.00');
  });

  it('prorates a partial first month against the full month', () => {
    const { bills } = rateMonths(tariff, usage('2024-01-11', 21, 1440, () => '1'));
    // January 11-31 = 21 of 31 days: 10 x 21/31 = 6.774... -> 6.77; 21 kWh x 0.10 = 2.10
    expect(bills).toHaveLength(1);
    expect(compact(bills[0]!.lines)).toEqual([
      ['Customer charge (prorated 21/31 days)', '0.677419', '10', '6.77'],
      ['Energy', '21', '0.1', '2.10'],
    ]);
  });

  it('refuses days without a tariff version', () => {
    expect(() => rateBill(tariff, usage('2023-12-30', 3, 1440, () => '1'), '2023-12-30', '2024-01-01')).toThrow(RatingError);
  });
});

describe('net metering', () => {
  const base = {
    format: 'cis-tariff/1',
    tariffId: 'NEM',
    name: 'Net metering',
    unit: 'kWh',
    timeZone: 'UTC',
  } as const;
  // Hourly: 1 kWh import at night (18:00-05:59, 12 h), 2 kWh export at midday (10:00-13:59, 4 h).
  const solar = usage('2024-11-01', 61, 60, (_d, hour) => (hour >= 10 && hour < 14 ? '-2' : hour >= 18 || hour < 6 ? '1' : '0'));

  it('net billing: imports at the buy rate, every exported kWh at the sell rate', () => {
    const tariff = parseTariffDocument({ ...base, versions: [{ effectiveFrom: '2024-01-01', netMetering: { mode: 'net-billing', sellRates: ['0.04'] }, charges: [{ kind: 'energy', description: 'Energy', tiers: [{ rate: '0.12' }] }] }] });
    const bill = rateBill(tariff, solar, '2024-11-01', '2024-11-30');
    // November: imports 30 x 12 = 360 kWh x 0.12 = 43.20; exports 30 x 8 = 240 kWh x -0.04 = -9.60
    expect(compact(bill.lines)).toEqual([
      ['Energy', '360', '0.12', '43.20'],
      ['Net metering: export credit', '240', '-0.04', '-9.60'],
    ]);
    expect(bill.total).toBe('33.60');
  });

  it('monthly netting with a bank and an annual true-up in December', () => {
    const tariff = parseTariffDocument({ ...base, versions: [{ effectiveFrom: '2024-01-01', netMetering: { mode: 'monthly-net', sellRates: ['0.03'], trueUpMonth: 12, trueUpRate: '0.025' }, charges: [{ kind: 'energy', description: 'Energy', tiers: [{ rate: '0.12' }] }] }] });
    // Exports 16 kWh/day against 12 imported: a net export of 4 kWh a day.
    const sunny = usage('2024-11-01', 61, 60, (_d, hour) => (hour >= 10 && hour < 14 ? '-4' : hour >= 18 || hour < 6 ? '1' : '0'));
    const { bills } = rateMonths(tariff, sunny, { from: '2024-11-01', to: '2024-12-31' });
    // November: net -120 kWh: nothing billed, 120 kWh banked. December: net -124 kWh banked, then
    // the 244 kWh bank is paid at the true-up rate: 244 x 0.025 = 6.10 credit.
    expect(bills[0]!.total).toBe('0.00');
    expect(bills[0]!.lines.find((line) => line.description.startsWith('Net metering: surplus banked'))?.quantity).toBe('120');
    expect(bills[1]!.lines.at(-1)).toMatchObject({ description: 'Net metering: annual true-up of the banked surplus', quantity: '244', amount: '-6.10' });
    expect(bills[1]!.total).toBe('-6.10');
  });
});

describe('rounding rules', () => {
  const make = (rounding: object, quantityRounding?: object) =>
    parseTariffDocument({
      format: 'cis-tariff/1',
      tariffId: 'R',
      name: 'Rounding',
      unit: 'kWh',
      timeZone: 'UTC',
      versions: [{ effectiveFrom: '2024-01-01', charges: [{ kind: 'energy', description: 'Energy', tiers: [{ rate: '0.125' }], rounding, ...(quantityRounding ? { quantityRounding } : {}) }] }],
    });
  const oneDay = (value: string) => usage('2024-01-01', 2, 1440, () => value);

  it.each([
    // 0.5 x 0.125 = 0.0625 and 0.1 x 0.125 = 0.0125, 0.2 x 0.125 = 0.025, 0.6 x 0.125 = 0.075
    ['half-up to cents', { places: 2, mode: 'half-up' }, undefined, '0.2', '0.03'],
    ['half-even to cents (0.025 -> 0.02)', { places: 2, mode: 'half-even' }, undefined, '0.2', '0.02'],
    ['half-even to cents (0.075 -> 0.08)', { places: 2, mode: 'half-even' }, undefined, '0.6', '0.08'],
    ['down to cents', { places: 2, mode: 'down' }, undefined, '0.5', '0.06'],
    ['up to cents', { places: 2, mode: 'up' }, undefined, '0.1', '0.02'],
    ['four places', { places: 4, mode: 'half-up' }, undefined, '0.5', '0.0625'],
    ['whole units of usage first: 0.5 kWh -> 1 kWh x 0.125 = 0.125 -> 0.13', { places: 2, mode: 'half-up' }, { places: 0, mode: 'half-up' }, '0.5', '0.13'],
    ['whole thousands of usage first, down: 2999 -> 2000 x 0.125 = 250.00', { places: 2, mode: 'half-up' }, { places: -3, mode: 'down' }, '2999', '250.00'],
    ['whole hundreds, half-up: 150 -> 200 x 0.125 = 25.00', { places: 2, mode: 'half-up' }, { places: -2, mode: 'half-up' }, '150', '25.00'],
  ])('%s', (_name, rounding, quantityRounding, value, amount) => {
    const bill = rateBill(make(rounding, quantityRounding), oneDay(value), '2024-01-01', '2024-01-01');
    expect(bill.lines[0]!.amount).toBe(amount);
  });
});

describe('other tariff shapes', () => {
  const doc = (charges: object[], extra: object = {}) =>
    parseTariffDocument({ format: 'cis-tariff/1', tariffId: 'X', name: 'X', unit: 'kWh', timeZone: 'UTC', versions: [{ effectiveFrom: '2024-01-01', charges, ...extra }] });

  it('tier limits per kW of peak demand (hours-use tiers, URDB kWh/kW)', () => {
    // 2 kW flat for January: 1488 kWh, peak 2 kW. First 200 kWh per kW = 400 kWh at 0.12, the rest 1088 at 0.07.
    // 400 x 0.12 = 48.00; 1088 x 0.07 = 76.16
    const tariff = doc([{ kind: 'energy', description: 'Energy', tierLimitPer: 'kW', tiers: [{ upTo: '200', rate: '0.12' }, { rate: '0.07' }] }]);
    const bill = rateBill(tariff, usage('2024-01-01', 31, 60, () => '2'), '2024-01-01', '2024-01-31');
    expect(compact(bill.lines)).toEqual([
      ['Energy, tier 1 (first 400 kWh)', '400', '0.12', '48.00'],
      ['Energy, tier 2 (over 400 kWh)', '1088', '0.07', '76.16'],
    ]);
  });

  it('fixed charges keyed by service class; declining blocks', () => {
    const tariff = doc([
      { kind: 'fixed', description: 'Customer charge', keyedBy: 'serviceClass', amounts: { residential: '9.00', commercial: '30.00' } },
      { kind: 'energy', description: 'Energy', tiers: [{ upTo: '100', rate: '0.20' }, { rate: '0.10' }] },
    ]);
    // 150 kWh: 100 x 0.20 = 20.00 + 50 x 0.10 = 5.00; commercial customer charge 30.00
    const bill = rateBill(tariff, usage('2024-01-01', 2, 1440, () => '150'), '2024-01-01', '2024-01-01', { serviceClass: 'commercial', fullPeriodDays: 1 });
    expect(compact(bill.lines)).toEqual([
      ['Customer charge (service class commercial)', '1', '30', '30.00'],
      ['Energy, tier 1 (first 100 kWh)', '100', '0.2', '20.00'],
      ['Energy, tier 2 (over 100 kWh)', '50', '0.1', '5.00'],
    ]);
  });

  it('shows exports that a tariff without net metering does not credit', () => {
    const tariff = doc([{ kind: 'energy', description: 'Energy', tiers: [{ rate: '0.10' }] }]);
    const bill = rateBill(tariff, usage('2024-01-01', 2, 720, (_d, hour) => (hour < 12 ? '5' : '-3')), '2024-01-01', '2024-01-01');
    expect(compact(bill.lines)).toEqual([
      ['Energy', '5', '0.1', '0.50'],
      ['Exported energy (the tariff has no net metering: not credited)', '3', '0', '0.00'],
    ]);
  });

  it('refuses overlapping versions and periods missing from the schedule', () => {
    expect(() =>
      parseTariffDocument({
        format: 'cis-tariff/1', tariffId: 'X', name: 'X', unit: 'kWh', timeZone: 'UTC',
        versions: [
          { effectiveFrom: '2024-01-01', charges: [{ kind: 'energy', description: 'E', tiers: [{ rate: '0.1' }] }] },
          { effectiveFrom: '2024-06-01', charges: [{ kind: 'energy', description: 'E', tiers: [{ rate: '0.1' }] }] },
        ],
      }),
    ).toThrow(/overlap/);
    expect(() => doc([{ kind: 'energy', description: 'E', periods: [2], tiers: [{ rate: '0.1' }] }])).toThrow(/energy period 2 is not in the energy schedule/);
    expect(() => doc([{ kind: 'energy', description: 'E', tiers: [{ upTo: '5', rate: '0.1' }, { upTo: '3', rate: '0.1' }, { rate: '0.2' }] }])).toThrow(/tier limits must increase/);
    expect(() => doc([{ kind: 'energy', description: 'E', tiers: [{ rate: 0.1 }] }])).toThrow(/decimal string/);
  });
});
