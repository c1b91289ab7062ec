/** Reads of the ledger: the balance with aging (portal and staff), payment history, the staff ledger. */
import { localDate } from '../../domain/calendar';
import { requireOwnAccount } from '../../domain/identity';
import { accountBalance, type AccountBalance, type LedgerEntry } from '../../domain/ledger';
import type { Payment } from '../../domain/payments';
import { AccountNotFound } from '../errors';
import type { AccountStore, Clock } from '../ports';
import type { LedgerStore } from './ports';

export interface LedgerReadDeps {
  accounts: AccountStore;
  ledger: LedgerStore;
  clock: Clock;
  timeZone: string;
}

/** The account's receivable today (in the utility's time zone): balance, per service, aging. */
export async function balanceOf(deps: { ledger: Pick<LedgerStore, 'listEntries'>; clock: Clock; timeZone: string }, accountId: string): Promise<AccountBalance> {
  const today = localDate(Math.floor(deps.clock.now().getTime() / 1000), deps.timeZone);
  return accountBalance(await deps.ledger.listEntries(accountId), today);
}

export async function getMyBalance(deps: LedgerReadDeps, customerId: string, accountId: string): Promise<AccountBalance & { accountId: string }> {
  requireOwnAccount(await deps.accounts.get(accountId), customerId, accountId);
  return { accountId, ...(await balanceOf(deps, accountId)) };
}

export async function listMyPayments(deps: LedgerReadDeps, customerId: string, accountId: string, page: { limit: number; cursor?: string | undefined }): Promise<{ items: Payment[]; nextCursor: string | null }> {
  requireOwnAccount(await deps.accounts.get(accountId), customerId, accountId);
  const payments = await deps.ledger.listPayments(accountId, page.limit, page.cursor);
  return { items: payments.items, nextCursor: payments.nextCursor ?? null };
}

/** Staff: the entries newest first, one page at a time, with the balance of the whole ledger. */
export async function getLedger(deps: LedgerReadDeps, accountId: string, page: { limit: number; cursor?: string | undefined }): Promise<{ accountId: string; balance: AccountBalance; items: LedgerEntry[]; nextCursor: string | null }> {
  if (!(await deps.accounts.get(accountId))) throw new AccountNotFound(`account ${accountId} does not exist`);
  const [balance, entries] = await Promise.all([balanceOf(deps, accountId), deps.ledger.pageEntries(accountId, page.limit, page.cursor)]);
  return { accountId, balance, items: entries.items, nextCursor: entries.nextCursor ?? null };
}
