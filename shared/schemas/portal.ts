/** Requests of the customer portal API. */
import { z } from 'zod';
import { Cursor, Id, Limit } from './common';

export const ListMyAccountsRequest = z.object({});
export type ListMyAccountsRequest = z.infer<typeof ListMyAccountsRequest>;

export const ListBillsRequest = z.object({
  path: z.object({ accountId: Id('accountId') }),
  query: z.object({ limit: Limit(24, 100), cursor: Cursor }),
});
export type ListBillsRequest = z.infer<typeof ListBillsRequest>;
