import { addMonths, defaultRange, isLatest, lastYearQuery, percentChange, quantity, queryOf, shift, slotsOf, total, yearEarlier } from '../../../../shared/web/portal/usage-range';

const point = (period: string, quantity: string, estimated = false) => ({ period, quantity, estimated });

describe('usage ranges', () => {
  it.each([
    ['2026-11-25', { from: '2026-11-01', to: '2026-11-24' }],
    ['2026-11-01', { from: '2026-11-01', to: '2026-11-01' }],
  ])('this month (today %s) runs to its last complete day', (today, expected) => {
    expect(queryOf(defaultRange('month', today), today)).toEqual({ ...expected, interval: 'day' });
  });

  it.each([
    [{ view: 'month' as const, anchor: '2026-02' }, { from: '2026-02-01', to: '2026-02-28', interval: 'day' }],
    [{ view: 'month' as const, anchor: '2024-02' }, { from: '2024-02-01', to: '2024-02-29', interval: 'day' }],
    [{ view: 'day' as const, anchor: '2026-03-08' }, { from: '2026-03-08', to: '2026-03-08', interval: 'hour' }],
  ])('a past range %j is whole', (range, expected) => {
    expect(queryOf(range, '2026-11-25')).toEqual(expected);
  });

  it.each([
    ['2026-11-24', '2025-11-24'],
    ['2024-02-29', '2023-02-28'],
    ['2025-03-01', '2024-03-01'],
    ['2026-01-01', '2025-01-01'],
  ])('a year before %s is %s', (date, expected) => {
    expect(yearEarlier(date)).toBe(expected);
  });

  it('compares with the same days a year earlier', () => {
    expect(lastYearQuery({ from: '2024-02-01', to: '2024-02-29', interval: 'day' })).toEqual({ from: '2023-02-01', to: '2023-02-28', interval: 'day' });
  });

  it('steps months and days and knows the latest', () => {
    expect(addMonths('2026-01', -1)).toBe('2025-12');
    expect(addMonths('2026-12', 1)).toBe('2027-01');
    expect(shift({ view: 'month', anchor: '2026-01' }, -1)).toEqual({ view: 'month', anchor: '2025-12' });
    expect(shift({ view: 'day', anchor: '2026-03-01' }, -1)).toEqual({ view: 'day', anchor: '2026-02-28' });
    expect(isLatest({ view: 'month', anchor: '2026-11' }, '2026-11-25')).toBe(true);
    expect(isLatest({ view: 'month', anchor: '2026-10' }, '2026-11-25')).toBe(false);
    expect(isLatest({ view: 'day', anchor: '2026-11-25' }, '2026-11-25')).toBe(true);
    expect(isLatest({ view: 'day', anchor: '2026-11-24' }, '2026-11-25')).toBe(false);
  });
});

describe('usage figures', () => {
  it('totals decimal strings exactly', () => {
    expect(total([point('a', '0.1'), point('b', '0.2'), point('c', '1234.000001')])).toBe('1234.300001');
    expect(total([])).toBe('0');
  });

  it.each([
    ['110', '100', '10.0'],
    ['90', '100', '-10.0'],
    ['1', '3', '-66.7'],
    ['100', '100', '0.0'],
    ['5', '0', undefined],
    ['5', undefined, undefined],
  ])('%s against %s last year is %s%%', (current, lastYear, expected) => {
    expect(percentChange(current, lastYear)).toBe(expected);
  });

  it('groups thousands without rounding', () => {
    expect(quantity('1234567.891234')).toBe('1,234,567.891234');
    expect(quantity('999')).toBe('999');
  });

  it('puts every day of a month beside the same day last year, with alerts', () => {
    const slots = slotsOf({ from: '2026-02-01', to: '2026-02-03', interval: 'day' }, [point('2026-02-01', '10'), point('2026-02-03', '12', true)], [point('2025-02-02', '9')], new Set(['2026-02-03']), 'America/Denver');
    expect(slots.map((slot) => [slot.key, slot.label, slot.current?.quantity, slot.lastYear?.quantity, slot.alert])).toEqual([
      ['2026-02-01', 'Feb 1', '10', undefined, false],
      ['2026-02-02', 'Feb 2', undefined, '9', false],
      ['2026-02-03', 'Feb 3', '12', undefined, true],
    ]);
  });

  it('matches hours by local hour in the utility time zone, a repeated hour apart', () => {
    // 2026-11-01 in Denver: daylight saving time ends, 1 AM comes twice (07:00Z and 08:00Z).
    const current = [point('2026-11-01T06:00:00Z', '1'), point('2026-11-01T07:00:00Z', '2'), point('2026-11-01T08:00:00Z', '3')];
    const lastYear = [point('2025-11-01T06:00:00Z', '4'), point('2025-11-01T07:00:00Z', '5')];
    const slots = slotsOf({ from: '2026-11-01', to: '2026-11-01', interval: 'hour' }, current, lastYear, new Set(), 'America/Denver');
    expect(slots).toHaveLength(25);
    expect(slots.slice(0, 3).map((slot) => [slot.key, slot.label, slot.current?.quantity, slot.lastYear?.quantity])).toEqual([
      ['00', '12 AM', '1', '4'],
      ['01', '1 AM', '2', '5'],
      ['01b', '1 AM (2nd)', '3', undefined],
    ]);
    expect(slots[3]).toMatchObject({ key: '02', label: '2 AM', current: undefined });
  });
});
