/** Requests of the customer portal API. */
import { z } from 'zod';
import { CalendarDate, Cursor, Id, Limit } from './common';

export const ListMyAccountsRequest = z.object({});
export type ListMyAccountsRequest = z.infer<typeof ListMyAccountsRequest>;

export const ListBillsRequest = z.object({
  path: z.object({ accountId: Id('accountId') }),
  query: z.object({ limit: Limit(24, 100), cursor: Cursor }),
});
export type ListBillsRequest = z.infer<typeof ListBillsRequest>;

export const GetUsageRequest = z.object({
  path: z.object({ accountId: Id('accountId') }),
  query: z.object({
    from: CalendarDate('from'),
    to: CalendarDate('to'),
    interval: z.enum(['hour', 'day', 'month'], { error: 'interval must be hour, day or month' }).default('day'),
  }),
});
export type GetUsageRequest = z.infer<typeof GetUsageRequest>;

export const GetGreenButtonRequest = z.object({
  path: z.object({ accountId: Id('accountId') }),
  query: z.object({ from: CalendarDate('from'), to: CalendarDate('to') }),
});
export type GetGreenButtonRequest = z.infer<typeof GetGreenButtonRequest>;
