/** Staff: one page of all accounts. */
import type { Account } from '../domain/accounts';
import type { AccountStore } from './ports';

export interface ListAccountsDeps {
  accounts: AccountStore;
}

export type AccountSummary = Pick<Account, 'accountId' | 'customerId' | 'name' | 'cycle' | 'status' | 'meterIds'>;

export interface AccountPage {
  items: AccountSummary[];
  nextCursor: string | null;
}

export function summarize(account: Account): AccountSummary {
  const { accountId, customerId, name, cycle, status, meterIds } = account;
  return { accountId, customerId, name, cycle, status, meterIds };
}

export async function listAccounts(deps: ListAccountsDeps, query: { limit: number; cursor?: string | undefined }): Promise<AccountPage> {
  const page = await deps.accounts.list(query.limit, query.cursor);
  return { items: page.items.map(summarize), nextCursor: page.nextCursor ?? null };
}
