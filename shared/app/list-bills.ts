/** Portal: the bills of one of the signed-in customer's accounts, newest first. */
import type { Bill } from '../domain/billing';
import { Forbidden } from '../domain/errors';
import type { AccountStore, BillStore } from './ports';

export interface ListBillsDeps {
  accounts: AccountStore;
  bills: BillStore;
}

/**
 * Only the account's own customer may see its bills. An account that does not exist gets the
 * same 403 as someone else's, so account ids cannot be probed.
 */
export async function listBills(deps: ListBillsDeps, customerId: string, accountId: string, page: { limit: number; cursor?: string | undefined }): Promise<{ items: Bill[]; nextCursor: string | null }> {
  const account = await deps.accounts.get(accountId);
  if (account?.customerId !== customerId) throw new Forbidden(`account ${accountId} is not one of your accounts`);
  const bills = await deps.bills.listForAccount(accountId, page.limit, page.cursor);
  return { items: bills.items, nextCursor: bills.nextCursor ?? null };
}
