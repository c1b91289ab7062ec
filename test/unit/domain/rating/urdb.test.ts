/** OpenEI URDB import: a real item worked by hand, a synthetic item in the v7 shape, and refusals. */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { importUrdb, loadTariff, rateBill, rateMonths, UnsupportedUrdbField, InvalidTariffDocument } from '../../../../shared/domain/rating';
import { compact, FIXTURES, usage } from './helpers';

const fixture = (name: string): unknown => JSON.parse(readFileSync(path.join(FIXTURES, 'tariffs', name), 'utf8'));

describe('URDB 539f6a23ec4f024411ec8bf9, Wallingford CT Primary Service - Northford', () => {
  it('refuses the published item: its reactive power charge cannot be rated from kWh', () => {
    expect(() => loadTariff(fixture('urdb-wallingford-primary-northford.json'))).toThrow(UnsupportedUrdbField);
    expect(() => loadTariff(fixture('urdb-wallingford-primary-northford.json'))).toThrow(/demandreactivepowercharge/);
  });

  it('rates the item without the reactive charge: legacy fixedmonthlycharge, rate + adj, seasonal flat demand, 35% ratchet', () => {
    const tariff = loadTariff(fixture('urdb-wallingford-without-reactive.json'));
    // 500 kW every hour of January 2024, 100 kW in February.
    const load = usage('2024-01-01', 60, 60, (date) => (date < '2024-02-01' ? '500' : '100'));
    const { bills, total } = rateMonths(tariff, load);
    // January (winter: period 1): fixed 275.00; 744 h x 500 = 372000 kWh x (0.0619 + 0.008376 = 0.070276)
    //   = 26142.672 -> 26142.67; flat demand (winter, flatdemandmonths -> 1) 500 kW x 10.50 = 5250.00
    //   total 31667.67
    // February: 696 h x 100 = 69600 kWh x 0.070276 = 4891.2096 -> 4891.21; demand max(100, 35% x 500 = 175)
    //   = 175 x 10.50 = 1837.50; total 275 + 4891.21 + 1837.50 = 7003.71
    expect(compact(bills[0]!.lines)).toEqual([
      ['Fixed monthly charge', '1', '275', '275.00'],
      ['Energy charge, period 1', '372000', '0.070276', '26142.67'],
      ['Demand charge', '500', '10.5', '5250.00'],
    ]);
    expect(compact(bills[1]!.lines)).toEqual([
      ['Fixed monthly charge', '1', '275', '275.00'],
      ['Energy charge, period 1', '69600', '0.070276', '4891.21'],
      ['Demand charge (ratchet 35% of the 11-month high)', '175', '10.5', '1837.50'],
    ]);
    expect([bills[0]!.total, bills[1]!.total, total]).toEqual(['31667.67', '7003.71', '38671.38']);
  });

  it('uses the summer structure in July (period 0 in the schedules and in flatdemandmonths)', () => {
    const tariff = loadTariff(fixture('urdb-wallingford-without-reactive.json'));
    const bill = rateBill(tariff, usage('2024-07-01', 31, 60, () => '400'), '2024-07-01', '2024-07-31');
    // 744 x 400 = 297600 kWh x (0.0687 + 0.008376 = 0.077076) = 22937.8176 -> 22937.82; 400 kW x 11.50 = 4600.00
    expect(compact(bill.lines)).toEqual([
      ['Fixed monthly charge', '1', '275', '275.00'],
      ['Energy charge, period 0', '297600', '0.077076', '22937.82'],
      ['Demand charge', '400', '11.5', '4600.00'],
    ]);
  });
});

