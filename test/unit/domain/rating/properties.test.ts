/** Invariants of the rating engine, checked with fast-check. */
import fc from 'fast-check';
import { Decimal } from 'decimal.js';
import { allocateProportionally, importUrdb, parseTariffDocument, rateBill, rateMonths, type TariffDocument } from '../../../../shared/domain/rating';
import { fixtureTariff, usage } from './helpers';

const AMOUNT = /^-?\d+\.\d{2}$/;
const DECIMAL = /^-?\d+(\.\d+)?$/;

function tieredTariff(limits: number[], rates: string[], versions = [{ from: '2024-01-01', to: undefined as string | undefined }]): TariffDocument {
  const tiers = rates.map((rate, i) => (i < limits.length ? { upTo: String(limits[i]), rate } : { rate }));
  return parseTariffDocument({
    format: 'cis-tariff/1',
    tariffId: 'P',
    name: 'Property',
    unit: 'kWh',
    timeZone: 'UTC',
    versions: versions.map((v) => ({
      effectiveFrom: v.from,
      ...(v.to ? { effectiveTo: v.to } : {}),
      charges: [
        { kind: 'fixed', description: 'Customer charge', per: 'day', amount: '0.33' },
        { kind: 'energy', description: 'Energy', tiers },
        { kind: 'tax', description: 'Tax', percent: '7.25' },
      ],
    })),
  });
}

const increasingLimits = fc.uniqueArray(fc.integer({ min: 1, max: 2000 }), { minLength: 1, maxLength: 4 }).map((xs) => [...xs].sort((a, b) => a - b));
const price = fc.integer({ min: 0, max: 99999 }).map((n) => new Decimal(n).div(100000).toFixed());

