/** Portal: the signed-in customer's accounts. */
import type { Account } from '../domain/accounts';
import type { AccountStore } from './ports';

export interface ListMyAccountsDeps {
  accounts: AccountStore;
}

export type MyAccount = Pick<Account, 'accountId' | 'name' | 'serviceAddress' | 'cycle' | 'status' | 'meterIds'>;

export async function listMyAccounts(deps: ListMyAccountsDeps, customerId: string): Promise<{ items: MyAccount[] }> {
  const ids = await deps.accounts.listIdsOfCustomer(customerId);
  const accounts = await deps.accounts.getMany(ids);
  const items = accounts
    .filter((account) => account.customerId === customerId)
    .sort((a, b) => a.accountId.localeCompare(b.accountId))
    .map(({ accountId, name, serviceAddress, cycle, status, meterIds }) => ({ accountId, name, serviceAddress, cycle, status, meterIds }));
  return { items };
}