describe('the URDB v7 form SAM writes (PySAM tests/urdbv7.json, fixture urdb-pysam-urdbv7.json)', () => {
  const tariff = loadTariff(fixture('urdb-pysam-urdbv7.json'));
  // 1 kW every hour of 2024, and 150 kW in the hour of Wednesday 2024-07-17 16:00 (on-peak).
  const load = usage('2024-01-01', 366, 60, (date, hour) => (date === '2024-07-17' && hour === 16 ? '150' : '1'));

  it('reads float schedules, 1e38 last-tier limits and the legacy fixed, monthly and annual minimum fields', () => {
    const version = tariff.versions[0]!;
    expect(version.energySchedule!.weekday[6]!.slice(14, 21)).toEqual([1, 0, 0, 0, 0, 0, 1]);
    expect(version.annualMinimum).toEqual({ description: 'Annual minimum charge', amount: '12', month: 12 });
    // Flat demand: one charge per flatdemandmonths group (January; Feb-Apr and Nov-Dec; May-Oct).
    expect(version.charges.map((charge) => [charge.kind, charge.description])).toEqual([
      ['fixed', 'Fixed monthly charge'],
      ['energy', 'Energy charge'],
      ['energy', 'Energy charge'],
      ['demand', 'TOU demand charge'],
      ['demand', 'TOU demand charge'],
      ['demand', 'Demand charge'],
      ['demand', 'Demand charge'],
      ['demand', 'Demand charge'],
      ['minimum', 'Minimum monthly charge'],
    ]);
  });

  it('January: one energy period, tiers of 100 kWh, two TOU demand periods, winter flat demand', () => {
    const { bills } = rateMonths(tariff, load);
    // 744 kWh, all period 1 in January: 100 x 0.056908998638391495 = 5.6909 -> 5.69;
    //   644 x 0.069078996777534485 = 44.4869 -> 44.49
    // TOU demand 1 kW: period 0 (weekdays 15:00-20:00) x 19.539 = 19.54; period 1 x 8.091 = 8.09
    // Flat demand (flatdemandmonths[0] = 0): 1 kW x 6.46. Fixed 35.28. Total 119.55 (minimum 1.00 not reached).
    expect(compact(bills[0]!.lines)).toEqual([
      ['Fixed monthly charge', '1', '35.28', '35.28'],
      ['Energy charge, period 1, tier 1 (first 100 kWh)', '100', '0.056908998638391495', '5.69'],
      ['Energy charge, period 1, tier 2 (over 100 kWh)', '644', '0.06907899677753448', '44.49'],
      ['TOU demand charge, period 0, tier 1 (first 100 kW)', '1', '19.538999557495117', '19.54'],
      ['TOU demand charge, period 1, tier 1 (first 100 kW)', '1', '8.090999603271484', '8.09'],
      ['Demand charge', '1', '6.46', '6.46'],
    ]);
    expect(bills[0]!.total).toBe('119.55');
  });

  it('July: on-peak energy period, tiers of the 893 kWh total spread over the periods, tiered TOU demand, summer flat demand', () => {
    const { bills } = rateMonths(tariff, load);
    // 893 kWh: on-peak (23 weekdays x 5 h) 114 + 150 = 264 kWh, off-peak 629 kWh.
    // Tier 1 (100 kWh of the total) in proportion: on-peak 264 x 100/893 = 29.563270 (29.5632698..,
    //   the larger remainder), tier 2 234.436730; off-peak 70.436730, 558.563270.
    //   29.56327 x 0.070769 = 2.0922 -> 2.09; 234.43673 x 0.082949 = 19.4463 -> 19.45
    //   70.43673 x 0.056909 = 4.0085 -> 4.01; 558.56327 x 0.069079 = 38.5848 -> 38.58
    // On-peak demand 150 kW: 100 x 19.539 = 1953.90 and 50 x 13.093 = 654.65; off-peak 1 kW x 8.091 = 8.09
    // Flat demand (summer, period 2): 150 x 13.87 = 2080.50. Fixed 35.28. Total 4796.55.
    expect(compact(bills[6]!.lines)).toEqual([
      ['Fixed monthly charge', '1', '35.28', '35.28'],
      ['Energy charge, period 0, tier 1 (first 100 kWh)', '29.56327', '0.07076899707317352', '2.09'],
      ['Energy charge, period 0, tier 2 (over 100 kWh)', '234.43673', '0.08294899761676788', '19.45'],
      ['Energy charge, period 1, tier 1 (first 100 kWh)', '70.43673', '0.056908998638391495', '4.01'],
      ['Energy charge, period 1, tier 2 (over 100 kWh)', '558.56327', '0.06907899677753448', '38.58'],
      ['TOU demand charge, period 0, tier 1 (first 100 kW)', '100', '19.538999557495117', '1953.90'],
      ['TOU demand charge, period 0, tier 2 (over 100 kW)', '50', '13.093000411987305', '654.65'],
      ['TOU demand charge, period 1, tier 1 (first 100 kW)', '1', '8.090999603271484', '8.09'],
      ['Demand charge', '150', '13.87', '2080.50'],
    ]);
    expect(bills[6]!.total).toBe('4796.55');
  });

  it('applies the legacy monthly minimum and the annual minimum when usage is tiny', () => {
    const { bills, total } = rateMonths(importUrdb({ ...(fixture('urdb-pysam-urdbv7.json') as { items: Array<Record<string, unknown>> }).items[0]!, fixedmonthlycharge: 0, annualmincharge: 100 }), usage('2024-01-01', 366, 1440, () => '0'));
    // No usage and no fixed charge: each month 0.00 is raised to the 1.00 monthly minimum; the
    // year's charges before monthly minimums are 0.00, so December adds the 100.00 annual minimum.
    expect(bills.slice(0, 11).map((bill) => bill.total)).toEqual(Array(11).fill('1.00'));
    expect(bills[11]!.total).toBe('101.00');
    expect(total).toBe('112.00');
  });
});

