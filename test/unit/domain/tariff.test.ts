import { buildBill, billIdFor, assertValidPeriod } from '../../../shared/domain/billing';
import { InvalidInput } from '../../../shared/domain/errors';
import { rateUsage, type Tariff } from '../../../shared/domain/tariff';

const electric: Tariff = { tariffId: 'ELEC-RES', name: 'Residential electric', unit: 'kWh', fixedCharge: '12.50', unitPrice: '0.1125', rounding: 'half-up' };
const water: Tariff = { tariffId: 'WATER-RES', name: 'Residential water', unit: 'gal', fixedCharge: '18.00', unitPrice: '0.0045', rounding: 'half-up' };
const period = { periodStart: '2026-01-01', periodEnd: '2026-01-31' };

describe('rateUsage', () => {
  it.each<[string, Tariff, number, string, string, string]>([
    // tariff, usage (micro-units), usage line quantity, usage amount, total
    ['zero usage is the fixed charge', electric, 0, '0', '0.00', '12.50'],
    ['1 kWh: 0.1125 rounds down', electric, 1_000_000, '1', '0.11', '12.61'],
    ['2 kWh: 0.225 rounds half-up', electric, 2_000_000, '2', '0.23', '12.73'],
    ['600.2 kWh: 67.5225 -> 67.52', electric, 600_200_000, '600.2', '67.52', '80.02'],
    ['100.04 kWh: 11.2545 -> 11.25', electric, 100_040_000, '100.04', '11.25', '23.75'],
    ['0.000001 kWh rounds to nothing', electric, 1, '0.000001', '0.00', '12.50'],
    ['1000 gal: 4.5', water, 1_000_000_000, '1000', '4.50', '22.50'],
    ['1 gal: 0.0045 -> 0.00', water, 1_000_000, '1', '0.00', '18.00'],
    ['111 gal: 0.4995 -> 0.50', water, 111_000_000, '111', '0.50', '18.50'],
    ['1 million kWh stays exact', electric, 1_000_000_000_000, '1000000', '112500.00', '112512.50'],
  ])('%s', (_name, tariff, usageMicro, quantity, amount, total) => {
    const rated = rateUsage(tariff, usageMicro, period);
    expect(rated.lines).toEqual([
      { description: `${tariff.name}: fixed charge`, quantity: '1', unit: 'bill', rate: tariff.fixedCharge.replace(/\.?0+$/, ''), amount: tariff.fixedCharge, ...period },
      { description: `${tariff.name}: usage charge`, quantity, unit: tariff.unit, rate: tariff.unitPrice, amount, ...period },
    ]);
    expect(rated.total).toBe(total);
  });

  it('rounds each line once, then adds: 0.005 + 0.005 is 0.02, not 0.01', () => {
    const tariff: Tariff = { ...electric, fixedCharge: '0.005', unitPrice: '0.005' };
    const rated = rateUsage(tariff, 1_000_000, period);
    expect(rated.lines.map((line) => line.amount)).toEqual(['0.01', '0.01']);
    expect(rated.total).toBe('0.02');
  });

  it('refuses a tariff whose prices are not decimal strings', () => {
    expect(() => rateUsage({ ...electric, unitPrice: '1e-1' }, 1, period)).toThrow(/unitPrice/);
    expect(() => rateUsage({ ...electric, fixedCharge: '-1' }, 1, period)).toThrow(/fixedCharge/);
  });
});

describe('bills', () => {
  it('derives the bill id from account, cycle and period only', () => {
    const id = billIdFor('A0001', 'C1', '2026-01-01', '2026-01-31');
    expect(id).toMatch(/^B[0-9A-F]{24}$/);
    expect(billIdFor('A0001', 'C1', '2026-01-01', '2026-01-31')).toBe(id);
    const others = [
      billIdFor('A0002', 'C1', '2026-01-01', '2026-01-31'),
      billIdFor('A0001', 'C2', '2026-01-01', '2026-01-31'),
      billIdFor('A0001', 'C1', '2026-01-02', '2026-01-31'),
      billIdFor('A0001', 'C1', '2026-01-01', '2026-01-30'),
      billIdFor('A000', '1C1', '2026-01-01', '2026-01-31'),
    ];
    expect(new Set([id, ...others]).size).toBe(6);
  });

  it('builds a bill whose total is the sum of its lines', () => {
    const bill = buildBill({ account: { accountId: 'A0001', customerId: 'C0001' }, tariff: electric, usageMicro: 600_200_000, cycle: 'C1', ...period, runId: 'run-1', issuedAt: '2026-02-01T00:00:00.000Z' });
    expect(bill).toMatchObject({ billId: billIdFor('A0001', 'C1', period.periodStart, period.periodEnd), accountId: 'A0001', customerId: 'C0001', total: '80.02', usage: { quantity: '600.2', unit: 'kWh' }, currency: 'USD', status: 'ISSUED' });
  });

  it.each([
    ['2026-01-01', '2026-03-03', true],
    ['2026-01-01', '2026-03-04', false],
    ['2026-01-31', '2026-01-01', false],
    ['2026-02-30', '2026-03-01', false],
  ])('period %s..%s valid: %s', (start, end, valid) => {
    if (valid) expect(() => assertValidPeriod(start, end)).not.toThrow();
    else expect(() => assertValidPeriod(start, end)).toThrow(InvalidInput);
  });
});
