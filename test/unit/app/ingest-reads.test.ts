import { cachedMeters, ingestMeterReadings, ingestReads } from '../../../shared/app/ingest-reads';
import { TransientStoreError } from '../../../shared/app/errors';
import { dayTotal, ReadingRejected } from '../../../shared/domain/reads';
import type { Meter } from '../../../shared/domain/accounts';
import { clockAt, MemoryMeters, MemoryReads } from './fakes';
import { MemoryReadExceptions } from './reads-fakes';

const meter: Meter = { meterId: 'M0001', accountId: 'A0001', unit: 'kWh', status: 'ACTIVE', multiplier: 1 };
const inactive: Meter = { ...meter, meterId: 'M0002', status: 'INACTIVE' };

function setup() {
  const reads = new MemoryReads();
  const exceptions = new MemoryReadExceptions();
  const deps = { meters: new MemoryMeters([meter, inactive]), reads, exceptions, clock: clockAt('2026-01-10T12:00:00Z'), timeZone: 'America/Denver' };
  return { deps, reads, exceptions };
}

const batch = {
  meterId: 'M0001',
  readings: [
    { start: '2026-01-01T22:00:00-07:00', durationSec: 3600, value: '1.5', unit: 'kWh' },
    { start: '2026-01-01T23:00:00-07:00', durationSec: 3600, value: '2', unit: 'kWh' },
    { start: '2026-01-02T00:00:00-07:00', durationSec: 3600, value: '500', unit: 'Wh' },
  ],
};

/** A full local day of hourly readings of `value` kWh. */
function hourlyDay(day: string, value: string | ((hour: number) => string)) {
  return Array.from({ length: 24 }, (_, hour) => ({ start: `${day}T${String(hour).padStart(2, '0')}:00:00-07:00`, durationSec: 3600, value: typeof value === 'string' ? value : value(hour), unit: 'kWh' }));
}

