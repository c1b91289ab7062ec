/**
 * URDB fields that NREL SAM prices (annual minimums, $/year units, kWh/kW daily tiers, billing
 * demand lookback, charges per additional meter, attrs, dated items), on synthetic items in the
 * URDB v7 shape with example prices (not published rates). Every expected bill is worked by hand
 * in the comments.
 */
import { importUrdb, rateBill, rateMonths } from '../../../../shared/domain/rating';
import { compact, usage } from './helpers';

const flatSchedule = () => Array.from({ length: 12 }, () => Array.from({ length: 24 }, () => 0));
/** A flat-rate item: energy 0.10 $/kWh, fixed 5 $/month. */
const flat = {
  label: 'example-flat',
  name: 'Example flat rate',
  utility: 'Example Electric',
  fixedchargefirstmeter: 5,
  fixedchargeunits: '$/month',
  energyratestructure: [[{ rate: 0.1 }]],
  energyweekdayschedule: flatSchedule(),
  energyweekendschedule: flatSchedule(),
};
/** 0.1 kW every hour of 2024 (0.1 kWh an hour): 0.01 $/h of energy, exact to the cent every month. */
const year2024 = usage('2024-01-01', 366, 60, () => '0.1');

describe('annual minimum (annualmincharge, minchargeunits $/year; SAM ur_annual_min_charge)', () => {
  it('charges the shortfall of the calendar year on the December bill', () => {
    const tariff = importUrdb({ ...flat, annualmincharge: 300 });
    const { bills, total } = rateMonths(tariff, year2024);
    // 2024 has 8784 h: energy 878.4 kWh x 0.10 = 87.84, fixed 12 x 5 = 60: the year's charges 147.84.
    // December: 744 h x 0.1 = 74.4 kWh x 0.10 = 7.44 + 5 = 12.44, plus 300 - 147.84 = 152.16.
    expect(bills.slice(0, 11).every((bill) => bill.lines.length === 2)).toBe(true);
    expect(compact(bills[11]!.lines).at(-1)).toEqual(["Annual minimum charge: minimum 300.00 less the year's charges 147.84", '1', '152.16', '152.16']);
    expect(bills[11]!.total).toBe('164.60');
    expect(total).toBe('300.00');
  });

  it('reads mincharge in $/year as the annual minimum, and prorates a year billed from July', () => {
    const tariff = importUrdb({ ...flat, mincharge: 300, minchargeunits: '$/year' });
    const { bills, total } = rateMonths(tariff, year2024, { from: '2024-07-01', to: '2024-12-31' });
    // July-December: 184 days of 366: minimum 300 x 184/366 = 150.8196721...
    // charges: 4416 h x 0.01 = 44.16 + 6 x 5 = 74.16; shortfall 76.6596721... -> 76.66.
    expect(bills[5]!.lines.at(-1)).toMatchObject({
      description: "Annual minimum charge: minimum 150.82 (184/366 days of the year billed) less the year's charges 74.16",
      amount: '76.66',
      periodStart: '2024-01-01',
      periodEnd: '2024-12-31',
    });
    expect(total).toBe('150.82');
  });

  it('compares with the bills before their monthly minimums, as SAM does', () => {
    const tariff = importUrdb({ ...flat, mincharge: 20, minchargeunits: '$/month', annualmincharge: 300 });
    const { bills, total } = rateMonths(tariff, year2024);
    // Every month is raised to 20.00 (12 x 20 = 240), but the annual minimum compares with the
    // charges before those top-ups (147.84): 152.16 more in December. Year 240 + 152.16 = 392.16.
    expect(bills.map((bill) => bill.total)).toEqual([...Array(11).fill('20.00'), '172.16']);
    expect(total).toBe('392.16');
  });

  it('charges nothing when the year reaches the minimum', () => {
    const tariff = importUrdb({ ...flat, annualmincharge: 147.84 });
    expect(rateMonths(tariff, year2024).total).toBe('147.84');
  });
});

