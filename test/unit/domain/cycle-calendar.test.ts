import { assertValidSchedule, periodDue, periodOfMonth, upcomingPeriods, type CycleSchedule } from '../../../shared/domain/cycle-calendar';

const noHolidays = () => false;
const options = { dueDays: 21, isHoliday: noHolidays };
const cycle = (overrides: Partial<CycleSchedule> = {}): CycleSchedule => ({ cycle: 'C1', periodEndDay: 15, readWindowDays: 3, businessDaysOnly: false, enabled: true, ...overrides });

describe('periodOfMonth', () => {
  it('runs from the day after last month\'s end to this month\'s end day, bills a read window later, falls due the due days after that', () => {
    expect(periodOfMonth(cycle(), 2026, 3, options)).toEqual({ cycle: 'C1', periodStart: '2026-02-16', periodEnd: '2026-03-15', billDate: '2026-03-18', dueDate: '2026-04-08' });
  });

  it('handles the month\'s last day, February of leap and common years, and the turn of the year', () => {
    const last = cycle({ periodEndDay: 'last', readWindowDays: 2 });
    expect(periodOfMonth(last, 2028, 2, options)).toMatchObject({ periodStart: '2028-02-01', periodEnd: '2028-02-29', billDate: '2028-03-02' });
    expect(periodOfMonth(last, 2027, 2, options)).toMatchObject({ periodStart: '2027-02-01', periodEnd: '2027-02-28' });
    expect(periodOfMonth(cycle({ periodEndDay: 5 }), 2027, 1, options)).toMatchObject({ periodStart: '2026-12-06', periodEnd: '2027-01-05' });
    expect(periodOfMonth(last, 2026, 12, options)).toMatchObject({ periodStart: '2026-12-01', periodEnd: '2026-12-31', billDate: '2027-01-02' });
  });

  it('moves a bill date off weekends and holidays when the utility bills on business days', () => {
    // 2026-03-15 + 6 = Saturday 2026-03-21 -> Monday 23; with Monday a holiday -> Tuesday 24.
    expect(periodOfMonth(cycle({ readWindowDays: 6 }), 2026, 3, options).billDate).toBe('2026-03-21');
    expect(periodOfMonth(cycle({ readWindowDays: 6, businessDaysOnly: true }), 2026, 3, options).billDate).toBe('2026-03-23');
    expect(periodOfMonth(cycle({ readWindowDays: 6, businessDaysOnly: true }), 2026, 3, { dueDays: 21, isHoliday: (day) => day === '2026-03-23' })).toMatchObject({ billDate: '2026-03-24', dueDate: '2026-04-14' });
  });
});

describe('upcomingPeriods', () => {
  it('lists the periods whose bill date is today or later, in order', () => {
    const periods = upcomingPeriods(cycle(), '2026-03-18', 3, options);
    expect(periods.map((p) => [p.periodEnd, p.billDate])).toEqual([
      ['2026-03-15', '2026-03-18'],
      ['2026-04-15', '2026-04-18'],
      ['2026-05-15', '2026-05-18'],
    ]);
    expect(upcomingPeriods(cycle(), '2026-03-19', 1, options)[0]!.periodEnd).toBe('2026-04-15');
  });
});

describe('periodDue', () => {
  const catchUp = { ...options, catchUpDays: 3 };

  it('is the period whose bill date has come, from the bill date to the end of the catch-up days', () => {
    expect(periodDue(cycle(), '2026-03-17', catchUp)).toBeUndefined();
    expect(periodDue(cycle(), '2026-03-18', catchUp)).toMatchObject({ periodEnd: '2026-03-15' });
    expect(periodDue(cycle(), '2026-03-21', catchUp)).toMatchObject({ periodEnd: '2026-03-15' });
    expect(periodDue(cycle(), '2026-03-22', catchUp)).toBeUndefined();
  });

  it('finds last month\'s period while this month\'s has not ended, and nothing for a disabled cycle', () => {
    const late = cycle({ periodEndDay: 28, readWindowDays: 5 });
    expect(periodDue(late, '2026-04-02', catchUp)).toMatchObject({ periodStart: '2026-03-01', periodEnd: '2026-03-28', billDate: '2026-04-02' });
    expect(periodDue(cycle({ enabled: false }), '2026-03-18', catchUp)).toBeUndefined();
  });
});

describe('assertValidSchedule', () => {
  it.each([
    [{ periodEndDay: 29 }, 'periodEndDay must be a day from 1 to 28, or "last"'],
    [{ periodEndDay: 0 }, 'periodEndDay must be a day from 1 to 28, or "last"'],
    [{ readWindowDays: 21 }, 'readWindowDays must be a whole number of days from 0 to 20'],
    [{ readWindowDays: 1.5 }, 'readWindowDays must be a whole number of days from 0 to 20'],
  ])('refuses %j', (overrides, message) => {
    expect(() => assertValidSchedule(cycle(overrides as Partial<CycleSchedule>))).toThrow(message);
  });
});
