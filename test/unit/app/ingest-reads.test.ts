import { ingestReads } from '../../../shared/app/ingest-reads';
import { MeterNotFound, TransientStoreError } from '../../../shared/app/errors';
import { dayTotal, ReadingRejected } from '../../../shared/domain/reads';
import type { Meter } from '../../../shared/domain/accounts';
import { clockAt, MemoryMeters, MemoryReads } from './fakes';

const meter: Meter = { meterId: 'M0001', accountId: 'A0001', unit: 'kWh', status: 'ACTIVE', multiplier: 1 };

function setup() {
  const reads = new MemoryReads();
  const deps = { meters: new MemoryMeters([meter]), reads, clock: clockAt('2026-01-10T12:00:00Z'), timeZone: 'America/Denver' };
  return { deps, reads };
}

const batch = {
  meterId: 'M0001',
  readings: [
    { start: '2026-01-01T22:00:00-07:00', durationSec: 3600, value: '1.5', unit: 'kWh' },
    { start: '2026-01-01T23:00:00-07:00', durationSec: 3600, value: '2', unit: 'kWh' },
    { start: '2026-01-02T00:00:00-07:00', durationSec: 3600, value: '500', unit: 'Wh' },
  ],
};

describe('ingestReads', () => {
  it('writes one packed item per local day', async () => {
    const { deps, reads } = setup();
    const result = await ingestReads(deps, batch, { ref: 'm-1' });
    expect(result).toEqual({ meterId: 'M0001', days: ['2026-01-01', '2026-01-02'], added: 3, replaced: 0, unchanged: 0 });
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

  it('replaces a corrected value and keeps the old one in the history', async () => {
    const { deps, reads } = setup();
    await ingestReads(deps, batch, { ref: 'm-1' });
    await ingestReads(deps, { meterId: 'M0001', readings: [{ start: '2026-01-01T23:00:00-07:00', durationSec: 3600, value: '2.25', unit: 'kWh' }] }, { ref: 'm-2' });
    const day = (await reads.getDay('M0001', '2026-01-01'))!;
    expect(dayTotal(day)).toBe(3_750_000);
    expect(day.version).toBe(2);
    expect(day.history).toEqual([{ start: Date.UTC(2026, 0, 2, 6) / 1000, previous: [2_000_000, 3600, 'A'], at: '2026-01-10T12:00:00.000Z', by: 'mqtt', ref: 'm-2' }]);
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

  it('refuses unknown meters and invalid batches with reason codes, writing nothing', async () => {
    const { deps, reads } = setup();
    await expect(ingestReads(deps, { ...batch, meterId: 'M9999' })).rejects.toMatchObject({ name: 'MeterNotFound', reason: 'unknown-meter' });
    await expect(ingestReads(deps, { ...batch, meterId: 'M9999' })).rejects.toThrow(MeterNotFound);
    const bad = { meterId: 'M0001', readings: [...batch.readings, { start: '2026-01-02T01:00:00-07:00', durationSec: 3600, value: '-1', unit: 'kWh' }] };
    await expect(ingestReads(deps, bad)).rejects.toThrow(ReadingRejected);
    expect(reads.writes).toBe(0);
  });
});
