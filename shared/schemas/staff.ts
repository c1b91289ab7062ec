/** Requests of the staff API (query, path and body of API Gateway HTTP API events). */
import { z } from 'zod';
import { daysInclusive, isCalendarDate } from '../domain/calendar';
import { MAX_PERIOD_DAYS } from '../domain/billing';
import { BILL_EXCEPTION_REASONS } from '../domain/bill-exceptions';
import { bodyError, CalendarDate, Cursor, CycleCode, Id, Limit, RunId } from './common';
import { Reading as ReadingSchema } from './reads';

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

export const ListBillingRunsRequest = z.object({
  query: z.object({ limit: Limit(25, 100), cursor: Cursor }),
});
export type ListBillingRunsRequest = z.infer<typeof ListBillingRunsRequest>;

export const ListBillExceptionsRequest = z.object({
  query: z.object({
    reason: z.enum(BILL_EXCEPTION_REASONS, { error: `reason must be one of ${BILL_EXCEPTION_REASONS.join(', ')}` }).optional(),
    limit: Limit(50, 200),
    cursor: Cursor,
  }),
});
export type ListBillExceptionsRequest = z.infer<typeof ListBillExceptionsRequest>;

export const ResolveBillExceptionRequest = z.object({
  path: z.object({ billId: z.string({ error: 'billId must be a string' }).regex(/^B[0-9A-F]{24}$/, 'billId must be "B" and 24 hex digits') }),
  body: z.strictObject(
    {
      action: z.enum(['release', 'cancel'], { error: 'action must be release or cancel' }),
      note: z.string({ error: 'note must be a string' }).max(500, 'note must be at most 500 characters').optional(),
    },
    { error: bodyError },
  ),
});
export type ResolveBillExceptionRequest = z.infer<typeof ResolveBillExceptionRequest>;

/** POST /staff/accounts/{accountId}/bills/{billId}/rebill {"reason"} */
export const RebillRequest = z.object({
  path: z.object({ accountId: Id('accountId'), billId: z.string({ error: 'billId must be a string' }).regex(/^B[0-9A-F]{24}$/, 'billId must be "B" and 24 hex digits') }),
  body: z.strictObject(
    {
      reason: z.string({ error: 'reason is required (why the bill is corrected, e.g. "meter read corrected")' }).trim().min(3, 'reason must be at least 3 characters').max(200, 'reason must be at most 200 characters'),
    },
    { error: bodyError },
  ),
});
export type RebillRequest = z.infer<typeof RebillRequest>;

export const ListReadExceptionsRequest = z.object({
  query: z.object({
    status: z.enum(['OPEN', 'ACCEPTED', 'EDITED', 'ESTIMATED', 'REJECTED'], { error: 'status must be OPEN, ACCEPTED, EDITED, ESTIMATED or REJECTED' }).default('OPEN'),
    limit: Limit(50, 200),
    cursor: Cursor,
  }),
});
export type ListReadExceptionsRequest = z.infer<typeof ListReadExceptionsRequest>;

export const ResolveReadExceptionRequest = z.object({
  path: z.object({ meterId: Id('meterId'), exceptionId: Id('exceptionId') }),
  body: z.strictObject(
    {
      action: z.enum(['accept', 'edit', 'estimate', 'reject'], { error: 'action must be accept, edit, estimate or reject' }),
      value: z.string({ error: 'value must be a decimal string like "1.25"' }).max(40, 'value is too long').optional(),
      note: z.string({ error: 'note must be a string' }).max(500, 'note must be at most 500 characters').optional(),
    },
    { error: bodyError },
  ),
});
export type ResolveReadExceptionRequest = z.infer<typeof ResolveReadExceptionRequest>;

export const EnterManualReadsRequest = z.object({
  path: z.object({ meterId: Id('meterId') }),
  body: z.strictObject(
    {
      readings: z.array(ReadingSchema, { error: 'readings must be an array' }).min(1, 'readings must not be empty').max(1000, 'at most 1000 readings at a time'),
    },
    { error: bodyError },
  ),
});
export type EnterManualReadsRequest = z.infer<typeof EnterManualReadsRequest>;

/** Staff upload of a bulk interval file: the file's text in the JSON body (API Gateway caps bodies at 10 MB). */
export const UploadReadsRequest = z.object({
  body: z.strictObject(
    {
      format: z.enum(['csv', 'greenbutton'], { error: 'format must be csv or greenbutton' }),
      content: z.string({ error: 'content must be the file as text' }).min(1, 'content must not be empty').max(8_000_000, 'content must be at most 8,000,000 characters'),
      meterId: Id('meterId').optional(),
    },
    { error: bodyError },
  ),
});
export type UploadReadsRequest = z.infer<typeof UploadReadsRequest>;

/** PUT /staff/tariffs/{tariffId}: the body is a tariff document (checked by tariffFromRequest, errors name body.<field>). */
export const PutTariffRequest = z.object({
  path: z.object({ tariffId: Id('tariffId') }),
  query: z.object({
    /** IANA zone of an OpenEI URDB body (URDB has none). */
    timeZone: z.string().min(1).optional(),
    /** The URDB item to use when the body holds several. */
    label: z.string().min(1).optional(),
  }),
  body: z.unknown(),
});
export type PutTariffRequest = z.infer<typeof PutTariffRequest>;

/** POST /staff/tariffs/{tariffId}/corrections {"reason", "tariff": cis-tariff/1 document} */
export const CorrectTariffRequest = z.object({
  path: z.object({ tariffId: Id('tariffId') }),
  body: z.strictObject(
    {
      reason: z.string({ error: 'reason is required (why the tariff is corrected)' }).trim().min(3, 'reason must be at least 3 characters').max(200, 'reason must be at most 200 characters'),
      tariff: z.unknown(),
    },
    { error: bodyError },
  ),
});
export type CorrectTariffRequest = z.infer<typeof CorrectTariffRequest>;

/** PUT /staff/billing-cycles/{cycle}: the cycle's schedule; `expectedVersion` is the version read (absent for a new cycle). */
export const PutBillingCycleRequest = z.object({
  path: z.object({ cycle: CycleCode }),
  body: z
    .object({
      periodEndDay: z.union([z.literal('last'), z.number({ error: 'periodEndDay must be a day from 1 to 28, or "last"' }).int('periodEndDay must be a day from 1 to 28, or "last"').min(1, 'periodEndDay must be a day from 1 to 28, or "last"').max(28, 'periodEndDay must be a day from 1 to 28, or "last"')], {
        error: 'periodEndDay must be a day from 1 to 28, or "last"',
      }),
      readWindowDays: z.number({ error: 'readWindowDays must be a whole number of days from 0 to 20' }).int('readWindowDays must be a whole number of days from 0 to 20').min(0, 'readWindowDays must be a whole number of days from 0 to 20').max(20, 'readWindowDays must be a whole number of days from 0 to 20'),
      businessDaysOnly: z.boolean({ error: 'businessDaysOnly must be true or false' }).default(true),
      enabled: z.boolean({ error: 'enabled must be true or false' }).default(true),
      expectedVersion: z.number({ error: 'expectedVersion must be the version you read' }).int().positive('expectedVersion must be the version you read').optional(),
    })
    .strict(),
});
export type PutBillingCycleRequest = z.infer<typeof PutBillingCycleRequest>;

export const ListBillingCyclesRequest = z.object({});
export type ListBillingCyclesRequest = z.infer<typeof ListBillingCyclesRequest>;
