/** Requests of the collections routes and inputs of the collections state machine tasks. */
import { z } from 'zod';
import { AccountPath, bodyError, CalendarDate, Cursor, Id, Limit, Line } from './common';

const WholeNumber = (what: string, min: number, max: number) => z.number({ error: `${what} must be a whole number from ${min} to ${max}` }).int(`${what} must be a whole number from ${min} to ${max}`).min(min, `${what} must be a whole number from ${min} to ${max}`).max(max, `${what} must be a whole number from ${min} to ${max}`);
export const Region = (what: string) => z.string({ error: `${what} must be a string` }).regex(/^[A-Za-z0-9_-]{1,40}$/, `${what} must be 1 to 40 letters, digits, "_" or "-"`);

export const RecordMedicalCertificateRequest = z.object({
  path: AccountPath,
  body: z.strictObject(
    {
      /** The day the certificate was received (default today; never a future day). */
      receivedOn: CalendarDate('receivedOn').optional(),
      certifiedBy: Line('certifiedBy', 200),
      /** Fewer days than the pack's duration when the certificate says so. */
      days: WholeNumber('days', 1, 366).optional(),
      note: Line('note', 1000).optional(),
    },
    { error: bodyError },
  ),
});
export type RecordMedicalCertificateRequest = z.infer<typeof RecordMedicalCertificateRequest>;

export const AccountCollectionsRequest = z.object({ path: AccountPath, query: z.object({ limit: Limit(30, 366) }) });
export const AccountOnlyRequest = z.object({ path: AccountPath });

export const PutCollectionsProfileRequest = z.object({
  path: AccountPath,
  body: z
    .strictObject(
      {
        /** Household income as a percent of the federal poverty level; null removes it. */
        incomePercentOfFpl: WholeNumber('incomePercentOfFpl', 0, 1000).nullable().optional(),
        lifeSupport: z.boolean({ error: 'lifeSupport must be true or false' }).nullable().optional(),
        weatherRegion: Region('weatherRegion').nullable().optional(),
      },
      { error: bodyError },
    )
    .refine((body) => Object.keys(body).length > 0, 'the body must name incomePercentOfFpl, lifeSupport or weatherRegion'),
});
export type PutCollectionsProfileRequest = z.infer<typeof PutCollectionsProfileRequest>;

const Fahrenheit = (what: string) => WholeNumber(what, -80, 160);

export const PutWeatherRequest = z.object({
  path: z.object({ region: Region('region'), date: CalendarDate('date') }),
  body: z.strictObject(
    {
      forecastLowF: Fahrenheit('forecastLowF'),
      forecastHighF: Fahrenheit('forecastHighF'),
      heatIndexF: Fahrenheit('heatIndexF').optional(),
      heatAdvisory: z.boolean({ error: 'heatAdvisory must be true or false' }).default(false),
      /** Hours from the start of the day the forecast covers. */
      horizonHours: WholeNumber('horizonHours', 1, 240).default(72),
      source: Line('source', 100).optional(),
    },
    { error: bodyError },
  ),
});
export type PutWeatherRequest = z.infer<typeof PutWeatherRequest>;

export const GetWeatherRequest = z.object({ path: z.object({ region: Region('region'), date: CalendarDate('date') }) });

export const StartCollectionsRunRequest = z.object({
  body: z.strictObject({ runDate: CalendarDate('runDate').optional() }, { error: bodyError }).optional().default({}),
});
export type StartCollectionsRunRequest = z.infer<typeof StartCollectionsRunRequest>;

export const WorklistRequest = z.object({ query: z.object({ runDate: CalendarDate('runDate').optional(), limit: Limit(100, 500), cursor: Cursor }) });

// State machine tasks.
/** The execution input: {runDate, runAt} from a start by hand, or the schedule's EventBridge event ({time, ...}). */
export const PlanCollectionsInput = z.looseObject({ runDate: CalendarDate('runDate').optional(), runAt: z.iso.datetime({ offset: true }).optional(), time: z.iso.datetime({ offset: true }).optional() });
const Segment = z.object({ segmentIndex: z.number().int().min(0), first: Id('first'), last: Id('last') });
export const EvaluateSegmentInput = z.object({ runDate: CalendarDate('runDate'), runAt: z.iso.datetime({ offset: true }), segment: Segment });
const SegmentResult = z.object({ segmentIndex: z.number().int(), counts: z.record(z.string(), z.number().int()), orderIds: z.array(z.string()), failures: z.array(z.object({ accountId: z.string(), error: z.string() })) });
export const FinalizeCollectionsInput = z.object({ runDate: CalendarDate('runDate'), segmentResults: z.array(SegmentResult).optional(), error: z.unknown().optional() });
