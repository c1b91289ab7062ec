import { VersionConflict } from '../../../shared/app/errors';
import { ReadWindowCache } from '../../../shared/adapters/read-window-cache';
import { mergeDay } from '../../../shared/domain/reads';
import { clockAt, MemoryReads } from '../app/fakes';

const meter = { meterId: 'M1', unit: 'kWh' as const };
const day = (date: string, quantity: number, existing?: ReturnType<typeof mergeDay>['day']) =>
  mergeDay(existing, meter, date, [{ startEpochSec: Date.parse(`${date}T07:00:00Z`) / 1000, durationSec: 3600, quantityMicro: quantity, quality: 'A' }], { at: 't', by: 'test' }).day;

describe('ReadWindowCache', () => {
  it('answers a later window of the same meter from what it read and wrote', async () => {
    const inner = new MemoryReads();
    await inner.saveDay(day('2026-01-01', 1), undefined);
    let queries = 0;
    const counting = Object.assign(Object.create(inner) as MemoryReads, { listDays: (m: string, f: string, t: string) => (queries++, inner.listDays(m, f, t)) });
    const cache = new ReadWindowCache(counting, clockAt('2026-01-10T00:00:00Z'));
    expect((await cache.listDays('M1', '2025-12-25', '2026-01-02')).map((d) => d.day)).toEqual(['2026-01-01']);
    await cache.saveDay(day('2026-01-02', 2), undefined);
    expect((await cache.listDays('M1', '2025-12-26', '2026-01-03')).map((d) => [d.day, d.version])).toEqual([
      ['2026-01-01', 1],
      ['2026-01-02', 1],
    ]);
    expect(queries).toBe(1);
    expect([cache.hits, cache.misses]).toEqual([1, 1]);
    // a window starting before what is known reads the table
    await cache.listDays('M1', '2025-12-01', '2026-01-03');
    expect(queries).toBe(2);
  });

  it('forgets a meter on a version conflict, so the retry reads the table', async () => {
    const inner = new MemoryReads();
    const cache = new ReadWindowCache(inner, clockAt('2026-01-10T00:00:00Z'));
    await cache.listDays('M1', '2025-12-25', '2026-01-02');
    await inner.saveDay(day('2026-01-02', 5), undefined); // another process wrote the day
    await expect(cache.saveDay(day('2026-01-02', 2), undefined)).rejects.toThrow(VersionConflict);
    expect((await cache.listDays('M1', '2025-12-25', '2026-01-02')).map((d) => d.day)).toEqual(['2026-01-02']);
    expect(cache.misses).toBe(2);
  });

  it('expires entries and keeps at most maxMeters', async () => {
    const inner = new MemoryReads();
    let now = Date.parse('2026-01-10T00:00:00Z');
    const cache = new ReadWindowCache(inner, { now: () => new Date(now) }, { maxMeters: 1, ttlMs: 1000 });
    await cache.listDays('M1', '2026-01-01', '2026-01-02');
    await cache.listDays('M2', '2026-01-01', '2026-01-02');
    await cache.listDays('M1', '2026-01-01', '2026-01-02');
    expect(cache.misses).toBe(3);
    await cache.listDays('M1', '2026-01-01', '2026-01-02');
    expect(cache.hits).toBe(1);
    now += 2000;
    await cache.listDays('M1', '2026-01-01', '2026-01-02');
    expect(cache.misses).toBe(4);
  });
});
