import { ingestReads } from '../../../shared/app/ingest-reads';
import { enterManualReads, listReadExceptions, resolveReadException } from '../../../shared/app/read-exceptions';
import type { Meter } from '../../../shared/domain/accounts';
import type { StaffPrincipal } from '../../../shared/domain/identity';
import { dayTotal } from '../../../shared/domain/reads';
import { clockAt, MemoryBills, MemoryMeters, MemoryReads } from './fakes';
import { MemoryReadExceptions } from './reads-fakes';

const meter: Meter = { meterId: 'M0001', accountId: 'A0001', unit: 'kWh', status: 'ACTIVE', multiplier: 1 };
const dana: StaffPrincipal = { kind: 'staff', subject: 's', username: 'dana', roles: ['csr'] };
const hour = (h: number, value: string, date = '2026-01-05') => ({ start: `${date}T${String(h).padStart(2, '0')}:00:00-07:00`, durationSec: 3600, value, unit: 'kWh' });

function setup() {
  const reads = new MemoryReads();
  const exceptions = new MemoryReadExceptions();
  exceptions.reads = reads;
  const bills = new MemoryBills();
  const meters = new MemoryMeters([meter]);
  let ids = 0;
  const deps = { meters, reads, exceptions, bills, clock: clockAt('2026-01-10T12:00:00Z'), timeZone: 'America/Denver', newId: () => `E${++ids}` };
  return { deps, reads, exceptions, bills, meters };
}

async function heldConflict(deps: ReturnType<typeof setup>['deps']) {
  await ingestReads(deps, { meterId: 'M0001', readings: [hour(1, '1'), hour(2, '2'), hour(3, '3')] });
  await ingestReads(deps, { meterId: 'M0001', readings: [hour(2, '9')] }, { ref: 'm-2' });
  const [exception] = (await listReadExceptions(deps, { status: 'OPEN', limit: 10 })).items;
  return exception!;
}

