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
  it('rates kWh daily tiers on the total, $/day fixed, TOU demand, sell rates', () => {
    const tariff = importUrdb({ items: [synthetic] });
    const bill = rateBill(tariff, usage('2024-01-01', 31, 60, () => '1'), '2024-01-01', '2024-01-31');
    // 744 kWh; on-peak 14:00-19:00 on 23 weekdays = 115 kWh, off-peak 629 kWh.
    // Daily tiers: 10 kWh/day x 31 = 310 kWh of tier 1 on the 744 kWh total, 434 kWh of tier 2.
    // off-peak: 629 x 310/744 = 262.083333, 629 x 434/744 = 366.916667 (larger remainder)
    //   x 0.08 = 20.96666664 -> 20.97; x 0.10 = 36.6916667 -> 36.69
    // on-peak: 115 x 310/744 = 47.916667 (larger remainder), 67.083333; rates + adj 0.21 / 0.26
    //   47.916667 x 0.21 = 10.06250007 -> 10.06; 67.083333 x 0.26 = 17.44166658 -> 17.44
    // Fixed 31 x 0.50 = 15.50; on-peak demand 1 kW x 4 = 4.00. Total 104.66 (over the 20.00 minimum).
    expect(compact(bill.lines)).toEqual([
      ['Fixed charge', '31', '0.5', '15.50'],
      ['Energy charge, period 0, tier 1 (first 310 kWh)', '262.083333', '0.08', '20.97'],
      ['Energy charge, period 0, tier 2 (over 310 kWh)', '366.916667', '0.1', '36.69'],
      ['Energy charge, period 1, tier 1 (first 310 kWh)', '47.916667', '0.21', '10.06'],
      ['Energy charge, period 1, tier 2 (over 310 kWh)', '67.083333', '0.26', '17.44'],
      ['TOU demand charge, period 1', '1', '4', '4.00'],
    ]);
    expect(bill.total).toBe('104.66');
    expect(tariff.versions[0]!.netMetering).toEqual({ mode: 'net-billing', sellRates: ['0.03', '0.03'] });
  });

  it('applies the minimum charge', () => {
    const tariff = importUrdb(synthetic);
    const bill = rateBill(tariff, usage('2024-01-01', 31, 60, () => '0'), '2024-01-01', '2024-01-31');
    // 15.50 fixed, nothing else: the minimum adds 4.50.
    expect(bill.total).toBe('20.00');
  });

  it.each<[string, Record<string, unknown>, RegExp]>([
    ['an unknown field', { foo: 3 }, /field\(s\) foo are not understood/],
    ['a yearly fixed charge', { fixedchargeunits: '$/year' }, /fixedchargeunits "\$\/year"/],
    ['an annual minimum', { annualmincharge: 100 }, /annualmincharge/],
    ['per-hp tiers', { energyratestructure: [[{ rate: 0.1, unit: 'kWh/hp' }], [{ rate: 0.2 }]] }, /tier unit "kWh\/hp"/],
    ['kVA demand', { demandunits: 'kVA' }, /only kW demand/],
    ['coincident demand', { coincidentratestructure: [[{ rate: 3 }]] }, /coincident/],
    ['buy all, sell all', { dgrules: 'Buy All Sell All' }, /Buy All Sell All/],
    ['sell rates differing by tier', { energyratestructure: [[{ max: 5, rate: 0.1, sell: 0.01 }, { rate: 0.2, sell: 0.02 }], [{ rate: 0.3 }]] }, /sell rates that differ by tier/],
    ['a schedule naming a missing period', { energyratestructure: [[{ rate: 0.1 }]] }, /0-based/],
    ['a charge per additional meter', { fixedchargeeaaddl: 2 }, /additional meter/],
    ['a ratchet without flat demand', { demandratchetpercentage: Array(12).fill(0.5) }, /ratchet/],
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
