import fc from 'fast-check';
import { CorruptRecord } from '../../../shared/app/errors';
import { packIntervals, parseIntervalList, unpackIntervals } from '../../../shared/adapters/read-store';
import type { PackedInterval } from '../../../shared/domain/reads';

const item = { PK: 'METER#M1', SK: 'DAY#2026-01-01' };

describe('parseIntervalList (the billing read of packed days)', () => {
  it('gives the same intervals as unpackIntervals, in time order', () => {
    fc.assert(
      fc.property(
        fc.uniqueArray(fc.integer({ min: 1_600_000_000, max: 1_900_000_000 }), { maxLength: 120 }),
        fc.array(fc.tuple(fc.integer({ min: -5_000_000_000, max: 5_000_000_000 }), fc.integer({ min: 1, max: 3600 }), fc.constantFrom('A', 'E', 'M') as fc.Arbitrary<PackedInterval[2]>), { minLength: 120, maxLength: 120 }),
        (starts, values) => {
          const intervals: Record<string, PackedInterval> = {};
          starts.forEach((start, index) => (intervals[String(start)] = values[index]!));
          const text = packIntervals(intervals);
          const expected = Object.entries(unpackIntervals(item, text)).map(([start, [quantityMicro, durationSec]]) => ({ startEpochSec: Number(start), durationSec, quantityMicro }));
          expect(parseIntervalList(item, text)).toEqual(expected);
        },
      ),
    );
  });

  it.each([
    ['1790834400,5,900'],
    ['1790834400,5,900,X'],
    ['1790834400,5,900,A;'],
    ['1790834400,5,900,A;0,5,900,A'],
    ['1790834400,5,900,A;-900,5,900,A'],
    ['1790834400,x,900,A'],
    ['1790834400,5,-900,A'],
    ['1790834400,5,900,A,7'],
    ['1790834400,99999999999999999999,900,A'],
  ])('refuses the corrupt text %j as unpackIntervals does', (text) => {
    expect(() => parseIntervalList(item, text)).toThrow(CorruptRecord);
    expect(() => unpackIntervals(item, text)).toThrow(CorruptRecord);
  });

  it('reads an empty day as no intervals', () => {
    expect(parseIntervalList(item, '')).toEqual([]);
  });
});
