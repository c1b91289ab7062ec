/**
 * One account's collections decision on one day: every rule of the policy pack is evaluated
 * (pass, block or not-applicable, with the facts it used), then the decision follows. A
 * disconnection is decided only when every rule passes; the notice sequence advances one step a
 * day; an account already ordered disconnected is reconnected (or its open order cancelled) once
 * its past due is paid or an arrangement is active, and an open order is cancelled as soon as a
 * protection blocks again. Pure: the day, the instant and every fact come in as arguments.
 */
import { addDays, isCalendarDate } from '../calendar';
import { InvalidInput } from '../errors';
import { formatMoney, Money } from '../money';
import type { ArrangementState, ArrangementStatus } from '../arrangements';
import { addBusinessDays, daysBetween, holidayOn, weekdayOf } from './days';
import type { NoticeKind, PolicyPack, ProtectionRule } from './policy';

export interface WeatherInput {
  region: string;
  /** The day the forecast is for (utility time zone). */
  day: string;
  /** The lowest forecast temperature in the next `horizonHours` (whole degrees F). */
  forecastLowF: number;
  /** The highest forecast temperature in the next `horizonHours`. */
  forecastHighF: number;
  /** The highest forecast heat index, when known. */
  heatIndexF?: number;
  /** A heat advisory (or excessive heat warning) in effect for the region that day. */
  heatAdvisory: boolean;
  /** How many hours from the start of `day` the forecast covers. */
  horizonHours: number;
  source: string;
}

export interface NoticeRecord {
  noticeId: string;
  kind: NoticeKind;
  /** The day it was sent (utility time zone). */
  sentOn: string;
  sentAt: string;
  /** The disconnection day it announced (written notices). */
  scheduledDisconnectOn: string;
  /** The past due it announced. */
  amount: string;
}

export interface MedicalCertificateFact {
  certificateId: string;
  receivedOn: string;
  /** The last day it protects (inclusive). */
  validThrough: string;
}

export interface CollectionFacts {
  accountId: string;
  /** The service types of the account's active agreements. */
  services: string[];
  /** What is past due on the day (decimal string, 0 or more). */
  pastDue: string;
  /** The due date of the oldest open charge that is past due. */
  oldestPastDueDate?: string | undefined;
  openDisputes: Array<{ disputeId: string; amount: string }>;
  arrangement?: { arrangementId: string; status: ArrangementStatus; state: ArrangementState } | undefined;
  certificates: MedicalCertificateFact[];
  household?: { incomePercentOfFpl?: number | undefined; lifeSupport?: boolean | undefined } | undefined;
  weatherRegion: string;
  /** The region's forecasts on file for the day and the days before it (missing ones are absent). */
  weather: WeatherInput[];
  /** The account's collection notices, any order. */
  notices: NoticeRecord[];
  /** A disconnection ordered by collections and not yet reconnected: `performed` when an order was completed, `pending` while one is still open. */
  disconnection?: { orderId: string; performed: boolean; pending?: boolean | undefined; scheduledFor: string } | undefined;
}

export type RuleOutcome = 'pass' | 'block' | 'not-applicable';

export interface RuleResult {
  ruleId: string;
  type: ProtectionRule['type'] | 'pack-services';
  citation: string;
  outcome: RuleOutcome;
  reason: string;
  facts: Record<string, string | number | boolean | null>;
}

export const DECISIONS = ['none', 'blocked', 'written-notice', 'final-notice', 'contact-attempt', 'disconnect', 'cancel-disconnect', 'reconnect', 'disconnected'] as const;
export type Decision = (typeof DECISIONS)[number];

export interface CollectionEvaluation {
  accountId: string;
  packId: string;
  packVersion: string;
  asOf: string;
  evaluatedAt: string;
  decision: Decision;
  /** Why, in words. */
  summary: string;
  pastDue: string;
  /** The ids of the rules that blocked. */
  blockedBy: string[];
  results: RuleResult[];
  /** The notice to send today (written, final, contact), with the disconnection day it announces. */
  notice?: { kind: NoticeKind; scheduledDisconnectOn: string; amount: string } | undefined;
  /** The services a disconnection or reconnection applies to (the account's services the pack covers). */
  services: string[];
}

