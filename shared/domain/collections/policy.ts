/**
 * Collections policy packs: the disconnection rules of one utility (state, services) as data.
 * A pack holds the notice sequence (a written notice N days before disconnection, then further
 * steps such as a contact attempt 48 to 72 hours before), the reconnection fee and a list of
 * protection rules, each with the statute or code section it comes from. The zod schema is the
 * contract: `parsePolicyPack` turns any JSON into a checked pack or throws InvalidPolicyPack
 * naming the field.
 */
import { z } from 'zod';
import { isCalendarDate } from '../calendar';
import { RuleViolation } from '../errors';
import { SERVICE_TYPES } from '../customers/model';

export class InvalidPolicyPack extends RuleViolation {
  override name = 'InvalidPolicyPack';
  constructor(message: string) {
    super('invalid-policy-pack', message);
  }
}

const Day = z.string().refine(isCalendarDate, { error: 'must be a calendar date YYYY-MM-DD' });
const MonthDay = z.string().regex(/^(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])$/, 'must be a month and day MM-DD');
const Amount = z.string().regex(/^(0|[1-9]\d{0,5})\.\d{2}$/, 'must be a decimal amount with two decimals, e.g. "50.00"');
const Days = z.number().int().min(0).max(366);
const Hours = z.number().int().min(0).max(24 * 30);
const Fahrenheit = z.number().int().min(-80).max(160);
const Service = z.enum(SERVICE_TYPES);
export const WEEKDAYS = ['MON', 'TUE', 'WED', 'THU', 'FRI', 'SAT', 'SUN'] as const;
export type Weekday = (typeof WEEKDAYS)[number];
/** Holiday types of the `date-holidays` package that count as holidays for quiet days. */
export const HOLIDAY_TYPES = ['public', 'bank', 'school', 'optional', 'observance'] as const;

const base = {
  /** Unique within the pack, e.g. "pa-medical-certificate". */
  id: z.string().regex(/^[a-z0-9][a-z0-9.-]{1,63}$/, 'must be 2-64 lower-case letters, digits, dots or dashes'),
  /** The statute or code section, e.g. "52 Pa. Code § 56.114". */
  citation: z.string().min(3),
  /** What the rule protects, in words. */
  description: z.string().min(3),
};

/** The past due must reach an amount and be at least this many days past its due date. */
export const MinimumPastDueRule = z.strictObject({ ...base, type: z.literal('minimum-past-due'), params: z.strictObject({ amount: Amount, daysPastDue: Days }) });
/** A medical certificate on file and not yet expired blocks disconnection. */
export const MedicalCertificateRule = z.strictObject({ ...base, type: z.literal('medical-certificate'), params: z.strictObject({ durationDays: z.number().int().min(1).max(366), renewalsAllowed: z.number().int().min(0).max(100) }) });
/** No disconnection between two month-days (inclusive, may span the new year), optionally only for households at or below an income threshold. */
export const WinterMoratoriumRule = z.strictObject({
  ...base,
  type: z.literal('winter-moratorium'),
  params: z.strictObject({
    from: MonthDay,
    to: MonthDay,
    /** Income at or below this percent of the federal poverty level is protected; absent = every household. */
    incomeAtOrBelowFplPercent: z.number().int().min(1).max(1000).optional(),
    /** A household whose income is not on file: protected ("block", fail safe) or not. */
    unknownIncome: z.enum(['block', 'pass']).default('block'),
    /** The services protected; absent = every service of the pack. */
    services: z.array(Service).min(1).optional(),
  }),
});
/** Weather: a forecast at or below a temperature, a heat index at or above one, a heat advisory; a missing forecast blocks. */
export const WeatherRule = z.strictObject({
  ...base,
  type: z.literal('weather'),
  params: z
    .strictObject({
      /** The forecast low within `withinHours` at or below this blocks. */
      coldAtOrBelowF: Fahrenheit.optional(),
      /** The forecast heat index (or high) within `withinHours` at or above this blocks. */
      heatAtOrAboveF: Fahrenheit.optional(),
      /** A heat advisory in effect blocks. */
      heatAdvisory: z.boolean().default(false),
      /** A heat advisory on any of this many preceding days also blocks (their forecasts must be on file). */
      advisoryLookbackDays: z.number().int().min(0).max(7).default(0),
      /** The forecast must cover at least this many hours from the day of disconnection. */
      withinHours: Hours.min(1),
    })
    .refine((p) => p.coldAtOrBelowF !== undefined || p.heatAtOrAboveF !== undefined || p.heatAdvisory, { error: 'needs coldAtOrBelowF, heatAtOrAboveF or heatAdvisory' }),
});
/** An open dispute or appeal of the account's charges blocks. */
export const DisputeRule = z.strictObject({ ...base, type: z.literal('pending-dispute'), params: z.strictObject({}).default({}) });
/** An active payment arrangement that is not broken blocks. */
export const ArrangementRule = z.strictObject({ ...base, type: z.literal('active-arrangement'), params: z.strictObject({}).default({}) });
/** No disconnection on these weekdays, on holidays, or the day before a holiday. */
export const QuietDaysRule = z.strictObject({
  ...base,
  type: z.literal('quiet-days'),
  params: z.strictObject({
    weekdays: z.array(z.enum(WEEKDAYS)),
    holidayTypes: z.array(z.enum(HOLIDAY_TYPES)).min(1),
    dayBeforeHoliday: z.boolean(),
  }),
});
/** The notice sequence of the pack was followed (written notice, then each further step in its window). */
export const NoticeSequenceRule = z.strictObject({ ...base, type: z.literal('notice-sequence'), params: z.strictObject({}).default({}) });
/** A household member on life support or with a critical-care condition (on file) blocks. */
export const LifeSupportRule = z.strictObject({ ...base, type: z.literal('life-support'), params: z.strictObject({}).default({}) });

