import { resolveVeeConfig, DEFAULT_VEE_CONFIG, serviceTypeOfUnit, type VeeConfig } from '../../../../shared/domain/vee/config';
import { dayClock } from '../../../../shared/domain/vee/days';
import { runVee, type StoredDay, type VeeReading } from '../../../../shared/domain/vee/engine';
import { averageDailyUse, estimateAverageDaily, estimateLikeDay, interpolateLinear } from '../../../../shared/domain/vee/estimate';

const clock = dayClock('America/Denver');
const at = (iso: string) => Date.parse(iso) / 1000;
const NOW = at('2026-01-10T12:00:00Z');
const H = 3600;
const kwh = (n: number) => n * 1_000_000;

function day(date: string, perHour: number): StoredDay {
  const [from] = clock.dayBounds(date);
  return { day: date, intervals: Object.fromEntries(Array.from({ length: 24 }, (_, h) => [String(from + h * H), [kwh(perHour), H, 'A']])) };
}
const history = ['2026-01-01', '2026-01-02', '2026-01-03'].map((d) => day(d, 1));
const r = (iso: string, value: number, extra: Partial<VeeReading> = {}): VeeReading => ({ startEpochSec: at(iso), durationSec: H, quantityMicro: kwh(value), ...extra });

function run(readings: VeeReading[], options: { stored?: StoredDay[]; config?: VeeConfig; status?: 'ACTIVE' | 'INACTIVE' } = {}) {
  return runVee(
    { meter: { meterId: 'M1', status: options.status ?? 'ACTIVE' }, config: options.config ?? DEFAULT_VEE_CONFIG.electric, nowEpochSec: NOW, stored: options.stored ?? history, dayOf: clock.dayOf, dayBounds: clock.dayBounds },
    readings,
  );
}

describe('VEE rules (one reading against the history of 1 kWh every hour)', () => {
  const stored = [...history, { day: '2026-01-05', intervals: { [String(at('2026-01-05T10:00:00-07:00'))]: [kwh(2), H, 'A'] as [number, number, 'A'], [String(at('2026-01-05T12:00:00-07:00'))]: [kwh(1), 2 * H, 'E'] as [number, number, 'E'], [String(at('2026-01-05T15:00:00-07:00'))]: [kwh(2), H, 'M'] as [number, number, 'M'] } }];
  it.each([
    ['ordinary reading', r('2026-01-05T05:00:00-07:00', 1), undefined, 'accepted'],
    ['future start', r('2026-01-10T13:00:00Z', 1), 'future-interval', 'held'],
    ['5 minutes of clock skew is fine', r('2026-01-10T12:00:00Z', 1), undefined, 'accepted'],
    ['ending more than 90 days ago (too old)', r('2025-10-12T10:59:59Z', 1), 'too-old', 'held'],
    ['ending exactly 90 days ago is not too old', r('2025-10-12T11:00:00Z', 1), undefined, 'accepted'],
    ['negative consumption', r('2026-01-05T05:00:00-07:00', -1), 'negative-consumption', 'held'],
    ['unit that does not fit the meter', r('2026-01-05T05:00:00-07:00', 1, { mismatchedUnit: 'gal' }), 'unit-mismatch', 'held'],
    ['exact repeat of a stored actual', r('2026-01-05T10:00:00-07:00', 2), undefined, 'ignored'],
    ['conflicting repeat of a stored actual', r('2026-01-05T10:00:00-07:00', 3), 'duplicate-conflict', 'held'],
    ['exact repeat of a stored staff-entered reading', r('2026-01-05T15:00:00-07:00', 2), undefined, 'ignored'],
    ['conflicting repeat of a stored staff-entered reading', r('2026-01-05T15:00:00-07:00', 3), 'duplicate-conflict', 'held'],
    ['actual replacing a stored estimate', r('2026-01-05T12:00:00-07:00', 3), undefined, 'accepted'],
    ['overlapping a stored interval', { ...r('2026-01-05T09:30:00-07:00', 1), durationSec: 1800 + H }, 'overlapping-intervals', 'held'],
    ['overlapping a stored two-hour estimate', r('2026-01-05T13:00:00-07:00', 1), 'overlapping-intervals', 'held'],
    ['spike: 11x the highest rate of the history', r('2026-01-05T05:00:00-07:00', 11), 'spike', 'flagged'],
    ['10x is not a spike', r('2026-01-05T05:00:00-07:00', 10), undefined, 'accepted'],
  ] as const)('%s', (_case, reading, reason, outcome) => {
    const result = run([reading], { stored });
    expect(result.exceptions.filter((e) => e.reason !== 'gap').map((e) => e.reason)[0]).toBe(reason);
    const state = result.ignored ? 'ignored' : result.accepted.length ? (reason ? 'flagged' : 'accepted') : 'held';
    expect(state).toBe(outcome);
  });

  it('holds readings of an inactive meter', () => {
    expect(run([r('2026-01-05T05:00:00-07:00', 1)], { status: 'INACTIVE' }).exceptions.map((e) => [e.reason, e.action])).toEqual([['meter-inactive', 'hold']]);
  });

  it('ignores exact repeats inside a batch and holds conflicting ones', () => {
    const result = run([r('2026-01-05T05:00:00-07:00', 1), r('2026-01-05T05:00:00-07:00', 1), r('2026-01-05T05:00:00-07:00', 2)]);
    expect(result.accepted).toHaveLength(1);
    expect(result.ignored).toBe(1);
    expect(result.exceptions.map((e) => e.reason)).toEqual(['duplicate-conflict']);
  });

  it('accepts readings out of order', () => {
    const result = run([r('2026-01-05T07:00:00-07:00', 1), r('2026-01-05T05:00:00-07:00', 1), r('2026-01-05T06:00:00-07:00', 1)]);
    expect(result.accepted.map((i) => i.startEpochSec)).toEqual([at('2026-01-05T05:00:00-07:00'), at('2026-01-05T06:00:00-07:00'), at('2026-01-05T07:00:00-07:00')]);
    expect(result.exceptions).toEqual([]);
  });

  it('does nothing for a rule that is off, flags instead of holding when configured', () => {
    const off = resolveVeeConfig('electric', 'R', { 'electric/R': { actions: { 'future-interval': 'off', 'negative-consumption': 'flag' } } });
    const result = run([r('2026-01-10T13:00:00Z', 1), r('2026-01-05T05:00:00-07:00', -1)], { config: off });
    expect(result.accepted).toHaveLength(2);
    expect(result.exceptions.map((e) => [e.reason, e.action])).toEqual([['negative-consumption', 'flag']]);
  });
});

