/**
 * Portal: the bills of one of the signed-in customer's accounts, newest first. Only ISSUED bills:
 * a bill held for review or cancelled was never sent (a page may hold fewer items than the limit).
 */
import type { Bill } from '../domain/billing';
import { requireOwnAccount } from '../domain/identity';
import type { AccountStore, BillStore } from './ports';

export interface ListBillsDeps {
  accounts: AccountStore;
  bills: BillStore;
}

/** Only the account's own customer may see its bills (requireOwnAccount). */
export async function listBills(deps: ListBillsDeps, customerId: string, accountId: string, page: { limit: number; cursor?: string | undefined }): Promise<{ items: Bill[]; nextCursor: string | null }> {
  requireOwnAccount(await deps.accounts.get(accountId), customerId, accountId);
  const bills = await deps.bills.listForAccount(accountId, page.limit, page.cursor);
  return { items: bills.items.filter((bill) => bill.status === 'ISSUED'), nextCursor: bills.nextCursor ?? null };
}
