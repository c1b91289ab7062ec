import rejections from '../../fixtures/reads/vee-rejections.json';
import validBatch from '../../fixtures/reads/valid-hourly.json';
import {
  CLOCK_SKEW_SEC,
  dayTotal,
  groupByDay,
  mergeDay,
  ReadingRejected,
  validateReadings,
  type DayReads,
  type ReadingInput,
} from '../../../shared/domain/reads';

const DENVER = 'America/Denver';
const NOW = new Date('2026-01-10T12:00:00Z');
const meter = { meterId: 'M0001', unit: 'kWh' as const, status: 'ACTIVE' as const };
const change = { at: '2026-01-10T12:00:00.000Z', by: 'mqtt' as const, ref: 'message-2' };

function hourly(startIso: string, count: number, value = '1'): ReadingInput[] {
  const start = Date.parse(startIso);
  return Array.from({ length: count }, (_, i) => ({ start: new Date(start + i * 3_600_000).toISOString().replace('.000Z', 'Z'), durationSec: 3600, value, unit: 'kWh' }));
}

function rejection(fn: () => unknown): ReadingRejected {
  try {
    fn();
  } catch (error) {
    if (error instanceof ReadingRejected) return error;
    throw error;
  }
  throw new Error('expected a ReadingRejected');
}

describe('validateReadings (VEE)', () => {
  it('accepts the valid fixture, converting Wh to micro-kWh', () => {
    const readings = validateReadings({ meter, readings: validBatch.readings, now: NOW, timeZone: DENVER });
    expect(readings).toEqual([
      { startEpochSec: Date.UTC(2026, 0, 1, 7) / 1000, durationSec: 3600, quantityMicro: 1_250_000, quality: 'A', day: '2026-01-01' },
      { startEpochSec: Date.UTC(2026, 0, 1, 8) / 1000, durationSec: 3600, quantityMicro: 875_000, quality: 'A', day: '2026-01-01' },
      { startEpochSec: Date.UTC(2026, 0, 1, 9) / 1000, durationSec: 3600, quantityMicro: 640_000, quality: 'A', day: '2026-01-01' },
    ]);
  });

  it.each(rejections.map((r) => [r.case, r] as const))('rejects %s', (_case, { reading, reason, error }) => {
    const rejected = rejection(() => validateReadings({ meter, readings: [reading], now: NOW, timeZone: DENVER }));
    expect(rejected.reason).toBe(reason);
    expect(rejected.name).toBe(error);
    expect(rejected.message).toMatch(/^readings\[0\]/);
  });

  it.each([300, 900, 3600, 86400])('accepts durations dividing a day (%d s)', (durationSec) => {
    expect(() => validateReadings({ meter, readings: [{ start: '2026-01-01T00:00:00-07:00', durationSec, value: '1', unit: 'kWh' }], now: NOW, timeZone: DENVER })).not.toThrow();
  });

  it('allows five minutes of clock skew and no more', () => {
    const at = (offsetSec: number) => new Date(NOW.getTime() + offsetSec * 1000).toISOString().replace('.000Z', 'Z');
    expect(() => validateReadings({ meter, readings: [{ start: at(CLOCK_SKEW_SEC), durationSec: 300, value: '1', unit: 'kWh' }], now: NOW, timeZone: DENVER })).not.toThrow();
    expect(rejection(() => validateReadings({ meter, readings: [{ start: at(CLOCK_SKEW_SEC + 300), durationSec: 300, value: '1', unit: 'kWh' }], now: NOW, timeZone: DENVER })).reason).toBe('future-interval');
  });

  it('aligns to the wall clock of the stated offset (India is UTC+05:30)', () => {
    const [reading] = validateReadings({ meter, readings: [{ start: '2026-01-01T01:00:00+05:30', durationSec: 3600, value: '1', unit: 'kWh' }], now: NOW, timeZone: DENVER });
    expect(reading?.startEpochSec).toBe(Date.UTC(2025, 11, 31, 19, 30) / 1000);
  });

  it('refuses an inactive meter, an empty batch and overlapping or disagreeing intervals', () => {
    expect(rejection(() => validateReadings({ meter: { ...meter, status: 'INACTIVE' }, readings: hourly('2026-01-01T07:00:00Z', 1), now: NOW, timeZone: DENVER })).reason).toBe('meter-inactive');
    expect(rejection(() => validateReadings({ meter, readings: [], now: NOW, timeZone: DENVER })).reason).toBe('empty-batch');
    const overlapping = [...hourly('2026-01-01T07:00:00Z', 1), { start: '2026-01-01T07:15:00Z', durationSec: 900, value: '1', unit: 'kWh' }];
    expect(rejection(() => validateReadings({ meter, readings: overlapping, now: NOW, timeZone: DENVER })).reason).toBe('overlapping-intervals');
    const disagreeing = [...hourly('2026-01-01T07:00:00Z', 1, '1'), ...hourly('2026-01-01T07:00:00Z', 1, '2')];
    expect(rejection(() => validateReadings({ meter, readings: disagreeing, now: NOW, timeZone: DENVER })).reason).toBe('duplicate-interval');
  });

  it('collapses exact repeats inside a batch', () => {
    const repeated = [...hourly('2026-01-01T07:00:00Z', 2), ...hourly('2026-01-01T07:00:00Z', 1)];
    expect(validateReadings({ meter, readings: repeated, now: NOW, timeZone: DENVER })).toHaveLength(2);
  });
});