const FPL = (percent: number | undefined) => (percent === undefined ? null : percent);

function monthDayIn(day: string, from: string, to: string): boolean {
  const md = day.slice(5);
  return from <= to ? md >= from && md <= to : md >= from || md <= to;
}

/** The day a written notice sent on `day` allows disconnection from. */
export function scheduledDisconnectDay(pack: PolicyPack, day: string): string {
  const written = pack.notices.written;
  return written.businessDays ? addBusinessDays(day, written.daysBefore, pack.state) : addDays(day, written.daysBefore);
}

/**
 * The written notice in force on `day`: the latest one whose window (scheduled day + validForDays)
 * is not over, sent after the oldest charge now past due fell due (a notice about a debt since
 * paid does not cover a new one).
 */
function writtenInForce(pack: PolicyPack, notices: readonly NoticeRecord[], day: string, oldestPastDueDate: string | undefined): NoticeRecord | undefined {
  const written = notices.filter((n) => n.kind === 'WRITTEN' && n.sentOn <= day && (oldestPastDueDate === undefined || n.sentOn > oldestPastDueDate)).sort((a, b) => b.sentOn.localeCompare(a.sentOn) || b.sentAt.localeCompare(a.sentAt));
  const latest = written[0];
  return latest && day <= addDays(latest.scheduledDisconnectOn, pack.notices.written.validForDays) ? latest : undefined;
}

interface NoticeState {
  result: Omit<RuleResult, 'ruleId' | 'type' | 'citation'>;
  next?: { kind: NoticeKind; scheduledDisconnectOn: string };
}

/** Where the notice sequence stands on `day`, and the notice to send today if one is due. */
function noticeState(pack: PolicyPack, facts: CollectionFacts, day: string): NoticeState {
  const sentToday = facts.notices.find((n) => n.sentOn === day);
  const written = writtenInForce(pack, facts.notices, day, facts.oldestPastDueDate);
  if (!written) {
    const scheduled = scheduledDisconnectDay(pack, day);
    return {
      result: { outcome: 'block', reason: `no written notice in force; a written notice is due (${pack.notices.written.daysBefore} ${pack.notices.written.businessDays ? 'business' : 'calendar'} days before disconnection, ${pack.notices.written.citation})`, facts: { writtenNoticeId: null, earliestDisconnectOn: scheduled } },
      ...(sentToday ? {} : { next: { kind: 'WRITTEN', scheduledDisconnectOn: scheduled } }),
    };
  }
  const target = day > written.scheduledDisconnectOn ? day : written.scheduledDisconnectOn;
  const base = { writtenNoticeId: written.noticeId, writtenSentOn: written.sentOn, scheduledDisconnectOn: written.scheduledDisconnectOn };
  let waiting: NoticeState['result'] | undefined;
  for (const step of pack.notices.steps) {
    const minDays = step.minHoursBefore / 24;
    const maxDays = step.maxHoursBefore / 24;
    const sent = facts.notices.filter((n) => n.kind === step.kind && n.sentOn >= written.sentOn && n.sentOn <= day).sort((a, b) => b.sentOn.localeCompare(a.sentOn) || b.sentAt.localeCompare(a.sentAt))[0];
    const fresh = sent !== undefined && daysBetween(sent.sentOn, target) <= maxDays;
    if (!fresh) {
      const label = step.kind === 'CONTACT' ? 'contact attempt' : 'final notice';
      const facts2 = { ...base, [`${step.kind.toLowerCase()}SentOn`]: sent?.sentOn ?? null, windowHours: `${step.minHoursBefore}-${step.maxHoursBefore}` };
      if (daysBetween(day, target) <= maxDays && !sentToday) {
        return { result: { outcome: 'block', reason: `a ${label} ${step.minHoursBefore}-${step.maxHoursBefore} hours before disconnection is due today (${step.citation})`, facts: facts2 }, next: { kind: step.kind, scheduledDisconnectOn: addDays(day, Math.max(minDays, daysBetween(day, target))) } };
      }
      return { result: { outcome: 'block', reason: `the ${label} (${step.minHoursBefore}-${step.maxHoursBefore} hours before disconnection, ${step.citation}) is not made yet`, facts: facts2 } };
    }
    const elapsed = daysBetween(sent.sentOn, day);
    if (elapsed < minDays) {
      // Too recent to disconnect today; a later step may still be due.
      waiting ??= { outcome: 'block', reason: `the ${step.kind === 'CONTACT' ? 'contact attempt' : 'final notice'} of ${sent.sentOn} is ${elapsed * 24} hours old; disconnection needs at least ${step.minHoursBefore} (${step.citation})`, facts: { ...base, sentOn: sent.sentOn, hoursBefore: elapsed * 24 } };
      continue;
    }
    if (elapsed > maxDays) {
      return { result: { outcome: 'block', reason: `the ${step.kind === 'CONTACT' ? 'contact attempt' : 'final notice'} of ${sent.sentOn} is ${elapsed * 24} hours old, more than ${step.maxHoursBefore} (${step.citation})`, facts: { ...base, sentOn: sent.sentOn, hoursBefore: elapsed * 24 } } };
    }
  }
  if (waiting) return { result: waiting };
  if (day < written.scheduledDisconnectOn) {
    return { result: { outcome: 'block', reason: `the written notice of ${written.sentOn} allows disconnection from ${written.scheduledDisconnectOn} (${pack.notices.written.citation})`, facts: base } };
  }
  if (daysBetween(written.sentOn, day) < pack.notices.written.daysBefore) {
    return { result: { outcome: 'block', reason: `the written notice of ${written.sentOn} is less than ${pack.notices.written.daysBefore} days old`, facts: base } };
  }
  return { result: { outcome: 'pass', reason: `written notice of ${written.sentOn} for ${written.scheduledDisconnectOn}${pack.notices.steps.length ? ' and every further step' : ''} made in time`, facts: base } };
}

