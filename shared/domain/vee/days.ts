/**
 * Local days for VEE, fast: the local date of an instant is memoized per 15-minute slot (every
 * UTC offset and DST change falls on one), and a day's [start, end) is found by bisection.
 */
import { localDate } from '../calendar';

const SLOT = 900;
const MAX_OFFSET_SEC = 14 * 3600;

export interface DayClock {
  dayOf(epochSec: number): string;
  dayBounds(day: string): [number, number];
}

export function dayClock(timeZone: string): DayClock {
  const days = new Map<number, string>();
  const bounds = new Map<string, [number, number]>();
  const dayOf = (epochSec: number): string => {
    const slot = Math.floor(epochSec / SLOT);
    let day = days.get(slot);
    if (day === undefined) {
      day = localDate(slot * SLOT, timeZone);
      if (days.size > 100_000) days.clear();
      days.set(slot, day);
    }
    return day;
  };
  /** The first slot whose local day is >= `day`. */
  const firstSlotOf = (day: string): number => {
    const utcMidnight = Date.UTC(Number(day.slice(0, 4)), Number(day.slice(5, 7)) - 1, Number(day.slice(8, 10))) / 1000;
    let low = Math.floor((utcMidnight - MAX_OFFSET_SEC - SLOT) / SLOT);
    let high = Math.ceil((utcMidnight + MAX_OFFSET_SEC + SLOT) / SLOT);
    while (low < high) {
      const mid = Math.floor((low + high) / 2);
      if (dayOf(mid * SLOT) < day) low = mid + 1;
      else high = mid;
    }
    return low * SLOT;
  };
  const dayBounds = (day: string): [number, number] => {
    let found = bounds.get(day);
    if (!found) {
      const start = firstSlotOf(day);
      let end = start + 86_400 - 3 * 3600;
      while (dayOf(end) === day) end += SLOT;
      found = [start, end];
      if (bounds.size > 10_000) bounds.clear();
      bounds.set(day, found);
    }
    return found;
  };
  return { dayOf, dayBounds };
}