export const ProtectionRule = z.discriminatedUnion('type', [MinimumPastDueRule, MedicalCertificateRule, WinterMoratoriumRule, WeatherRule, DisputeRule, ArrangementRule, QuietDaysRule, NoticeSequenceRule, LifeSupportRule]);
export type ProtectionRule = z.infer<typeof ProtectionRule>;
export type RuleType = ProtectionRule['type'];

export const NOTICE_KINDS = ['WRITTEN', 'FINAL', 'CONTACT'] as const;
export type NoticeKind = (typeof NOTICE_KINDS)[number];

/** A step after the written notice, made between `maxDaysBefore` and `minDaysBefore` days before the disconnection day. */
const NoticeStep = z
  .strictObject({
    kind: z.enum(['FINAL', 'CONTACT']),
    /** e.g. 48 hours: the step is at least this long before disconnection (counted in whole days of the utility time zone). */
    minHoursBefore: Hours,
    /** e.g. 72 hours: an older step is stale and is made again. */
    maxHoursBefore: Hours,
    citation: z.string().min(3),
  })
  .refine((s) => s.minHoursBefore % 24 === 0 && s.maxHoursBefore % 24 === 0 && s.minHoursBefore <= s.maxHoursBefore, { error: 'minHoursBefore and maxHoursBefore must be whole days (multiples of 24) with min <= max' });

export const PolicyPack = z
  .strictObject({
    format: z.literal('cis-collections-pack/1'),
    id: z.string().regex(/^[a-z0-9][a-z0-9.-]{1,63}$/, 'must be 2-64 lower-case letters, digits, dots or dashes'),
    name: z.string().min(3),
    /** Two-letter state code (holidays come from `date-holidays` for US and this state). */
    state: z.string().regex(/^[A-Z]{2}$/, 'must be a two-letter state code'),
    services: z.array(Service).min(1),
    version: z.string().min(1),
    effectiveDate: Day,
    notices: z.strictObject({
      written: z.strictObject({
        /** The written notice is sent at least this many days before disconnection. */
        daysBefore: z.number().int().min(1).max(120),
        /** Count business days (Monday-Friday, not holidays) instead of calendar days. */
        businessDays: z.boolean().default(false),
        /** Disconnection must happen within this many days after the scheduled day, else a new written notice. */
        validForDays: z.number().int().min(1).max(365),
        citation: z.string().min(3),
      }),
      steps: z.array(NoticeStep).max(3).default([]),
    }),
    reconnection: z.strictObject({ fee: Amount, citation: z.string().min(3) }),
    rules: z.array(ProtectionRule).min(1),
    /** What could not be verified, and choices made to be safe. */
    notes: z.array(z.string()).default([]),
  })
  .superRefine((pack, ctx) => {
    const ids = new Set<string>();
    for (const [index, rule] of pack.rules.entries()) {
      if (ids.has(rule.id)) ctx.addIssue({ code: 'custom', path: ['rules', index, 'id'], message: `duplicate rule id ${rule.id}` });
      ids.add(rule.id);
    }
    for (const required of ['minimum-past-due', 'notice-sequence'] as const) {
      if (!pack.rules.some((rule) => rule.type === required)) ctx.addIssue({ code: 'custom', path: ['rules'], message: `a pack needs a ${required} rule` });
    }
  });
export type PolicyPack = z.infer<typeof PolicyPack>;

/** Checks a pack (JSON already parsed); InvalidPolicyPack names the first bad field. */
export function parsePolicyPack(json: unknown): PolicyPack {
  const parsed = PolicyPack.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new InvalidPolicyPack(`policy pack: ${issue.path.join('.') || '(root)'}: ${issue.message}`);
  }
  return parsed.data;
}
