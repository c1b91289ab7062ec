/** Building blocks of the zod contracts: ids, dates, paging. */
import { z } from 'zod';
import { isCalendarDate } from '../domain/calendar';

/** Ids end up inside DynamoDB keys ("ACCOUNT#{id}"): letters, digits, "_" and "-" only. */
export const Id = (what: string) =>
  z
    .string({ error: `${what} must be a string` })
    .min(1, `${what} must not be empty`)
    .max(64, `${what} must be at most 64 characters`)
    .regex(/^[A-Za-z0-9_-]+$/, `${what} may contain only letters, digits, "_" and "-"`);

export const RunId = z
  .string({ error: 'runId must be a string' })
  .regex(/^[A-Za-z0-9_-]{1,80}$/, 'runId must be 1 to 80 letters, digits, "_" or "-"');

export const CycleCode = z
  .string({ error: 'cycle must be a string' })
  .regex(/^[A-Za-z0-9_-]{1,32}$/, 'cycle must be 1 to 32 letters, digits, "_" or "-" (e.g. "C1")');

export const CalendarDate = (what: string) =>
  z
    .string({ error: `${what} must be a date string YYYY-MM-DD` })
    .refine(isCalendarDate, { error: (issue) => `${what} must be a calendar date YYYY-MM-DD, got ${JSON.stringify(issue.input)}` });

/** `limit` query parameter: a whole number in 1..max, `fallback` when absent. */
export const Limit = (fallback: number, max: number) =>
  z
    .string()
    .regex(/^\d{1,6}$/, `limit must be a whole number from 1 to ${max}`)
    .transform(Number)
    .pipe(z.number().min(1, `limit must be a whole number from 1 to ${max}`).max(max, `limit must be a whole number from 1 to ${max}`))
    .default(fallback);

/** An opaque paging cursor returned as `nextCursor` by the previous page. */
export const Cursor = z.string().min(1, 'cursor must not be empty').max(2048, 'cursor is too long').optional();

/** Error map for a JSON body object: says "required" when there is no body at all. */
export const bodyError = (issue: { code: string; input?: unknown }) => {
  if (issue.code !== 'invalid_type') return undefined;
  return issue.input === undefined ? 'a JSON body is required' : 'the body must be a JSON object';
};

/** One line of text without control characters. */
export const Line = (what: string, max: number, min = 1) =>
  z
    .string({ error: `${what} must be a string` })
    .trim()
    .min(min, min === 1 ? `${what} must not be empty` : `${what} must be at least ${min} characters`)
    .max(max, `${what} must be at most ${max} characters`)
    .regex(/^[^\u0000-\u001f\u007f]*$/, `${what} must not contain control characters`);

/** The path of an account's routes. */
export const AccountPath = z.object({ accountId: Id('accountId') });