describe('groupByDay', () => {
  const days = (readings: ReadingInput[], timeZone = DENVER) => {
    const grouped = groupByDay(validateReadings({ meter, readings, now: NOW, timeZone }));
    return Object.fromEntries([...grouped].map(([day, intervals]) => [day, intervals.length]));
  };

  it.each([
    ['a winter day in Denver has 24 hours', '2026-01-01T07:00:00Z', 26, { '2026-01-01': 24, '2026-01-02': 2 }],
    ['the spring-forward day (2026-03-08) has 23 hours', '2026-03-08T07:00:00Z', 25, { '2026-03-08': 23, '2026-03-09': 2 }],
    ['the fall-back day (2026-11-01) has 25 hours', '2026-11-01T06:00:00Z', 27, { '2026-11-01': 25, '2026-11-02': 2 }],
  ])('%s', (_name, from, count, expected) => {
    const now = new Date('2026-12-31T00:00:00Z');
    const grouped = groupByDay(validateReadings({ meter, readings: hourly(from, count), now, timeZone: DENVER }));
    expect(Object.fromEntries([...grouped].map(([day, intervals]) => [day, intervals.length]))).toEqual(expected);
  });

  it('keeps both 01:00 hours of the fall-back night, written with their own offsets, in one day', () => {
    const now = new Date('2026-12-31T00:00:00Z');
    const readings = [
      { start: '2026-11-01T01:00:00-06:00', durationSec: 3600, value: '1', unit: 'kWh' },
      { start: '2026-11-01T01:00:00-07:00', durationSec: 3600, value: '2', unit: 'kWh' },
    ];
    const grouped = groupByDay(validateReadings({ meter, readings, now, timeZone: DENVER }));
    expect([...grouped.keys()]).toEqual(['2026-11-01']);
    expect(grouped.get('2026-11-01')?.map((i) => i.quantityMicro)).toEqual([1_000_000, 2_000_000]);
  });

  it('takes the day in the utility zone, whatever offset the meter wrote', () => {
    expect(
      days([
        { start: '2026-01-01T23:00:00-05:00', durationSec: 3600, value: '1', unit: 'kWh' }, // 04:00Z = Jan 1 21:00 in Denver
        { start: '2026-01-02T01:00:00+01:00', durationSec: 3600, value: '1', unit: 'kWh' }, // 00:00Z = Jan 1 17:00 in Denver
        { start: '2026-01-01T06:45:00Z', durationSec: 900, value: '1', unit: 'kWh' }, // Dec 31 23:45 in Denver
      ]),
    ).toEqual({ '2025-12-31': 1, '2026-01-01': 2 });
    expect(days([{ start: '2026-01-01T23:00:00-05:00', durationSec: 3600, value: '1', unit: 'kWh' }], 'America/New_York')).toEqual({ '2026-01-01': 1 });
    expect(days([{ start: '2026-01-01T23:00:00-05:00', durationSec: 3600, value: '1', unit: 'kWh' }], 'Europe/Berlin')).toEqual({ '2026-01-02': 1 });
  });
});

describe('mergeDay', () => {
  const intervals = (values: number[]) => values.map((quantityMicro, i) => ({ startEpochSec: 1_767_250_800 + i * 3600, durationSec: 3600, quantityMicro, quality: 'A' as const }));
  const stored = (): DayReads => mergeDay(undefined, meter, '2026-01-01', intervals([1_000_000, 2_000_000]), { at: '2026-01-10T11:00:00.000Z', by: 'mqtt', ref: 'message-1' }).day;

  it('creates version 1 with no history', () => {
    const day = stored();
    expect(day.version).toBe(1);
    expect(day.history).toEqual([]);
    expect(dayTotal(day)).toBe(3_000_000);
  });

  it('ignores exact repeats: nothing to write, nothing double counted', () => {
    const result = mergeDay(stored(), meter, '2026-01-01', intervals([1_000_000, 2_000_000]), change);
    expect(result).toMatchObject({ changed: false, added: 0, replaced: 0, unchanged: 2 });
    expect(result.day.version).toBe(1);
    expect(dayTotal(result.day)).toBe(3_000_000);
  });

  it('replaces a conflicting value and keeps the previous one with who and when', () => {
    const result = mergeDay(stored(), meter, '2026-01-01', intervals([1_000_000, 2_500_000, 4_000_000]), change);
    expect(result).toMatchObject({ changed: true, added: 1, replaced: 1, unchanged: 1 });
    expect(result.day.version).toBe(2);
    expect(dayTotal(result.day)).toBe(7_500_000);
    expect(result.day.history).toEqual([{ start: 1_767_250_800 + 3600, previous: [2_000_000, 3600, 'A'], at: change.at, by: 'mqtt', ref: 'message-2' }]);
  });
});

describe('parseInstantFast (the ingestion path) agrees with parseInstant', () => {
  const { parseInstantFast } = require('../../../shared/domain/reads') as typeof import('../../../shared/domain/reads');
  const { parseInstant } = require('../../../shared/domain/calendar') as typeof import('../../../shared/domain/calendar');
  it.each([
    '2026-01-01T00:00:00Z', '2026-01-01T00:00:00-07:00', '2024-02-29T23:59:59+14:00', '2023-02-29T00:00:00Z', '2026-13-01T00:00:00Z', '2026-01-01T24:00:00Z',
    '2026-01-01T00:60:00Z', '2026-01-01T00:00:00+15:00', '2026-01-01T00:00:00.5Z', '2026-01-01 00:00:00Z', '2026-01-01T00:00:00', 'x026-01-01T00:00:00Z', '1900-02-29T00:00:00Z',
    '2000-02-29T12:00:00-03:30', '2026-04-31T00:00:00Z', '2026-01-01T00:00:00z', '2026-01-01T00:00:00+07-00',
  ])('%s', (value) => expect(parseInstantFast(value)).toEqual(parseInstant(value)));
});