describe('the read exceptions queue', () => {
  it('lists open exceptions with readable values', async () => {
    const { deps } = setup();
    const exception = await heldConflict(deps);
    expect(exception).toMatchObject({ meterId: 'M0001', reason: 'duplicate-conflict', action: 'hold', status: 'OPEN', start: '2026-01-05T09:00:00Z', quantity: '9', ref: 'm-2' });
  });

  it('accepting a held reading stores it as approved by staff, keeps the old value, audits it and marks bills for rebilling', async () => {
    const { deps, reads, exceptions, bills } = setup();
    bills.bills.set('A0001/2026-01-01/B1', { billId: 'B1', accountId: 'A0001', periodStart: '2026-01-01', periodEnd: '2026-01-31' } as never);
    bills.bills.set('A0001/2025-12-01/B0', { billId: 'B0', accountId: 'A0001', periodStart: '2025-12-01', periodEnd: '2025-12-31' } as never);
    const exception = await heldConflict(deps);
    const result = await resolveReadException(deps, dana, { meterId: 'M0001', exceptionId: exception.exceptionId, action: 'accept', note: 'meter was re-read' });
    expect(result).toMatchObject({ exception: { status: 'ACCEPTED', resolvedBy: 'dana', note: 'meter was re-read' }, rebill: ['B1'], changedDay: '2026-01-05' });
    const day = (await reads.getDay('M0001', '2026-01-05'))!;
    expect(dayTotal(day)).toBe(13_000_000);
    expect(day.intervals[String(Date.parse('2026-01-05T02:00:00-07:00') / 1000)]).toEqual([9_000_000, 3600, 'M']);
    expect(day.history.at(-1)).toMatchObject({ previous: [2_000_000, 3600, 'A'], by: 'staff:dana', ref: exception.exceptionId });
    const [resolution] = exceptions.resolutions;
    expect(resolution?.audit).toMatchObject({ entityType: 'METER', entityId: 'M0001', actor: 'dana', action: 'read-exception.accepted', details: { rebill: 'B1' } });
    expect(resolution?.rebills.map((mark) => mark.billId)).toEqual(['B1']);
    await expect(resolveReadException(deps, dana, { meterId: 'M0001', exceptionId: exception.exceptionId, action: 'reject' })).rejects.toMatchObject({ name: 'ConflictError' });
  });

  it('editing re-validates the value and refuses one that fails VEE', async () => {
    const { deps, reads } = setup();
    const exception = await heldConflict(deps);
    await expect(resolveReadException(deps, dana, { meterId: 'M0001', exceptionId: exception.exceptionId, action: 'edit', value: '-1' })).rejects.toMatchObject({ name: 'InvalidInput' });
    await expect(resolveReadException(deps, dana, { meterId: 'M0001', exceptionId: exception.exceptionId, action: 'edit' })).rejects.toThrow(/value is required/);
    const result = await resolveReadException(deps, dana, { meterId: 'M0001', exceptionId: exception.exceptionId, action: 'edit', value: '2.5' });
    expect(result.exception.status).toBe('EDITED');
    expect(dayTotal((await reads.getDay('M0001', '2026-01-05'))!)).toBe(6_500_000);
  });

  it('estimating uses the neighbours, and rejecting a held reading changes nothing', async () => {
    const { deps, reads } = setup();
    const exception = await heldConflict(deps);
    const estimated = await resolveReadException(deps, dana, { meterId: 'M0001', exceptionId: exception.exceptionId, action: 'estimate' });
    expect(estimated.exception.status).toBe('ESTIMATED');
    const day = (await reads.getDay('M0001', '2026-01-05'))!;
    const key = String(Date.parse('2026-01-05T02:00:00-07:00') / 1000);
    expect(day.intervals[key]).toEqual([2_000_000, 3600, 'E']);
    expect(day.methods?.[key]).toBe('linear');

    const other = setup();
    const held = await heldConflict(other.deps);
    const before = await other.reads.getDay('M0001', '2026-01-05');
    expect(await resolveReadException(other.deps, dana, { meterId: 'M0001', exceptionId: held.exceptionId, action: 'reject' })).toMatchObject({ exception: { status: 'REJECTED' }, rebill: [] });
    expect(await other.reads.getDay('M0001', '2026-01-05')).toEqual(before);
  });

  it('rejecting a flagged (stored) reading removes it and keeps it in the history', async () => {
    const { deps, reads } = setup();
    for (const date of ['2026-01-01', '2026-01-02', '2026-01-03']) await ingestReads(deps, { meterId: 'M0001', readings: Array.from({ length: 24 }, (_, h) => hour(h, '1', date)) });
    await ingestReads(deps, { meterId: 'M0001', readings: [hour(5, '50', '2026-01-04')] });
    const spike = (await listReadExceptions(deps, { status: 'OPEN', limit: 10 })).items.find((e) => e.reason === 'spike')!;
    await resolveReadException(deps, dana, { meterId: 'M0001', exceptionId: spike.exceptionId, action: 'reject' });
    const day = (await reads.getDay('M0001', '2026-01-04'))!;
    // the five hours before it were estimated from like days when it arrived; the spike itself is gone
    expect(Object.values(day.intervals)).toEqual(Array(5).fill([1_000_000, 3600, 'E']));
    expect(day.history.at(-1)).toMatchObject({ previous: [50_000_000, 3600, 'A'], by: 'staff:dana' });
  });

  it('accepting readings of an unknown meter ingests them once the meter exists', async () => {
    const { deps, reads, meters } = setup();
    await ingestReads(deps, { meterId: 'M0002', readings: [hour(1, '1')] });
    const [held] = (await listReadExceptions(deps, { status: 'OPEN', limit: 10 })).items;
    await expect(resolveReadException(deps, dana, { meterId: 'M0002', exceptionId: held!.exceptionId, action: 'accept' })).rejects.toMatchObject({ name: 'MeterNotFound' });
    meters.meters.push({ ...meter, meterId: 'M0002' });
    await resolveReadException(deps, dana, { meterId: 'M0002', exceptionId: held!.exceptionId, action: 'accept' });
    expect(dayTotal((await reads.getDay('M0002', '2026-01-05'))!)).toBe(1_000_000);
  });

  it('refuses to edit a day-level exception and answers 404 for an unknown one', async () => {
    const { deps } = setup();
    await expect(resolveReadException(deps, dana, { meterId: 'M0001', exceptionId: 'X1', action: 'accept' })).rejects.toMatchObject({ name: 'ReadExceptionNotFound' });
    await ingestReads(deps, { meterId: 'M0001', readings: [hour(1, '1'), hour(9, '1')] });
    const gap = (await listReadExceptions(deps, { status: 'OPEN', limit: 10 })).items.find((e) => e.reason === 'gap')!;
    await expect(resolveReadException(deps, dana, { meterId: 'M0001', exceptionId: gap.exceptionId, action: 'estimate' })).rejects.toMatchObject({ name: 'ResolutionRefused', reason: 'gap' });
  });

  it('manual reads go through VEE and are stored as entered by staff', async () => {
    const { deps, reads } = setup();
    const result = await enterManualReads(deps, dana, 'M0001', [hour(1, '4')]);
    expect(result).toMatchObject({ added: 1 });
    const day = (await reads.getDay('M0001', '2026-01-05'))!;
    expect(Object.values(day.intervals)).toEqual([[4_000_000, 3600, 'M']]);
    expect(await enterManualReads(deps, dana, 'M0001', [hour(2, '-4')])).toMatchObject({ held: 1, added: 0 });
  });
});
