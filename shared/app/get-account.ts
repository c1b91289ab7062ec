/** Staff: one account with its meters and their recent interval reads. */
import type { Account, Meter } from '../domain/accounts';
import { addDays, isoFromEpochSec, localDate } from '../domain/calendar';
import type { DayReads, Quality } from '../domain/reads';
import { formatMicro, type Unit } from '../domain/units';
import { AccountNotFound } from './errors';
import type { AccountStore, Clock, MeterStore, ReadStore } from './ports';

/** Today and the two local days before it. */
export const RECENT_DAYS = 3;

export interface GetAccountDeps {
  accounts: AccountStore;
  meters: MeterStore;
  reads: ReadStore;
  clock: Clock;
  timeZone: string;
}

export interface ReadView {
  start: string;
  durationSec: number;
  value: string;
  unit: Unit;
  quality: Quality;
}

export interface AccountView {
  account: Account;
  meters: Array<Meter & { recentReads: ReadView[] }>;
}

/** Flattens packed days into readings in time order; values are decimal strings of the meter's unit. */
export function flattenDays(days: readonly DayReads[]): ReadView[] {
  const reads: Array<ReadView & { epoch: number }> = [];
  for (const day of days) {
    for (const [start, [quantityMicro, durationSec, quality]] of Object.entries(day.intervals)) {
      const epoch = Number(start);
      reads.push({ epoch, start: isoFromEpochSec(epoch), durationSec, value: formatMicro(quantityMicro), unit: day.unit, quality });
    }
  }
  return reads.sort((a, b) => a.epoch - b.epoch).map(({ epoch: _epoch, ...read }) => read);
}

export async function getAccount(deps: GetAccountDeps, accountId: string): Promise<AccountView> {
  const account = await deps.accounts.get(accountId);
  if (!account) throw new AccountNotFound(`account ${accountId} does not exist`);
  const today = localDate(Math.floor(deps.clock.now().getTime() / 1000), deps.timeZone);
  const fromDay = addDays(today, -(RECENT_DAYS - 1));
  const meters = await deps.meters.getMany(account.meterIds);
  const withReads = await Promise.all(meters.map(async (meter) => ({ ...meter, recentReads: flattenDays(await deps.reads.listDays(meter.meterId, fromDay, today)) })));
  return { account, meters: withReads };
}
