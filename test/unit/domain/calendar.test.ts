import { addDays, daysInclusive, eachDay, isCalendarDate, isoFromEpochSec, isTimeZone, localDate, parseInstant } from '../../../shared/domain/calendar';

describe('calendar', () => {
  it.each([
    ['2026-01-01T00:00:00-07:00', Date.UTC(2026, 0, 1, 7), -25200],
    ['2026-01-01T07:00:00Z', Date.UTC(2026, 0, 1, 7), 0],
    ['2026-01-01T12:30:00+05:30', Date.UTC(2026, 0, 1, 7), 19800],
    ['2024-02-29T00:00:00.000+00:00', Date.UTC(2024, 1, 29), 0],
  ])('parses %s', (text, epochMs, offsetSec) => {
    expect(parseInstant(text)).toEqual({ epochMs, offsetSec });
  });

  it.each(['2026-01-01', '2026-01-01T00:00:00', '2026-01-01 00:00:00Z', '2025-02-29T00:00:00Z', '2026-13-01T00:00:00Z', '2026-01-01T00:60:00Z', '2026-01-01T00:00:00+0700', 'yesterday'])(
    'refuses %j',
    (text) => {
      expect(parseInstant(text)).toBeUndefined();
    },
  );

  it('does date arithmetic on calendar dates', () => {
    expect(isCalendarDate('2024-02-29')).toBe(true);
    expect(isCalendarDate('2025-02-29')).toBe(false);
    expect(isCalendarDate('2026-1-01')).toBe(false);
    expect(addDays('2026-03-01', -1)).toBe('2026-02-28');
    expect(addDays('2025-12-31', 1)).toBe('2026-01-01');
    expect(daysInclusive('2026-01-01', '2026-01-31')).toBe(31);
    expect(daysInclusive('2026-01-02', '2026-01-01')).toBe(0);
    expect(eachDay('2026-03-07', '2026-03-09')).toEqual(['2026-03-07', '2026-03-08', '2026-03-09']);
  });

  it.each([
    // Denver is UTC-7 in winter, UTC-6 in summer.
    [Date.UTC(2026, 0, 2, 6, 59) / 1000, 'America/Denver', '2026-01-01'],
    [Date.UTC(2026, 0, 2, 7, 0) / 1000, 'America/Denver', '2026-01-02'],
    [Date.UTC(2026, 6, 2, 5, 59) / 1000, 'America/Denver', '2026-07-01'],
    [Date.UTC(2026, 6, 2, 6, 0) / 1000, 'America/Denver', '2026-07-02'],
    [Date.UTC(2026, 0, 1, 18, 30) / 1000, 'Asia/Kolkata', '2026-01-02'],
    [Date.UTC(2026, 0, 1, 0, 0) / 1000, 'UTC', '2026-01-01'],
  ])('local date of %d in %s is %s', (epochSec, zone, day) => {
    expect(localDate(epochSec, zone)).toBe(day);
  });

  it('knows IANA zones', () => {
    expect(isTimeZone('America/Denver')).toBe(true);
    expect(isTimeZone('Mars/Olympus_Mons')).toBe(false);
    expect(isoFromEpochSec(Date.UTC(2026, 0, 1, 7) / 1000)).toBe('2026-01-01T07:00:00Z');
  });
});