describe('$/year fixed charges and charges per additional meter', () => {
  it('bills a twelfth of a $/year fixed charge each month', () => {
    const tariff = importUrdb({ ...flat, fixedchargefirstmeter: 120, fixedchargeunits: '$/year' });
    const bill = rateBill(tariff, year2024, '2024-02-01', '2024-02-29');
    // 120 / 12 = 10.00; 696 h x 0.1 = 69.6 kWh x 0.10 = 6.96.
    expect(compact(bill.lines)).toEqual([
      ['Fixed charge (120 a year / 12)', '1', '10', '10.00'],
      ['Energy charge', '69.6', '0.1', '6.96'],
    ]);
  });

  it('charges fixedchargeeaaddl once per meter beyond the first (none by default)', () => {
    const tariff = importUrdb({ ...flat, fixedchargeeaaddl: 2.5 });
    const one = rateBill(tariff, year2024, '2024-02-01', '2024-02-29');
    const three = rateBill(tariff, year2024, '2024-02-01', '2024-02-29', { meters: 3 });
    // One meter: 5.00 + 6.96 = 11.96. Three meters: 2 x 2.50 = 5.00 more.
    expect(one.total).toBe('11.96');
    expect(compact(three.lines)).toEqual([
      ['Fixed charge', '1', '5', '5.00'],
      ['Fixed charge per additional meter (2 additional meters)', '1', '5', '5.00'],
      ['Energy charge', '69.6', '0.1', '6.96'],
    ]);
    expect(three.total).toBe('16.96');
  });

  it('follows fixedchargeunits $/day for the additional meters too', () => {
    const tariff = importUrdb({ ...flat, fixedchargefirstmeter: 0.2, fixedchargeunits: '$/day', fixedchargeeaaddl: 0.1 });
    const bill = rateBill(tariff, year2024, '2024-02-01', '2024-02-29', { meters: 2 });
    // 29 days x 0.20 = 5.80; 29 x 0.10 x 1 = 2.90; energy 6.96. Total 15.66.
    expect(bill.total).toBe('15.66');
  });
});

describe('kWh/kW daily tiers (SAM unit 3)', () => {
  it('limits the tier to hours-use x peak kW x days', () => {
    const tariff = importUrdb({ ...flat, fixedchargefirstmeter: 0, energyratestructure: [[{ max: 5, unit: 'kWh/kW daily', rate: 0.15 }, { unit: 'kWh/kW daily', rate: 0.05 }]] });
    const bill = rateBill(tariff, usage('2024-01-01', 31, 60, () => '10'), '2024-01-01', '2024-01-31');
    // 10 kW all month: 7440 kWh, peak 10 kW. Tier 1: 5 kWh/kW/day x 10 kW x 31 days = 1550 kWh
    //   1550 x 0.15 = 232.50; tier 2: 5890 x 0.05 = 294.50. Total 527.00.
    expect(compact(bill.lines)).toEqual([
      ['Energy charge, tier 1 (first 1550 kWh)', '1550', '0.15', '232.50'],
      ['Energy charge, tier 2 (over 1550 kWh)', '5890', '0.05', '294.50'],
    ]);
  });

  it('multiplies kWh/kW tiers by the billing demand after a lookback (SAM billing_demand)', () => {
    const tariff = importUrdb({
      ...flat,
      fixedchargefirstmeter: 0,
      energyratestructure: [[{ max: 100, unit: 'kWh/kW', rate: 0.15 }, { unit: 'kWh/kW', rate: 0.05 }]],
      flatdemandstructure: [[{ rate: 0 }]],
      flatdemandmonths: Array(12).fill(0),
      lookbackpercent: 0.5,
      lookbackrange: 1,
    });
    // January 40 kW for one hour, then 1 kW; February 1 kW every hour.
    const load = usage('2024-01-01', 60, 60, (date, hour) => (date === '2024-01-02' && hour === 12 ? '40' : '1'));
    const { bills } = rateMonths(tariff, load);
    // February: 696 kWh, peak 1 kW; billing demand max(1, 50% x 40) = 20 kW: tier 1 = 100 x 20 = 2000 kWh,
    // so all 696 kWh are tier 1: 696 x 0.15 = 104.40.
    expect(compact(bills[1]!.lines)).toEqual([
      ['Energy charge, tier 1 (first 2000 kWh)', '696', '0.15', '104.40'],
      ['Demand charge (ratchet 50% of the 1-month high)', '20', '0', '0.00'],
    ]);
  });
});