const onPeak = (weekday: boolean) => Array.from({ length: 12 }, () => Array.from({ length: 24 }, (_, h) => (weekday && h >= 14 && h < 19 ? 1 : 0)));
/** A synthetic item in the URDB v7 shape (not a published rate) exercising the other fields. */
const synthetic = {
  label: 'synthetic-v7',
  name: 'Synthetic residential TOU with daily tiers',
  utility: 'Test',
  fixedchargefirstmeter: 0.5,
  fixedchargeunits: '$/day',
  energyratestructure: [
    [{ max: 10, unit: 'kWh daily', rate: 0.08, sell: 0.03 }, { unit: 'kWh daily', rate: 0.1, sell: 0.03 }],
    [{ max: 10, unit: 'kWh daily', rate: 0.2, adj: 0.01, sell: 0.03 }, { unit: 'kWh daily', rate: 0.25, adj: 0.01, sell: 0.03 }],
  ],
  energyweekdayschedule: onPeak(true),
  energyweekendschedule: onPeak(false),
  demandratestructure: [[{ rate: 0 }], [{ rate: 4 }]],
  demandweekdayschedule: onPeak(true),
  demandweekendschedule: onPeak(false),
  mincharge: 20,
  minchargeunits: '$/month',
  dgrules: 'Net Billing Instantaneous',
  startdate: 1704067200,
};