describe('rating properties', () => {
  it('more usage never lowers the bill (non-negative tier rates, inclining or declining)', () => {
    fc.assert(
      fc.property(increasingLimits, fc.array(price, { minLength: 5, maxLength: 5 }), fc.integer({ min: 0, max: 5000 }), fc.integer({ min: 0, max: 500 }), (limits, prices, base, extra) => {
        const tariff = tieredTariff(limits, prices.slice(0, limits.length + 1));
        const a = rateBill(tariff, usage('2024-01-01', 2, 1440, () => (base / 10).toFixed(1)), '2024-01-01', '2024-01-01');
        const b = rateBill(tariff, usage('2024-01-01', 2, 1440, () => ((base + extra) / 10).toFixed(1)), '2024-01-01', '2024-01-01');
        expect(new Decimal(b.total).gte(a.total)).toBe(true);
      }),
      { numRuns: 60 },
    );
  });

  it('splitting a period at a version change that changes nothing costs at most a cent a line', () => {
    fc.assert(
      fc.property(fc.integer({ min: 2, max: 30 }), fc.integer({ min: 0, max: 300 }), (splitDay, dailyTenths) => {
        const whole = tieredTariff([300], ['0.1', '0.15']);
        const split = tieredTariff([300], ['0.1', '0.15'], [
          { from: '2024-01-01', to: `2024-01-${String(splitDay - 1).padStart(2, '0')}` },
          { from: `2024-01-${String(splitDay).padStart(2, '0')}`, to: undefined },
        ]);
        const load = usage('2024-01-01', 31, 1440, () => (dailyTenths / 10).toFixed(1));
        const a = rateBill(whole, load, '2024-01-01', '2024-01-31');
        const b = rateBill(split, load, '2024-01-01', '2024-01-31');
        const difference = new Decimal(a.total).minus(b.total).abs();
        expect(difference.lte(new Decimal('0.01').times(b.lines.length))).toBe(true);
        // The prorated fixed charge days add up to the period.
        const days = b.lines.filter((line) => line.description === 'Customer charge').reduce((sum, line) => sum + Number(line.quantity), 0);
        expect(days).toBe(31);
      }),
      { numRuns: 40 },
    );
  });

  it('proportional allocation gives integers that add up exactly', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 1e12 }), fc.array(fc.integer({ min: 0, max: 1e9 }), { minLength: 1, maxLength: 6 }), (amount, weights) => {
        const parts = allocateProportionally(amount, weights);
        if (weights.every((w) => w === 0)) return expect(parts.every((p) => p === 0)).toBe(true);
        expect(parts.every(Number.isSafeInteger)).toBe(true);
        expect(parts.reduce((a, b) => a + b, 0)).toBe(amount);
      }),
    );
  });

  it('no float anywhere: every amount is a two-decimal string and the total is their exact sum', () => {
    const tariffs = [fixtureTariff('res-tou-baseline.json'), fixtureTariff('commercial-tou-demand.json')];
    fc.assert(
      fc.property(fc.constantFrom(...tariffs), fc.array(fc.integer({ min: 0, max: 999_999 }), { minLength: 96, maxLength: 96 }), (tariff, shape) => {
        const load = usage('2024-01-01', 31, 15, (_d, hour, minute) => (shape[hour * 4 + minute / 15]! / 1_000_000).toFixed(6));
        const bill = rateBill(tariff, load, '2024-01-01', '2024-01-31');
        for (const line of bill.lines) {
          expect(line.amount).toMatch(AMOUNT);
          expect(line.quantity).toMatch(DECIMAL);
          expect(line.rate).toMatch(DECIMAL);
        }
        expect(bill.total).toMatch(AMOUNT);
        expect(bill.lines.reduce((sum, line) => sum.plus(line.amount), new Decimal(0)).toFixed(2)).toBe(bill.total);
      }),
      { numRuns: 25 },
    );
  });

  const zeros = () => Array.from({ length: 12 }, () => Array.from({ length: 24 }, () => 0));
  const urdbFlat = { label: 'p', name: 'Property', fixedchargefirstmeter: 3, fixedchargeunits: '$/month', energyratestructure: [[{ rate: 0.1 }]], energyweekdayschedule: zeros(), energyweekendschedule: zeros() };

  it('an annual minimum never lowers a year\'s total, and a whole year totals at least the minimum', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 0, max: 400 }), { minLength: 12, maxLength: 12 }), fc.integer({ min: 0, max: 200_000 }), fc.integer({ min: 1, max: 12 }), (daily, minimumCents, firstMonth) => {
        const from = `2024-${String(firstMonth).padStart(2, '0')}-01`;
        const load = usage('2024-01-01', 366, 1440, (date) => (daily[Number(date.slice(5, 7)) - 1]! / 10).toFixed(1));
        const annual = new Decimal(minimumCents).div(100).toNumber();
        const without = rateMonths(importUrdb(urdbFlat), load, { from, to: '2024-12-31' });
        const withMinimum = rateMonths(importUrdb({ ...urdbFlat, annualmincharge: annual }), load, { from, to: '2024-12-31' });
        expect(new Decimal(withMinimum.total).gte(without.total)).toBe(true);
        const yearShare = new Decimal(annual).times(366 - (Date.UTC(2024, firstMonth - 1, 1) - Date.UTC(2024, 0, 1)) / 86_400_000).div(366);
        expect(new Decimal(withMinimum.total).gte(yearShare.toDecimalPlaces(2, Decimal.ROUND_DOWN))).toBe(true);
        // Only the December bill changes.
        expect(withMinimum.bills.slice(0, -1).map((b) => b.total)).toEqual(without.bills.slice(0, -1).map((b) => b.total));
      }),
      { numRuns: 30 },
    );
  });

  it('a lookback billing demand is never below the month\'s own peak', () => {
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: 0, max: 5000 }), { minLength: 6, maxLength: 6 }),
        fc.integer({ min: 1, max: 150 }),
        fc.integer({ min: 1, max: 12 }),
        fc.array(fc.boolean(), { minLength: 12, maxLength: 12 }),
        (peaks, percent, range, flags) => {
          const tariff = importUrdb({ ...urdbFlat, flatdemandstructure: [[{ rate: 7 }]], flatdemandmonths: Array(12).fill(0), lookbackpercent: percent / 100, lookbackrange: range, lookbackmonths: flags });
          // One hour a day at the month's peak (kW), 0.5 kW otherwise.
          const load = usage('2024-01-01', 182, 60, (date, hour) => (hour === 9 ? (peaks[Number(date.slice(5, 7)) - 1]! / 10).toFixed(1) : '0.5'));
          for (const bill of rateMonths(tariff, load).bills) {
            const demand = bill.lines.find((line) => line.unit === 'kW')!;
            expect(new Decimal(demand.quantity).gte(bill.peakKw)).toBe(true);
          }
        },
      ),
      { numRuns: 25 },
    );
  });
});