describe('billing demand lookback (lookbackpercent, lookbackrange, lookbackmonths)', () => {
  const base = { ...flat, fixedchargefirstmeter: 0, energyratestructure: [[{ rate: 0 }]], flatdemandstructure: [[{ rate: 10 }]], flatdemandmonths: Array(12).fill(0) };
  const monthlyPeaks = (peaks: Record<string, string>) => usage('2024-01-01', 31 + 29 + 31 + 30, 60, (date) => peaks[date.slice(0, 7)]!);

  it('bills at least the percent of the highest peak of the previous lookbackrange months', () => {
    const tariff = importUrdb({ ...base, lookbackpercent: 0.8, lookbackrange: 2 });
    const { bills } = rateMonths(tariff, monthlyPeaks({ '2024-01': '100', '2024-02': '20', '2024-03': '20', '2024-04': '20' }));
    // Jan 100 kW x 10 = 1000; Feb max(20, 80% x 100) = 80 -> 800; Mar (looks at Jan, Feb) 80 -> 800;
    // Apr (Feb, Mar) max(20, 16) = 20 -> 200.
    expect(bills.map((bill) => bill.lines.filter((line) => line.unit === 'kW').map((line) => [line.quantity, line.amount]))).toEqual([
      [['100', '1000.00']],
      [['80', '800.00']],
      [['80', '800.00']],
      [['20', '200.00']],
    ]);
    expect(bills[1]!.lines.at(-1)!.description).toBe('Demand charge (ratchet 80% of the 2-month high)');
  });

  it('counts only the peaks of the months flagged in lookbackmonths', () => {
    const flags = Array.from({ length: 12 }, (_, m) => m === 1); // February only
    const tariff = importUrdb({ ...base, lookbackpercent: 0.8, lookbackrange: 12, lookbackmonths: flags });
    const { bills } = rateMonths(tariff, monthlyPeaks({ '2024-01': '100', '2024-02': '50', '2024-03': '20', '2024-04': '20' }));
    // Feb: January is not counted: 50 kW -> 500. Mar: 80% of February's 50 = 40 -> 400. Apr 40 -> 400.
    expect(bills.map((bill) => bill.total)).toEqual(['1000.00', '500.00', '400.00', '400.00']);
  });

  it('applies to TOU demand when the rate has no flat demand', () => {
    const onPeak = Array.from({ length: 12 }, () => Array.from({ length: 24 }, (_, h) => (h >= 12 && h < 18 ? 1 : 0)));
    const tariff = importUrdb({ ...flat, fixedchargefirstmeter: 0, demandratestructure: [[{ rate: 0 }], [{ rate: 10 }]], demandweekdayschedule: onPeak, demandweekendschedule: onPeak, lookbackpercent: 0.5, lookbackrange: 11 });
    const { bills } = rateMonths(tariff, monthlyPeaks({ '2024-01': '60', '2024-02': '10', '2024-03': '10', '2024-04': '10' }));
    // Energy 0.10 $/kWh. Feb: 696 h x 10 kW = 6960 kWh x 0.10 = 696.00; on-peak demand
    // max(10, 50% x 60) = 30 kW x 10 = 300.00.
    expect(compact(bills[1]!.lines)).toEqual([
      ['Energy charge', '6960', '0.1', '696.00'],
      ['TOU demand charge, period 1 (ratchet 50% of the 11-month high)', '30', '10', '300.00'],
    ]);
  });
});

describe('attributes SAM does not price (energyattrs, demandattrs, fixedattrs)', () => {
  it('keeps each attribute as a note of the tariff instead of refusing or dropping it', () => {
    const tariff = importUrdb({ ...flat, energyattrs: [{ 'Voltage discount': '2%' }, { 'Power factor adjustment': 'see tariff' }], fixedattrs: [{ 'Meter charge': 'included' }] });
    expect(tariff.notes).toEqual([
      'URDB example-flat energyattrs: "Voltage discount" = "2%" is not priced by this rating (the tariff\'s own text; check it applies)',
      'URDB example-flat energyattrs: "Power factor adjustment" = "see tariff" is not priced by this rating (the tariff\'s own text; check it applies)',
      'URDB example-flat fixedattrs: "Meter charge" = "included" is not priced by this rating (the tariff\'s own text; check it applies)',
    ]);
    // The bill is the bill without the attributes.
    expect(rateBill(tariff, year2024, '2024-02-01', '2024-02-29').total).toBe('11.96');
  });
});

