import { canonicalJson, planTariffUpdate, TariffHistoryConflict } from '../../../../shared/domain/rating/history';
import { parseTariffDocument, type TariffDocument } from '../../../../shared/domain/rating/schema';

const version = (effectiveFrom: string, amount: string, effectiveTo?: string) => ({ effectiveFrom, ...(effectiveTo ? { effectiveTo } : {}), charges: [{ kind: 'fixed', description: 'Customer charge', amount }] });
const doc = (versions: unknown[], over: Record<string, unknown> = {}): TariffDocument => parseTariffDocument({ format: 'cis-tariff/1', tariffId: 'T1', name: 'Tariff one', unit: 'kWh', timeZone: 'America/Denver', versions, ...over });

describe('tariff history', () => {
  const stored = doc([version('2025-01-01', '10.00', '2025-12-31'), version('2026-01-01', '12.00')]);

  it('stores a new tariff with all its versions', () => {
    expect(planTariffUpdate(undefined, stored)).toMatchObject({ added: stored.versions, headerChanged: true });
  });

  it('changes nothing when the same document is loaded again, whatever its key order', () => {
    const reverse = (value: unknown): unknown =>
      Array.isArray(value) ? value.map(reverse) : value && typeof value === 'object' ? Object.fromEntries(Object.entries(value).reverse().map(([k, v]) => [k, reverse(v)])) : value;
    const reordered = reverse(JSON.parse(JSON.stringify(stored)));
    expect(Object.keys(reordered as object)[0]).toBe('versions');
    const update = planTariffUpdate(stored, parseTariffDocument(reordered));
    expect(update).toMatchObject({ added: [], headerChanged: false });
    expect(update.closed).toBeUndefined();
  });

  it('appends a version after the last one, closing the open-ended version the day before', () => {
    const next = doc([version('2025-01-01', '10.00', '2025-12-31'), version('2026-01-01', '12.00', '2026-06-30'), version('2026-07-01', '13.50')]);
    const update = planTariffUpdate(stored, next);
    expect(update.added.map((v) => v.effectiveFrom)).toEqual(['2026-07-01']);
    expect(update.closed).toMatchObject({ effectiveFrom: '2026-01-01', effectiveTo: '2026-06-30' });
    expect(update.doc.versions).toHaveLength(3);
  });

  it('lets the name, utility and source change', () => {
    expect(planTariffUpdate(stored, { ...stored, name: 'Renamed' })).toMatchObject({ added: [], headerChanged: true });
  });

  it.each([
    ['a changed price', doc([version('2025-01-01', '10.01', '2025-12-31'), version('2026-01-01', '12.00')]), 'differs from the stored one'],
    ['a dropped version', doc([version('2026-01-01', '12.00')]), 'is missing from the document'],
    ['a version inserted before the last stored one', doc([version('2024-01-01', '9.00', '2024-12-31'), version('2025-01-01', '10.00', '2025-12-31'), version('2026-01-01', '12.00')]), 'would go before'],
    ['a closing date without a following version', doc([version('2025-01-01', '10.00', '2025-12-31'), version('2026-01-01', '12.00', '2026-06-30')]), 'may only be closed by a following version'],
    ['a gap before the new version', doc([version('2025-01-01', '10.00', '2025-12-31'), version('2026-01-01', '12.00', '2026-05-31'), version('2026-07-01', '13.50')]), 'must end the day before the next one'],
    ['another unit', { ...stored, unit: 'gal' as const }, 'cannot change the unit'],
    ['another time zone', { ...stored, timeZone: 'America/Chicago' }, 'cannot change the time zone'],
  ])('refuses %s (history is never edited)', (_name, incoming, message) => {
    expect(() => planTariffUpdate(stored, incoming)).toThrow(TariffHistoryConflict);
    expect(() => planTariffUpdate(stored, incoming)).toThrow(message);
  });

  it('writes canonical JSON: sorted keys, no undefined', () => {
    expect(canonicalJson({ b: 1, a: [{ d: 'x', c: undefined }] })).toBe('{"a":[{"d":"x"}],"b":1}');
  });
});
