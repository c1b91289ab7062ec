/** Requests of the staff API (query, path and body of API Gateway HTTP API events). */
import { z } from 'zod';
import { daysInclusive, isCalendarDate } from '../domain/calendar';
import { MAX_PERIOD_DAYS } from '../domain/billing';
import { bodyError, CalendarDate, Cursor, CycleCode, Id, Limit, RunId } from './common';

export const ListAccountsRequest = z.object({
  query: z.object({ limit: Limit(25, 100), cursor: Cursor }),
});
export type ListAccountsRequest = z.infer<typeof ListAccountsRequest>;

export const GetAccountRequest = z.object({
  path: z.object({ accountId: Id('accountId') }),
});
export type GetAccountRequest = z.infer<typeof GetAccountRequest>;

export const BillingPeriodBody = z
  .strictObject(
    {
      cycle: CycleCode,
      periodStart: CalendarDate('periodStart'),
      periodEnd: CalendarDate('periodEnd'),
    },
    { error: bodyError },
  )
  .superRefine(({ periodStart, periodEnd }, ctx) => {
    if (!isCalendarDate(periodStart) || !isCalendarDate(periodEnd)) return;
    if (periodEnd < periodStart) {
      ctx.addIssue({ code: 'custom', path: ['periodEnd'], message: `periodEnd ${periodEnd} must not be before periodStart ${periodStart}` });
    } else if (daysInclusive(periodStart, periodEnd) > MAX_PERIOD_DAYS) {
      ctx.addIssue({ code: 'custom', path: ['periodEnd'], message: `the period ${periodStart}..${periodEnd} is longer than ${MAX_PERIOD_DAYS} days` });
    }
  });

export const StartBillingRunRequest = z.object({ body: BillingPeriodBody });
export type StartBillingRunRequest = z.infer<typeof StartBillingRunRequest>;

export const GetBillingRunRequest = z.object({
  path: z.object({ runId: RunId }),
});
export type GetBillingRunRequest = z.infer<typeof GetBillingRunRequest>;
