/** US public holidays (federal, observed days included) from the date-holidays package, as a day predicate. */
import Holidays from 'date-holidays';

const cache = new Map<string, Set<string>>();

/** Whether a day (YYYY-MM-DD) is a US public holiday, or one of the state's when `state` is given. */
export function usHolidays(state?: string): (day: string) => boolean {
  const calendar = state ? new Holidays('US', state) : new Holidays('US');
  return (day) => {
    const year = day.slice(0, 4);
    const key = `${state ?? ''}:${year}`;
    let days = cache.get(key);
    if (!days) {
      days = new Set(calendar.getHolidays(Number(year)).filter((h) => h.type === 'public' || h.type === 'bank').map((h) => h.date.slice(0, 10)));
      cache.set(key, days);
    }
    return days.has(day);
  };
}