describe('ingestReads', () => {
  it('writes one packed item per local day', async () => {
    const { deps, reads } = setup();
    const result = await ingestReads(deps, batch, { ref: 'm-1' });
    expect(result).toMatchObject({ meterId: 'M0001', days: ['2026-01-01', '2026-01-02'], added: 3, replaced: 0, unchanged: 0, held: 0 });
    expect(dayTotal((await reads.getDay('M0001', '2026-01-01'))!)).toBe(3_500_000);
    expect(dayTotal((await reads.getDay('M0001', '2026-01-02'))!)).toBe(500_000);
  });

  it('does not double count a message processed twice (and does not even write)', async () => {
    const { deps, reads } = setup();
    await ingestReads(deps, batch, { ref: 'm-1' });
    const writes = reads.writes;
    const again = await ingestReads(deps, batch, { ref: 'm-1' });
    expect(again).toMatchObject({ added: 0, replaced: 0, unchanged: 3 });
    expect(reads.writes).toBe(writes);
    expect(dayTotal((await reads.getDay('M0001', '2026-01-01'))!)).toBe(3_500_000);
  });

  it('holds a conflicting repeat as an exception and keeps the stored value', async () => {
    const { deps, reads, exceptions } = setup();
    await ingestReads(deps, batch, { ref: 'm-1' });
    const result = await ingestReads(deps, { meterId: 'M0001', readings: [{ start: '2026-01-01T23:00:00-07:00', durationSec: 3600, value: '2.25', unit: 'kWh' }] }, { ref: 'm-2' });
    expect(result).toMatchObject({ added: 0, replaced: 0, held: 1 });
    expect(dayTotal((await reads.getDay('M0001', '2026-01-01'))!)).toBe(3_500_000);
    expect(exceptions.reasons()).toEqual(['duplicate-conflict']);
    const [exception] = exceptions.exceptions.values();
    expect(exception).toMatchObject({ meterId: 'M0001', quantityMicro: 2_250_000, status: 'OPEN', action: 'hold', ref: 'm-2' });
    // the same message again opens no second exception
    await ingestReads(deps, { meterId: 'M0001', readings: [{ start: '2026-01-01T23:00:00-07:00', durationSec: 3600, value: '2.25', unit: 'kWh' }] }, { ref: 'm-2' });
    expect(exceptions.exceptions.size).toBe(1);
  });

  it('replaces an estimate with the actual and keeps the estimate in the history', async () => {
    const { deps, reads } = setup();
    // 01:00 and 03:00 arrive: 02:00 is estimated linearly
    await ingestReads(deps, { meterId: 'M0001', readings: [{ start: '2026-01-03T01:00:00-07:00', durationSec: 3600, value: '1', unit: 'kWh' }, { start: '2026-01-03T03:00:00-07:00', durationSec: 3600, value: '3', unit: 'kWh' }] });
    let day = (await reads.getDay('M0001', '2026-01-03'))!;
    const twoAm = String(Date.parse('2026-01-03T02:00:00-07:00') / 1000);
    expect(day.intervals[twoAm]).toEqual([2_000_000, 3600, 'E']);
    expect(day.methods).toEqual({ [twoAm]: 'linear' });
    await ingestReads(deps, { meterId: 'M0001', readings: [{ start: '2026-01-03T02:00:00-07:00', durationSec: 3600, value: '2.5', unit: 'kWh' }] }, { ref: 'late' });
    day = (await reads.getDay('M0001', '2026-01-03'))!;
    expect(day.intervals[twoAm]).toEqual([2_500_000, 3600, 'A']);
    expect(day.methods).toBeUndefined();
    expect(day.history).toEqual([{ start: Number(twoAm), previous: [2_000_000, 3600, 'E'], at: '2026-01-10T12:00:00.000Z', by: 'mqtt', ref: 'late' }]);
  });

  it('re-reads and re-merges on a version conflict', async () => {
    const { deps, reads } = setup();
    reads.interfere = 2;
    await ingestReads(deps, { ...batch, readings: batch.readings.slice(0, 1) });
    expect(dayTotal((await reads.getDay('M0001', '2026-01-01'))!)).toBe(1_500_000);
  });

  it('gives up with a TransientStoreError when the day keeps changing', async () => {
    const { deps, reads } = setup();
    reads.interfere = 100;
    await expect(ingestReads(deps, { ...batch, readings: batch.readings.slice(0, 1) })).rejects.toThrow(TransientStoreError);
  });

  it('opens exceptions (not failures) for unknown and inactive meters, future and negative readings', async () => {
    const { deps, reads, exceptions } = setup();
    expect(await ingestReads(deps, { ...batch, meterId: 'M9999' }, { ref: 'u' })).toMatchObject({ held: 1, added: 0 });
    expect(await ingestReads(deps, { ...batch, meterId: 'M0002' })).toMatchObject({ held: 3, added: 0 });
    const mixed = {
      meterId: 'M0001',
      readings: [
        { start: '2026-01-11T00:00:00Z', durationSec: 3600, value: '1', unit: 'kWh' },
        { start: '2026-01-02T01:00:00-07:00', durationSec: 3600, value: '-1', unit: 'kWh' },
        { start: '2026-01-02T02:00:00-07:00', durationSec: 3600, value: '1', unit: 'gal' },
        { start: '2026-01-02T03:00:00-07:00', durationSec: 3600, value: '1', unit: 'kWh' },
      ],
    };
    expect(await ingestReads(deps, mixed)).toMatchObject({ held: 3, added: 1 });
    expect(exceptions.reasons()).toEqual(['future-interval', 'meter-inactive', 'meter-inactive', 'meter-inactive', 'negative-consumption', 'unit-mismatch', 'unknown-meter']);
    const unknown = [...exceptions.exceptions.values()].find((e) => e.reason === 'unknown-meter')!;
    expect(unknown.readings).toEqual(batch.readings);
    expect(unknown.quantityMicro).toBe(4_000_000);
    expect([...exceptions.exceptions.values()].find((e) => e.reason === 'unit-mismatch')).toMatchObject({ unit: 'gal', quantityMicro: 1_000_000 });
    expect([...reads.days.keys()]).toEqual(['M0001/2026-01-02']);
  });

  it('refuses a malformed batch with a reason code, writing nothing', async () => {
    const { deps, reads } = setup();
    const bad = { meterId: 'M0001', readings: [...batch.readings, { start: '2026-01-02T01:00:00-07:00', durationSec: 3600, value: '1e3', unit: 'kWh' }] };
    await expect(ingestReads(deps, bad)).rejects.toThrow(ReadingRejected);
    await expect(ingestReads(deps, bad)).rejects.toMatchObject({ reason: 'invalid-value' });
    expect(reads.writes).toBe(0);
  });

  it('flags a spike and a high-usage day against the meter own history and raises an alert', async () => {
    const { deps, reads, exceptions } = setup();
    for (const day of ['2026-01-03', '2026-01-04', '2026-01-05', '2026-01-06']) await ingestReads(deps, { meterId: 'M0001', readings: hourlyDay(day, '1') });
    expect(exceptions.exceptions.size).toBe(0);
    const result = await ingestReads(deps, { meterId: 'M0001', readings: hourlyDay('2026-01-07', (hour) => (hour === 18 ? '150' : '1')) });
    expect(result).toMatchObject({ added: 24, flagged: 2, alerts: 1 });
    expect(exceptions.reasons()).toEqual(['high-usage', 'spike']);
    expect(dayTotal((await reads.getDay('M0001', '2026-01-07'))!)).toBe(173_000_000);
    expect(exceptions.alerts).toEqual([{ day: '2026-01-07', totalMicro: 173_000_000, thresholdMicro: 100_000_000, accountId: 'A0001', meterId: 'M0001', unit: 'kWh', raisedAt: '2026-01-10T12:00:00.000Z' }]);
  });

  it('flags zero consumption over N days and uses the rate class configuration', async () => {
    const { deps, exceptions } = setup();
    const withOverrides = { ...deps, accounts: { get: async () => ({ tariffId: 'RES-1', status: 'ACTIVE' }) as never }, veeOverrides: { 'electric/RES-1': { zeroConsumptionDays: 2 } } };
    await ingestReads(withOverrides, { meterId: 'M0001', readings: hourlyDay('2026-01-03', '0') });
    expect(exceptions.reasons()).toEqual([]);
    await ingestReads(withOverrides, { meterId: 'M0001', readings: hourlyDay('2026-01-04', '0') });
    expect(exceptions.reasons()).toEqual(['zero-consumption']);
    // not on an account that is no longer active
    const closed = { ...withOverrides, accounts: { get: async () => ({ tariffId: 'RES-1', status: 'INACTIVE' }) as never } };
    await ingestReads(closed, { meterId: 'M0001', readings: hourlyDay('2026-01-05', '0') });
    expect(exceptions.reasons()).toEqual(['zero-consumption']);
  });

  it('ingests several messages of a meter with one write per day', async () => {
    const { deps, reads } = setup();
    const parts = [{ readings: batch.readings.slice(0, 1), ref: 'a' }, { readings: batch.readings.slice(1), ref: 'b' }];
    const result = await ingestMeterReadings(deps, 'M0001', parts);
    expect(result).toMatchObject({ added: 3, days: ['2026-01-01', '2026-01-02'] });
    expect(reads.writes).toBe(2);
  });

  it('caches meter lookups for a minute', async () => {
    const inner = new MemoryMeters([meter]);
    let calls = 0;
    const counting = { get: async (id: string) => (calls++, inner.get(id)), getMany: (ids: readonly string[]) => inner.getMany(ids) };
    let now = Date.parse('2026-01-10T12:00:00Z');
    const meters = cachedMeters(counting, { now: () => new Date(now) });
    await meters.get('M0001');
    await meters.get('M0001');
    expect(calls).toBe(1);
    now += 61_000;
    await meters.get('M0001');
    expect(calls).toBe(2);
  });

  it('prefetches many meters in one batch lookup, remembering unknown ids too', async () => {
    const inner = new MemoryMeters([meter]);
    const calls: string[] = [];
    const counting = { get: async (id: string) => (calls.push(`get ${id}`), inner.get(id)), getMany: async (ids: readonly string[]) => (calls.push(`getMany ${ids.join(',')}`), inner.getMany(ids)) };
    const meters = cachedMeters(counting, { now: () => new Date('2026-01-10T12:00:00Z') });
    await meters.prefetch(['M0001', 'NOPE', 'M0001']);
    expect(await meters.get('M0001')).toEqual(meter);
    expect(await meters.get('NOPE')).toBeUndefined();
    await meters.prefetch(['M0001', 'NOPE']);
    expect(calls).toEqual(['getMany M0001,NOPE']);
  });
});

