import { readFileSync } from 'node:fs';
import path from 'node:path';
import { detectFormat, importReads, readingsOfFile } from '../../../shared/app/import-reads';
import type { Meter } from '../../../shared/domain/accounts';
import { parseReadsCsv } from '../../../shared/domain/reads-csv';
import { clockAt, MemoryMeters, MemoryReads } from './fakes';
import { MemoryReadExceptions } from './reads-fakes';

const sample = readFileSync(path.resolve(__dirname, '../../fixtures/greenbutton/standard/sample-usage-feed.xml'), 'utf8');
const csv = readFileSync(path.join(__dirname, '../../fixtures/reads/bulk-reads.csv'), 'utf8');
const meters: Meter[] = [
  { meterId: 'M0001', accountId: 'A0001', unit: 'kWh', status: 'ACTIVE', multiplier: 1 },
  { meterId: 'M0002', accountId: 'A0002', unit: 'gal', status: 'ACTIVE', multiplier: 1 },
];

function setup() {
  const reads = new MemoryReads();
  const exceptions = new MemoryReadExceptions();
  return { reads, exceptions, deps: { meters: new MemoryMeters(meters), reads, exceptions, clock: clockAt('2026-01-10T12:00:00Z'), timeZone: 'America/Denver' } };
}

const storedTotal = (reads: MemoryReads, quality: string) => [...reads.days.values()].flatMap((d) => Object.values(d.intervals)).filter((i) => i[2] === quality).reduce((sum, i) => sum + i[0], 0);

describe('importing bulk interval files', () => {
  it('imports the Green Button sample into a meter and the stored totals match the file', async () => {
    const { deps, reads } = setup();
    const summary = await importReads(deps, { format: 'greenbutton', content: sample, meterId: 'M0001' }, 'import:sample');
    expect(summary).toMatchObject({ meters: 1, readings: 1340, totals: { Wh: '1391666' }, added: 1340, held: 0 });
    expect(storedTotal(reads, 'A')).toBe(1_391_666_000);
    const again = await importReads(deps, { format: 'greenbutton', content: sample, meterId: 'M0001' }, 'import:sample');
    expect(again).toMatchObject({ added: 0, unchanged: 1340 });
    expect(storedTotal(reads, 'A')).toBe(1_391_666_000);
    expect([...reads.days.values()][0]?.history).toEqual([]);
  });

  it('holds a Green Button feed for a usage point that is not a known meter', async () => {
    const { deps, exceptions } = setup();
    const summary = await importReads(deps, { format: 'greenbutton', content: sample }, 'import:sample');
    expect(summary).toMatchObject({ added: 0, held: 1 });
    expect([...exceptions.exceptions.values()].map((e) => [e.meterId, e.reason])).toEqual([['5446AF3F', 'unknown-meter']]);
  });

  it('imports a CSV file of several meters', async () => {
    const { deps, reads } = setup();
    const summary = await importReads(deps, { format: 'csv', content: csv }, 'import:bulk');
    expect(summary).toMatchObject({ meters: 2, readings: 4, totals: { kWh: '3.5', Wh: '250', gal: '12.25' }, added: 4 });
    expect(storedTotal(reads, 'A')).toBe(3_750_000 + 12_250_000);
    expect((await reads.getDay('M0001', '2026-01-05'))?.history).toEqual([]);
  });

  it('a dry run totals without writing', async () => {
    const { deps, reads } = setup();
    expect(await importReads(deps, { format: 'csv', content: csv }, 'x', true)).toMatchObject({ readings: 4, added: 0 });
    expect(reads.writes).toBe(0);
  });

  it.each([
    ['a header without unit', 'meterId,start,durationSec,value\nM1,2026-01-01T00:00:00Z,3600,1', /line 1: .*missing unit/],
    ['a bad meter id', 'meterId,start,durationSec,value,unit\nM#1,2026-01-01T00:00:00Z,3600,1,kWh', /line 2: meterId/],
    ['a bad duration', 'meterId,start,durationSec,value,unit\nM1,2026-01-01T00:00:00Z,1h,1,kWh', /line 2: durationSec/],
    ['an open quote', 'meterId,start,durationSec,value,unit\nM1,"2026-01-01T00:00:00Z,3600,1,kWh', /line 2: an unterminated quoted field/],
    ['no rows', 'meterId,start,durationSec,value,unit\n', /no readings/],
  ])('refuses a CSV file with %s, naming the line', (_case, content, message) => {
    expect(() => parseReadsCsv(content)).toThrow(message);
  });

  it('knows the format from the name or the content and refuses a meter for CSV', () => {
    expect(detectFormat('a.xml', '')).toBe('greenbutton');
    expect(detectFormat('a.txt', '  <feed/>')).toBe('greenbutton');
    expect(detectFormat('a.csv', 'meterId,...')).toBe('csv');
    expect(() => readingsOfFile({ format: 'csv', content: csv, meterId: 'M0001' })).toThrow(/do not give a meter/);
  });
});