describe('too-old rule per service type and rate class', () => {
  it.each([
    ['electric default (90 days)', resolveVeeConfig('electric', 'RES'), '2025-10-01T00:00:00Z', ['too-old', 'hold']],
    ['a rate class that allows a year of backfill', resolveVeeConfig('electric', 'IRR', { 'electric/IRR': { maxAgeDays: 365 } }), '2025-10-01T00:00:00Z', undefined],
    ['a rate class with 7 days', resolveVeeConfig('electric', 'C', { 'electric/C': { maxAgeDays: 7 } }), '2026-01-02T00:00:00Z', ['too-old', 'hold']],
    ['a service type that only flags it', resolveVeeConfig('water', undefined, { water: { actions: { 'too-old': 'flag' } } }), '2025-10-01T00:00:00Z', ['too-old', 'flag']],
    ['a service type with the rule off', resolveVeeConfig('gas', undefined, { gas: { actions: { 'too-old': 'off' } } }), '2025-10-01T00:00:00Z', undefined],
  ] as const)('%s', (_case, config, start, expected) => {
    const result = run([r(start, 1)], { config, stored: [] });
    const found = result.exceptions.filter((e) => e.reason === 'too-old').map((e) => [e.reason, e.action]);
    expect(found).toEqual(expected ? [expected] : []);
    expect(result.accepted).toHaveLength(expected?.[1] === 'hold' ? 0 : 1);
  });
});