describe('ingestReads with hostile values', () => {
  it('stores values at the edge of the exact range without corrupting the day or the queue', async () => {
    const { deps, reads, exceptions } = setup();
    for (const date of ['2026-01-03', '2026-01-04', '2026-01-05']) await ingestReads(deps, { meterId: 'M0001', readings: hourlyDay(date, '1') });
    const huge = hourlyDay('2026-01-06', '9007199254.740991');
    const result = await ingestReads(deps, { meterId: 'M0001', readings: huge });
    expect(result.added).toBe(24);
    const day = (await reads.getDay('M0001', '2026-01-06'))!;
    expect(day.summary).toBeUndefined();
    expect(() => dayTotal(day)).toThrow(/exceeds/);
    for (const exception of exceptions.exceptions.values()) expect(Number.isSafeInteger(exception.quantityMicro)).toBe(true);
    expect(exceptions.reasons()).toContain('high-usage');
    // the next day still validates against this history
    await expect(ingestReads(deps, { meterId: 'M0001', readings: hourlyDay('2026-01-07', '1') })).resolves.toMatchObject({ added: 24 });
  });
});

describe('ingesting register reads', () => {
  it('stores daily register reads, derives the day between them, and holds a register that goes down', async () => {
    const { deps, reads, exceptions } = setup();
    const register = (day: string, value: string) => ({ at: `${day}T00:00:00-07:00`, value, unit: 'kWh' });
    await ingestMeterReadings(deps, 'M0001', [{ readings: [], registers: [register('2026-01-03', '1000'), register('2026-01-04', '1012.5')], ref: 'r1' }]);
    const day3 = (await reads.getDay('M0001', '2026-01-03'))!;
    expect(day3.registers).toEqual({ [String(Date.parse('2026-01-03T00:00:00-07:00') / 1000)]: 1_000_000_000 });
    expect(dayTotal(day3)).toBe(12_500_000);
    expect((await reads.getDay('M0001', '2026-01-04'))!.registers).toEqual({ [String(Date.parse('2026-01-04T00:00:00-07:00') / 1000)]: 1_012_500_000 });
    // redelivery changes nothing
    const again = await ingestMeterReadings(deps, 'M0001', [{ readings: [], registers: [register('2026-01-03', '1000'), register('2026-01-04', '1012.5')], ref: 'r1' }]);
    expect(again).toMatchObject({ added: 0, held: 0 });
    const down = await ingestMeterReadings(deps, 'M0001', [{ readings: [], registers: [register('2026-01-05', '1001')], ref: 'r2' }]);
    expect(down).toMatchObject({ held: 1 });
    expect(exceptions.reasons()).toEqual(['negative-consumption']);
    expect((await reads.getDay('M0001', '2026-01-05'))?.registers).toBeUndefined();
  });
});