describe('URDB v7 fields (synthetic item)', () => {
  it('rates kWh daily tiers in time order under net billing (SAM prices each step), $/day fixed, TOU demand, sell rates', () => {
    const tariff = importUrdb({ items: [synthetic] });
    const bill = rateBill(tariff, usage('2024-01-01', 31, 60, () => '1'), '2024-01-01', '2024-01-31');
    // 744 kWh; on-peak 14:00-19:00 on 23 weekdays = 115 kWh, off-peak 629 kWh.
    // Daily tiers: 10 kWh/day x 31 = 310 kWh. Under net billing the month's imports fill the tiers
    // in time order, each hour whole in the tier its month-to-date total reaches (< 310: tier 1):
    // hours 1..309 (Jan 1 00:00 to Jan 13 20:00) are tier 1. Of them on-peak: 10 weekdays
    // (Jan 1-5, 8-12) x 5 h = 50; off-peak 259. Tier 2: on-peak 115 - 50 = 65, off-peak 629 - 259 = 370.
    //   off-peak 259 x 0.08 = 20.72; 370 x 0.10 = 37.00
    //   on-peak (rate + adj) 50 x 0.21 = 10.50; 65 x 0.26 = 16.90
    // Fixed 31 x 0.50 = 15.50; on-peak demand 1 kW x 4 = 4.00. Total 104.62 (over the 20.00 minimum).
    expect(compact(bill.lines)).toEqual([
      ['Fixed charge', '31', '0.5', '15.50'],
      ['Energy charge, period 0, tier 1 (first 310 kWh)', '259', '0.08', '20.72'],
      ['Energy charge, period 0, tier 2 (over 310 kWh)', '370', '0.1', '37.00'],
      ['Energy charge, period 1, tier 1 (first 310 kWh)', '50', '0.21', '10.50'],
      ['Energy charge, period 1, tier 2 (over 310 kWh)', '65', '0.26', '16.90'],
      ['TOU demand charge, period 1', '1', '4', '4.00'],
    ]);
    expect(bill.total).toBe('104.62');
    expect(tariff.versions[0]!.netMetering).toEqual({ mode: 'net-billing', sellRates: ['0.03', '0.03'] });
  });

  it('without net billing spreads the tiers of the month total over the periods in proportion (SAM monthly reconciliation)', () => {
    const { dgrules: _rules, ...monthly } = synthetic;
    const tariff = importUrdb(monthly);
    const bill = rateBill(tariff, usage('2024-01-01', 31, 60, () => '1'), '2024-01-01', '2024-01-31');
    // 310 kWh of tier 1 on the 744 kWh total, 434 kWh of tier 2.
    // off-peak: 629 x 310/744 = 262.083333, 629 x 434/744 = 366.916667 (larger remainder)
    //   x 0.08 = 20.96666664 -> 20.97; x 0.10 = 36.6916667 -> 36.69
    // on-peak: 115 x 310/744 = 47.916667 (larger remainder), 67.083333; rates + adj 0.21 / 0.26
    //   47.916667 x 0.21 = 10.06250007 -> 10.06; 67.083333 x 0.26 = 17.44166658 -> 17.44
    // Fixed 15.50; on-peak demand 4.00. Total 104.66.
    expect(compact(bill.lines)).toEqual([
      ['Fixed charge', '31', '0.5', '15.50'],
      ['Energy charge, period 0, tier 1 (first 310 kWh)', '262.083333', '0.08', '20.97'],
      ['Energy charge, period 0, tier 2 (over 310 kWh)', '366.916667', '0.1', '36.69'],
      ['Energy charge, period 1, tier 1 (first 310 kWh)', '47.916667', '0.21', '10.06'],
      ['Energy charge, period 1, tier 2 (over 310 kWh)', '67.083333', '0.26', '17.44'],
      ['TOU demand charge, period 1', '1', '4', '4.00'],
    ]);
    expect(bill.total).toBe('104.66');
  });

  it('applies the minimum charge', () => {
    const tariff = importUrdb(synthetic);
    const bill = rateBill(tariff, usage('2024-01-01', 31, 60, () => '0'), '2024-01-01', '2024-01-31');
    // 15.50 fixed, nothing else: the minimum adds 4.50.
    expect(bill.total).toBe('20.00');
  });

  it.each<[string, Record<string, unknown>, RegExp]>([
    ['an unknown field', { foo: 3 }, /field\(s\) foo are not understood/],
    ['a fixed charge per week', { fixedchargeunits: '$/week' }, /fixedchargeunits "\$\/week"/],
    ['two annual minimums', { annualmincharge: 100, mincharge: 50, minchargeunits: '$/year' }, /both annualmincharge and a mincharge in \$\/year/],
    ['per-hp tiers', { energyratestructure: [[{ rate: 0.1, unit: 'kWh/hp' }], [{ rate: 0.2 }]] }, /tier unit "kWh\/hp"/],
    ['kVA demand', { demandunits: 'kVA' }, /only kW demand/],
    ['kVA flat demand', { flatdemandunit: 'kVA', flatdemandstructure: [[{ rate: 5 }]] }, /flatdemandunit "kVA"/],
    ['reactive power', { demandreactivepowercharge: 0.4 }, /reactive power/],
    ['kVA demand tiers', { demandratestructure: [[{ rate: 0 }], [{ rate: 4, unit: 'kVA' }]] }, /demandratestructure\[1\]\[0\] unit "kVA"/],
    ['coincident demand', { coincidentratestructure: [[{ rate: 3 }]] }, /coincident/],
    ['buy all, sell all', { dgrules: 'Buy All Sell All' }, /Buy All Sell All/],
    ['sell rates differing by tier', { energyratestructure: [[{ max: 5, rate: 0.1, sell: 0.01 }, { rate: 0.2, sell: 0.02 }], [{ rate: 0.3 }]] }, /sell rates that differ by tier/],
    ['a schedule naming a missing period', { energyratestructure: [[{ rate: 0.1 }]] }, /0-based/],
    ['a ratchet without flat demand', { demandratchetpercentage: Array(12).fill(0.5) }, /ratchet/],
    ['two kinds of ratchet', { flatdemandstructure: [[{ rate: 5 }]], demandratchetpercentage: Array(12).fill(0.5), lookbackpercent: 0.6 }, /both demandratchetpercentage and lookbackpercent/],
    ['lookbackmonths that are not 12 flags', { lookbackpercent: 0.6, lookbackmonths: [true] }, /lookbackmonths must list 12/],
  ])('refuses %s with a message naming it', (_name, change, message) => {
    expect(() => importUrdb({ ...synthetic, ...change })).toThrow(message);
  });

  it('asks which item when there are several, and finds one by label', () => {
    const two = { items: [synthetic, { ...synthetic, label: 'other' }] };
    expect(() => importUrdb(two)).toThrow(/2 items; choose one by label \(synthetic-v7, other\)/);
    expect(importUrdb(two, { label: 'other' }).tariffId).toBe('other');
    expect(() => importUrdb(two, { label: 'missing' })).toThrow(InvalidTariffDocument);
  });
});