type Partial2 = Omit<RuleResult, 'ruleId' | 'type' | 'citation'>;

function evaluateRule(pack: PolicyPack, rule: ProtectionRule, facts: CollectionFacts, day: string, covered: readonly string[], notices: NoticeState): Partial2 {
  switch (rule.type) {
    case 'minimum-past-due': {
      const pastDue = new Money(facts.pastDue);
      const days = facts.oldestPastDueDate ? daysBetween(facts.oldestPastDueDate, day) : 0;
      const f = { pastDue: formatMoney(pastDue), minimum: rule.params.amount, daysPastDue: days, minimumDays: rule.params.daysPastDue, oldestPastDueDate: facts.oldestPastDueDate ?? null };
      if (pastDue.lt(rule.params.amount)) return { outcome: 'block', reason: `past due ${formatMoney(pastDue)} is under the minimum ${rule.params.amount}`, facts: f };
      if (days < rule.params.daysPastDue) return { outcome: 'block', reason: `the oldest past-due charge is ${days} days past due, under ${rule.params.daysPastDue}`, facts: f };
      return { outcome: 'pass', reason: `past due ${formatMoney(pastDue)} (minimum ${rule.params.amount}), ${days} days past due (minimum ${rule.params.daysPastDue})`, facts: f };
    }
    case 'medical-certificate': {
      const active = facts.certificates.filter((c) => day <= c.validThrough).sort((a, b) => (a.validThrough < b.validThrough ? 1 : -1));
      const f = { certificatesOnFile: facts.certificates.length, renewalsAllowed: rule.params.renewalsAllowed, durationDays: rule.params.durationDays };
      if (active.length > 0) return { outcome: 'block', reason: `medical certificate ${active[0]!.certificateId} received ${active[0]!.receivedOn} protects through ${active[0]!.validThrough}`, facts: { ...f, certificateId: active[0]!.certificateId, validThrough: active[0]!.validThrough } };
      return { outcome: 'pass', reason: facts.certificates.length ? 'every medical certificate on file has expired' : 'no medical certificate on file', facts: f };
    }
    case 'winter-moratorium': {
      const p = rule.params;
      const protectedServices = p.services ?? covered;
      const hits = covered.filter((s) => protectedServices.includes(s as never));
      const f = { from: p.from, to: p.to, day, incomePercentOfFpl: FPL(facts.household?.incomePercentOfFpl), threshold: p.incomeAtOrBelowFplPercent ?? null, services: hits.join(',') };
      if (!monthDayIn(day, p.from, p.to)) return { outcome: 'not-applicable', reason: `${day} is outside the moratorium ${p.from} to ${p.to}`, facts: f };
      if (hits.length === 0) return { outcome: 'not-applicable', reason: `the moratorium protects ${protectedServices.join(', ')}; the account has none of them`, facts: f };
      if (p.incomeAtOrBelowFplPercent === undefined) return { outcome: 'block', reason: `${day} is within the moratorium ${p.from} to ${p.to}`, facts: f };
      const income = facts.household?.incomePercentOfFpl;
      if (income === undefined) {
        return p.unknownIncome === 'block'
          ? { outcome: 'block', reason: `${day} is within the moratorium ${p.from} to ${p.to} and the household income is not on file (treated as eligible)`, facts: f }
          : { outcome: 'pass', reason: `household income not on file; the moratorium protects incomes at or below ${p.incomeAtOrBelowFplPercent}% FPL`, facts: f };
      }
      if (income <= p.incomeAtOrBelowFplPercent) return { outcome: 'block', reason: `${day} is within the moratorium ${p.from} to ${p.to} and income ${income}% FPL is at or below ${p.incomeAtOrBelowFplPercent}%`, facts: f };
      return { outcome: 'pass', reason: `income ${income}% FPL is above the moratorium threshold ${p.incomeAtOrBelowFplPercent}%`, facts: f };
    }
    case 'weather': {
      const p = rule.params;
      const today = facts.weather.find((w) => w.region === facts.weatherRegion && w.day === day);
      const f: Record<string, string | number | boolean | null> = { region: facts.weatherRegion, day, coldAtOrBelowF: p.coldAtOrBelowF ?? null, heatAtOrAboveF: p.heatAtOrAboveF ?? null, withinHours: p.withinHours };
      if (!today) return { outcome: 'block', reason: `no weather forecast on file for region ${facts.weatherRegion} on ${day} (fail safe)`, facts: f };
      Object.assign(f, { forecastLowF: today.forecastLowF, forecastHighF: today.forecastHighF, heatIndexF: today.heatIndexF ?? null, heatAdvisory: today.heatAdvisory, horizonHours: today.horizonHours });
      if (today.horizonHours < p.withinHours) return { outcome: 'block', reason: `the forecast covers ${today.horizonHours} hours; the rule needs ${p.withinHours} (fail safe)`, facts: f };
      if (p.coldAtOrBelowF !== undefined && today.forecastLowF <= p.coldAtOrBelowF) return { outcome: 'block', reason: `forecast low ${today.forecastLowF}F is at or below ${p.coldAtOrBelowF}F within ${p.withinHours} hours`, facts: f };
      if (p.heatAtOrAboveF !== undefined) {
        const heat = Math.max(today.forecastHighF, today.heatIndexF ?? today.forecastHighF);
        if (heat >= p.heatAtOrAboveF) return { outcome: 'block', reason: `forecast heat ${heat}F is at or above ${p.heatAtOrAboveF}F within ${p.withinHours} hours`, facts: f };
      }
      // Forecasts on file for the following days inside the window count too.
      for (const later of facts.weather.filter((w) => w.region === facts.weatherRegion && w.day > day && daysBetween(day, w.day) * 24 < p.withinHours)) {
        if (p.coldAtOrBelowF !== undefined && later.forecastLowF <= p.coldAtOrBelowF) return { outcome: 'block', reason: `forecast low ${later.forecastLowF}F on ${later.day} is at or below ${p.coldAtOrBelowF}F within ${p.withinHours} hours`, facts: f };
        if (p.heatAtOrAboveF !== undefined && Math.max(later.forecastHighF, later.heatIndexF ?? later.forecastHighF) >= p.heatAtOrAboveF) return { outcome: 'block', reason: `forecast heat on ${later.day} is at or above ${p.heatAtOrAboveF}F within ${p.withinHours} hours`, facts: f };
        if (p.heatAdvisory && later.heatAdvisory) return { outcome: 'block', reason: `a heat advisory is forecast for ${facts.weatherRegion} on ${later.day}`, facts: f };
      }
      if (p.heatAdvisory) {
        if (today.heatAdvisory) return { outcome: 'block', reason: `a heat advisory is in effect for ${facts.weatherRegion} on ${day}`, facts: f };
        for (let back = 1; back <= p.advisoryLookbackDays; back++) {
          const earlier = addDays(day, -back);
          const forecast = facts.weather.find((w) => w.region === facts.weatherRegion && w.day === earlier);
          if (!forecast) return { outcome: 'block', reason: `no weather on file for ${facts.weatherRegion} on ${earlier} to rule out a heat advisory in the preceding ${p.advisoryLookbackDays} days (fail safe)`, facts: f };
          if (forecast.heatAdvisory) return { outcome: 'block', reason: `a heat advisory was in effect for ${facts.weatherRegion} on ${earlier} (within ${p.advisoryLookbackDays} preceding days)`, facts: f };
        }
      }
      return { outcome: 'pass', reason: `forecast low ${today.forecastLowF}F, high ${today.forecastHighF}F${today.heatIndexF !== undefined ? `, heat index ${today.heatIndexF}F` : ''}, no heat advisory: within limits`, facts: f };
    }
    case 'pending-dispute': {
      const f = { openDisputes: facts.openDisputes.map((d) => d.disputeId).join(',') || null };
      if (facts.openDisputes.length > 0) return { outcome: 'block', reason: `dispute ${facts.openDisputes.map((d) => `${d.disputeId} (${d.amount})`).join(', ')} is pending`, facts: f };
      return { outcome: 'pass', reason: 'no dispute or appeal pending', facts: f };
    }
    case 'active-arrangement': {
      const a = facts.arrangement;
      const f = { arrangementId: a?.arrangementId ?? null, status: a?.status ?? null, state: a?.state ?? null };
      if (a && a.status === 'ACTIVE' && a.state !== 'broken') return { outcome: 'block', reason: `payment arrangement ${a.arrangementId} is active (${a.state})`, facts: f };
      if (a && a.status === 'ACTIVE') return { outcome: 'pass', reason: `payment arrangement ${a.arrangementId} is broken`, facts: f };
      return { outcome: 'pass', reason: a ? `the latest arrangement ${a.arrangementId} is ${a.status}` : 'no payment arrangement', facts: f };
    }
    case 'quiet-days': {
      const p = rule.params;
      const weekday = weekdayOf(day);
      const holiday = holidayOn(day, pack.state, p.holidayTypes);
      const tomorrow = addDays(day, 1);
      const holidayTomorrow = p.dayBeforeHoliday ? holidayOn(tomorrow, pack.state, p.holidayTypes) : undefined;
      const f = { day, weekday, holiday: holiday?.name ?? null, holidayTomorrow: holidayTomorrow?.name ?? null, state: pack.state };
      if (p.weekdays.includes(weekday)) return { outcome: 'block', reason: `no disconnection on ${weekday}`, facts: f };
      if (holiday) return { outcome: 'block', reason: `${day} is ${holiday.name} (${holiday.type} holiday in ${pack.state})`, facts: f };
      if (holidayTomorrow) return { outcome: 'block', reason: `${day} is the day before ${holidayTomorrow.name} (${holidayTomorrow.type} holiday in ${pack.state})`, facts: f };
      return { outcome: 'pass', reason: `${day} (${weekday}) is not a quiet day`, facts: f };
    }
    case 'notice-sequence':
      return notices.result;
    case 'life-support': {
      const on = facts.household?.lifeSupport === true;
      return on ? { outcome: 'block', reason: 'a household member depends on life-support or critical-care equipment (on file)', facts: { lifeSupport: true } } : { outcome: 'pass', reason: 'no life-support or critical-care need on file', facts: { lifeSupport: facts.household?.lifeSupport ?? null } };
    }
  }
}