describe('dated items of one rate as versions (history)', () => {
  const day = (date: string) => Date.parse(`${date}T00:00:00Z`) / 1000;
  const older = { ...flat, label: 'example-2023', startdate: day('2023-06-01'), enddate: day('2024-01-16') };
  const newer = { ...flat, label: 'example-2024', fixedchargefirstmeter: 20, energyratestructure: [[{ rate: 0.2 }]], startdate: day('2024-01-16') };
  const other = { ...flat, label: 'other-rate', name: 'Another rate' };
  const january = usage('2024-01-01', 31, 60, () => '1');

  it('prorates a bill across the change of version', () => {
    const tariff = importUrdb({ items: [newer, older] }, { history: true });
    expect(tariff.versions.map((v) => [v.effectiveFrom, v.effectiveTo])).toEqual([
      ['2023-06-01', '2024-01-15'],
      ['2024-01-16', undefined],
    ]);
    const bill = rateBill(tariff, january, '2024-01-01', '2024-01-31');
    // Jan 1-15 (old): fixed 5 x 15/31 = 2.419... -> 2.42; 360 kWh x 0.10 = 36.00
    // Jan 16-31 (new): fixed 20 x 16/31 = 10.322... -> 10.32; 384 kWh x 0.20 = 76.80. Total 125.54.
    expect(bill.lines.map((line) => [line.description, line.amount, line.periodStart, line.periodEnd])).toEqual([
      ['Fixed charge (prorated 15/31 days)', '2.42', '2024-01-01', '2024-01-15'],
      ['Energy charge', '36.00', '2024-01-01', '2024-01-15'],
      ['Fixed charge (prorated 16/31 days)', '10.32', '2024-01-16', '2024-01-31'],
      ['Energy charge', '76.80', '2024-01-16', '2024-01-31'],
    ]);
    expect(bill.total).toBe('125.54');
  });

  it('takes the rate of the labelled item when the file holds several rates, and --label alone still picks one item', () => {
    const items = { items: [older, other, newer] };
    expect(() => importUrdb(items, { history: true })).toThrow(/several rates .*choose one with a label/);
    expect(importUrdb(items, { history: true, label: 'example-2023' }).versions).toHaveLength(2);
    expect(importUrdb(items, { label: 'example-2023' }).versions).toHaveLength(1);
  });

  it('refuses items without a startdate or with the same startdate', () => {
    const { startdate: _s, ...undated } = older;
    expect(() => importUrdb({ items: [undated, newer] }, { history: true })).toThrow(/needs a startdate/);
    expect(() => importUrdb({ items: [{ ...older, startdate: newer.startdate }, newer] }, { history: true })).toThrow(/both start on 2024-01-16/);
  });

  it('has no version before the earliest startdate', () => {
    const tariff = importUrdb({ items: [older, newer] }, { history: true });
    expect(() => rateBill(tariff, usage('2023-05-01', 31, 60, () => '1'), '2023-05-01', '2023-05-31')).toThrow(/no version in effect on 2023-05-01/);
  });
});

describe('exports by dgrules (SAM metering options)', () => {
  // January exports 0.5 kWh every hour (372 kWh), February imports 1 kWh every hour (696 kWh).
  const load = usage('2024-01-01', 60, 60, (date) => (date < '2024-02-01' ? '-0.5' : '1'));

  it('without dgrules nets and banks the surplus kWh, as SAM does when PySAM assumes net metering', () => {
    const { bills } = rateMonths(importUrdb(flat), load);
    // January: fixed 5.00, 372 kWh banked. February: 696 - 372 = 324 kWh x 0.10 = 32.40 + 5.00 = 37.40.
    expect(bills.map((bill) => bill.total)).toEqual(['5.00', '37.40']);
    expect(bills[0]!.lines.map((line) => line.description)).toEqual(['Fixed charge', 'Net metering: surplus banked']);
  });

  it('under net billing credits every exported kWh at the sell rate and bills every import', () => {
    const tariff = importUrdb({ ...flat, dgrules: 'Net Billing Instantaneous', energyratestructure: [[{ rate: 0.1, sell: 0.03 }]] });
    const { bills } = rateMonths(tariff, load);
    // January: 5.00 - 372 x 0.03 (11.16) = -6.16. February: 5.00 + 696 x 0.10 = 74.60.
    expect(bills.map((bill) => bill.total)).toEqual(['-6.16', '74.60']);
  });

  it('compares a monthly minimum with the charges less the export credits, at least zero (SAM)', () => {
    const tariff = importUrdb({ ...flat, dgrules: 'Net Billing Instantaneous', energyratestructure: [[{ rate: 0.1, sell: 0.03 }]], mincharge: 20, minchargeunits: '$/month' });
    const { bills } = rateMonths(tariff, load);
    // January: 5.00 - 11.16 = -6.16, counted as 0.00: the minimum adds 20.00, the bill is 13.84.
    // February: 74.60, over the minimum.
    expect(bills[0]!.lines.at(-1)).toMatchObject({ description: 'Minimum charge: minimum 20.00 less charges 0.00', amount: '20.00' });
    expect(bills.map((bill) => bill.total)).toEqual(['13.84', '74.60']);
  });
});