describe('VEE gaps and estimation', () => {
  it('interpolates a gap of 2 hours or less linearly', () => {
    const result = run([r('2026-01-05T00:00:00-07:00', 1), r('2026-01-05T01:00:00-07:00', 1), r('2026-01-05T04:00:00-07:00', 4)], { stored: [...history, day('2026-01-04', 1)] });
    expect(result.estimated.map((e) => [e.quantityMicro, e.method])).toEqual([
      [kwh(2), 'linear'],
      [kwh(3), 'linear'],
    ]);
  });

  it('estimates a longer gap from like days, and flags one longer than a week', () => {
    const stored = [day('2025-12-29', 5), ...history, day('2026-01-04', 1)];
    const result = run([r('2026-01-05T00:00:00-07:00', 1), r('2026-01-05T01:00:00-07:00', 1), r('2026-01-05T06:00:00-07:00', 1)], { stored });
    expect(result.estimated.map((e) => [e.quantityMicro, e.method])).toEqual(Array(4).fill([kwh(5), 'like-day']));
    const long = run([r('2026-01-04T00:00:00-07:00', 1), r('2026-01-10T01:00:00-07:00', 1)], { config: { ...DEFAULT_VEE_CONFIG.electric, estimateMaxGapSec: 86_400 } });
    expect(long.estimated).toEqual([]);
    expect(long.exceptions.map((e) => [e.reason, e.durationSec])).toEqual([['gap', 6 * 86_400]]);
  });

  it('flags high and low usage days against the history and zero consumption over N days', () => {
    const full = (date: string, value: number) => Array.from({ length: 24 }, (_, h) => ({ startEpochSec: clock.dayBounds(date)[0] + h * H, durationSec: H, quantityMicro: kwh(value) }));
    expect(run(full('2026-01-05', 4)).exceptions.map((e) => e.reason)).toEqual(['high-usage']);
    expect(run(full('2026-01-05', 0.05)).exceptions.map((e) => e.reason)).toEqual(['low-usage']);
    const zeros = ['2026-01-03', '2026-01-04'].map((d) => day(d, 0));
    expect(run(full('2026-01-05', 0), { stored: zeros }).exceptions.map((e) => e.reason)).toEqual(['zero-consumption']);
    expect(run(full('2026-01-05', 0), { stored: zeros.slice(1) }).exceptions.map((e) => e.reason)).toEqual([]);
  });
});

describe('estimation methods', () => {
  it('interpolates between neighbours of other lengths by their rates', () => {
    expect(interpolateLinear({ durationSec: 900, quantityMicro: 250 }, { durationSec: 3600, quantityMicro: 3000 }, [0, 900], 900).map((e) => e.quantityMicro)).toEqual([417, 583]);
  });
  it('like-day takes the same weekday, else the average of the previous days, else nothing', () => {
    const values = new Map([[-7 * 86_400, 7], [-86_400, 1], [100 - 2 * 86_400, 3], [100 - 86_400, 5]]);
    expect(estimateLikeDay([0, 100], 100, (s) => values.get(s))?.map((e) => e.quantityMicro)).toEqual([7, 4]);
    expect(estimateLikeDay([200], 100, (s) => values.get(s))).toBeUndefined();
  });
  it('spreads average daily use so that a day sums to it exactly', () => {
    expect(averageDailyUse([10, 11])).toBe(11);
    expect(averageDailyUse([])).toBeUndefined();
    const estimates = estimateAverageDaily(Array.from({ length: 24 }, (_, h) => h * H), H, 1_000_001);
    expect(estimates.reduce((sum, e) => sum + e.quantityMicro, 0)).toBe(1_000_001);
    expect(new Set(estimates.map((e) => e.method))).toEqual(new Set(['average-daily']));
  });
});

describe('VEE configuration', () => {
  it.each([
    ['kWh', 'electric'],
    ['Wh', 'electric'],
    ['gal', 'water'],
    ['ccf', 'water'],
    ['therm', 'gas'],
  ] as const)('%s meters are %s', (unit, type) => expect(serviceTypeOfUnit(unit)).toBe(type));
  it('applies the service type override, then the rate class override', () => {
    const config = resolveVeeConfig('water', 'IRR', { water: { spikeFactor: 30, actions: { gap: 'off' } }, 'water/IRR': { spikeFactor: 50 }, 'electric/IRR': { spikeFactor: 2 } });
    expect([config.spikeFactor, config.actions.gap, config.actions.spike, config.zeroConsumptionDays]).toEqual([50, 'off', 'flag', 7]);
    expect(resolveVeeConfig('water', 'OTHER', { water: { spikeFactor: 30 } }).spikeFactor).toBe(30);
  });
});

describe('local days', () => {
  it.each([
    ['2026-01-05', 24],
    ['2026-03-08', 23],
    ['2026-11-01', 25],
  ])('%s in Denver has %i hours', (date, hours) => {
    const [from, to] = clock.dayBounds(date);
    expect((to - from) / H).toBe(hours);
    expect(clock.dayOf(from)).toBe(date);
    expect(clock.dayOf(from - 1)).not.toBe(date);
    expect(clock.dayOf(to - 1)).toBe(date);
  });
});