/** The rules that stop notices too (not only the disconnection): nothing is owed that may be collected. */
const GATES_NOTICES: ReadonlySet<string> = new Set(['minimum-past-due', 'pending-dispute', 'active-arrangement', 'pack-services']);

export function evaluateCollection(pack: PolicyPack, facts: CollectionFacts, asOf: { day: string; at: string }): CollectionEvaluation {
  if (!isCalendarDate(asOf.day)) throw new InvalidInput(`asOf ${asOf.day} is not a calendar date`);
  const covered = facts.services.filter((s) => pack.services.includes(s as never));
  const notices = noticeState(pack, facts, asOf.day);
  const results: RuleResult[] = [
    covered.length > 0
      ? { ruleId: 'pack-services', type: 'pack-services', citation: `${pack.name} (${pack.id} ${pack.version})`, outcome: 'pass', reason: `the pack covers ${covered.join(', ')}`, facts: { services: facts.services.join(','), covered: covered.join(',') } }
      : { ruleId: 'pack-services', type: 'pack-services', citation: `${pack.name} (${pack.id} ${pack.version})`, outcome: 'block', reason: `the pack covers ${pack.services.join(', ')}; the account has ${facts.services.join(', ') || 'no active service'}`, facts: { services: facts.services.join(','), covered: '' } },
  ];
  for (const rule of pack.rules) {
    results.push({ ruleId: rule.id, type: rule.type, citation: rule.citation, ...evaluateRule(pack, rule, facts, asOf.day, covered, notices) });
  }
  const blocked = results.filter((r) => r.outcome === 'block');
  const blockedBy = blocked.map((r) => r.ruleId);
  const pastDue = formatMoney(Money.max(new Money(facts.pastDue), 0));
  const make = (decision: Decision, summary: string, notice?: CollectionEvaluation['notice']): CollectionEvaluation => ({ accountId: facts.accountId, packId: pack.id, packVersion: pack.version, asOf: asOf.day, evaluatedAt: asOf.at, decision, summary, pastDue, blockedBy, results, services: covered, ...(notice ? { notice } : {}) });

  const arrangementActive = facts.arrangement?.status === 'ACTIVE' && facts.arrangement.state !== 'broken';
  const paid = !new Money(facts.pastDue).gt(0);
  if (facts.disconnection) {
    const d = facts.disconnection;
    if (paid || arrangementActive) {
      const why = paid ? 'the past due is paid' : `arrangement ${facts.arrangement!.arrangementId} is active`;
      return d.performed ? make('reconnect', `${why}: reconnect (order ${d.orderId} disconnected the service)`) : make('cancel-disconnect', `${why}: cancel disconnection order ${d.orderId}`);
    }
    const pending = d.pending ?? !d.performed;
    if (pending) {
      if (blocked.length > 0) return make('cancel-disconnect', `disconnection order ${d.orderId} is not performed and ${blockedBy.join(', ')} now block${blocked.length === 1 ? 's' : ''}: cancel it`);
      return make('disconnected', `disconnection order ${d.orderId} is open and every rule still passes`);
    }
    return make('disconnected', `disconnected by order ${d.orderId}; waiting for payment or an arrangement`);
  }
  if (paid) return make('none', 'nothing is past due');
  const gate = blocked.filter((r) => GATES_NOTICES.has(r.type));
  if (gate.length > 0) return make('blocked', `no collection action: ${gate.map((r) => `${r.ruleId} (${r.reason})`).join('; ')}`);
  if (notices.next) {
    const kind = notices.next.kind;
    const decision: Decision = kind === 'WRITTEN' ? 'written-notice' : kind === 'FINAL' ? 'final-notice' : 'contact-attempt';
    return make(decision, `${decision} today for disconnection on or after ${notices.next.scheduledDisconnectOn}`, { kind, scheduledDisconnectOn: notices.next.scheduledDisconnectOn, amount: pastDue });
  }
  if (blocked.length > 0) return make('blocked', `disconnection blocked by ${blocked.map((r) => r.ruleId).join(', ')}`);
  return make('disconnect', `every rule passes: disconnect ${covered.join(', ')} for ${pastDue} past due`);
}
