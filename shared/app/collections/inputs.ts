/**
 * What staff record for collections and what staff, auditors and customers read: medical
 * certificates (renewals counted), the household profile, weather per region and day, the
 * worklist of a run day, an account's evaluations with every rule result, the customer's notices.
 */
import { localDate } from '../../domain/calendar';
import { RuleViolation } from '../../domain/errors';
import { requireOwnAccount } from '../../domain/identity';
import type { WeatherInput } from '../../domain/collections/evaluate';
import { newMedicalCertificate, type CollectionsProfile, type MedicalCertificate, type Notice, type StoredEvaluation, type StoredWeather } from '../../domain/collections/records';
import type { PolicyPack } from '../../domain/collections/policy';
import { AccountNotFound } from '../errors';
import type { AccountStore, Clock } from '../ports';
import type { CollectionState, CollectionsStore } from './ports';

export interface CollectionsInputDeps {
  collections: CollectionsStore;
  accounts: AccountStore;
  pack: PolicyPack;
  timeZone: string;
  clock: Clock;
  newId: () => string;
}

const todayOf = (deps: Pick<CollectionsInputDeps, 'clock' | 'timeZone'>) => localDate(Math.floor(deps.clock.now().getTime() / 1000), deps.timeZone);

async function mustAccount(deps: Pick<CollectionsInputDeps, 'accounts'>, accountId: string): Promise<void> {
  if (!(await deps.accounts.get(accountId))) throw new AccountNotFound(`account ${accountId} does not exist`);
}

export async function recordMedicalCertificate(deps: CollectionsInputDeps, actor: string, input: { accountId: string; receivedOn?: string | undefined; certifiedBy: string; days?: number | undefined; note?: string | undefined }): Promise<{ certificate: MedicalCertificate }> {
  await mustAccount(deps, input.accountId);
  const at = deps.clock.now().toISOString();
  const today = todayOf(deps);
  const existing = await deps.collections.listCertificates(input.accountId);
  const certificate = newMedicalCertificate(deps.pack, existing, { certificateId: `MC${deps.newId().replace(/-/g, '').slice(0, 12).toUpperCase()}`, accountId: input.accountId, receivedOn: input.receivedOn ?? today, certifiedBy: input.certifiedBy, days: input.days, note: input.note, recordedBy: actor, recordedAt: at, today });
  await deps.collections.putCertificate(certificate, {
    eventId: deps.newId(),
    entityType: 'ACCOUNT',
    entityId: input.accountId,
    at,
    actor,
    action: 'medical-certificate.recorded',
    details: { certificateId: certificate.certificateId, receivedOn: certificate.receivedOn, validThrough: certificate.validThrough, renewalNumber: certificate.renewalNumber, beyondRenewalsAllowed: certificate.beyondRenewalsAllowed },
  });
  return { certificate };
}

export async function listMedicalCertificates(deps: CollectionsInputDeps, accountId: string): Promise<{ accountId: string; items: Array<MedicalCertificate & { inForce: boolean }> }> {
  await mustAccount(deps, accountId);
  const today = todayOf(deps);
  const items = (await deps.collections.listCertificates(accountId)).map((c) => ({ ...c, inForce: c.receivedOn <= today && today <= c.validThrough }));
  return { accountId, items: items.reverse() };
}

export async function putCollectionsProfile(deps: CollectionsInputDeps, actor: string, input: { accountId: string; incomePercentOfFpl?: number | null | undefined; lifeSupport?: boolean | null | undefined; weatherRegion?: string | null | undefined }): Promise<{ profile: CollectionsProfile }> {
  await mustAccount(deps, input.accountId);
  const at = deps.clock.now().toISOString();
  const previous = await deps.collections.getProfile(input.accountId);
  const pick = <K extends 'incomePercentOfFpl' | 'lifeSupport' | 'weatherRegion'>(name: K): Partial<CollectionsProfile> => {
    const given = input[name];
    if (given === null) return {};
    if (given !== undefined) return { [name]: given };
    return previous?.[name] === undefined ? {} : { [name]: previous[name] };
  };
  const profile: CollectionsProfile = { accountId: input.accountId, ...pick('incomePercentOfFpl'), ...pick('lifeSupport'), ...pick('weatherRegion'), updatedBy: actor, updatedAt: at, version: (previous?.version ?? 0) + 1 };
  await deps.collections.putProfile(profile, {
    eventId: deps.newId(),
    entityType: 'ACCOUNT',
    entityId: input.accountId,
    at,
    actor,
    action: 'collections-profile.updated',
    details: { incomePercentOfFpl: profile.incomePercentOfFpl ?? null, lifeSupport: profile.lifeSupport ?? null, weatherRegion: profile.weatherRegion ?? null, previousIncomePercentOfFpl: previous?.incomePercentOfFpl ?? null, previousLifeSupport: previous?.lifeSupport ?? null },
  });
  return { profile };
}

export async function getCollectionsProfile(deps: CollectionsInputDeps, accountId: string): Promise<{ accountId: string; profile: CollectionsProfile | null }> {
  await mustAccount(deps, accountId);
  return { accountId, profile: (await deps.collections.getProfile(accountId)) ?? null };
}

export async function putWeather(deps: Pick<CollectionsInputDeps, 'collections' | 'clock' | 'newId'>, actor: string, input: Omit<WeatherInput, 'source'> & { source?: string | undefined }): Promise<{ weather: StoredWeather }> {
  if (input.forecastLowF > input.forecastHighF) throw new RuleViolation('low-above-high', `forecastLowF ${input.forecastLowF} is above forecastHighF ${input.forecastHighF}`);
  const at = deps.clock.now().toISOString();
  const weather: StoredWeather = { region: input.region, day: input.day, forecastLowF: input.forecastLowF, forecastHighF: input.forecastHighF, ...(input.heatIndexF === undefined ? {} : { heatIndexF: input.heatIndexF }), heatAdvisory: input.heatAdvisory, horizonHours: input.horizonHours, source: input.source ?? 'staff', recordedBy: actor, recordedAt: at };
  await deps.collections.putWeather(weather, { eventId: deps.newId(), entityType: 'WEATHER', entityId: `${input.region}#${input.day}`, at, actor, action: 'weather.recorded', details: { region: input.region, day: input.day, forecastLowF: input.forecastLowF, forecastHighF: input.forecastHighF, heatIndexF: input.heatIndexF ?? null, heatAdvisory: input.heatAdvisory, horizonHours: input.horizonHours, source: weather.source } });
  return { weather };
}

export async function getWeather(deps: Pick<CollectionsInputDeps, 'collections'>, region: string, day: string): Promise<{ region: string; day: string; weather: StoredWeather | null }> {
  const [weather] = await deps.collections.getWeather(region, [day]);
  return { region, day, weather: weather ?? null };
}

const ACTION_DECISIONS = new Set(['written-notice', 'final-notice', 'contact-attempt', 'disconnect', 'cancel-disconnect', 'reconnect', 'disconnected', 'blocked']);

/** GET /staff/collections/worklist?runDate: the accounts of a run day with an action or a block, and why. */
export async function collectionsWorklist(deps: Pick<CollectionsInputDeps, 'collections' | 'clock' | 'timeZone'>, input: { runDate?: string | undefined; limit: number; cursor?: string | undefined }): Promise<{ runDate: string; run: unknown; items: Array<Pick<StoredEvaluation, 'accountId' | 'decision' | 'summary' | 'pastDue' | 'blockedBy' | 'notice'> & { blocking: Array<{ ruleId: string; reason: string; citation: string }> }>; nextCursor: string | null }> {
  const runDate = input.runDate ?? todayOf(deps);
  const [run, page] = await Promise.all([deps.collections.getRun(runDate), deps.collections.listRunEvaluations(runDate, input.limit, input.cursor)]);
  const items = page.items
    .filter((e) => ACTION_DECISIONS.has(e.decision))
    .map((e) => ({ accountId: e.accountId, decision: e.decision, summary: e.summary, pastDue: e.pastDue, blockedBy: e.blockedBy, ...(e.notice ? { notice: e.notice } : {}), blocking: e.results.filter((r) => r.outcome === 'block').map((r) => ({ ruleId: r.ruleId, reason: r.reason, citation: r.citation })) }));
  return { runDate, run: run ?? null, items, nextCursor: page.nextCursor ?? null };
}

/** GET /staff/accounts/{id}/collections: every evaluation (newest first) with all rule results, the notices, certificates and the open disconnection. */
export async function accountCollections(deps: CollectionsInputDeps, accountId: string, limit: number): Promise<{ accountId: string; packId: string; disconnection: CollectionState | null; evaluations: StoredEvaluation[]; notices: Notice[]; certificates: MedicalCertificate[]; profile: CollectionsProfile | null }> {
  await mustAccount(deps, accountId);
  const [evaluations, notices, certificates, profile, state] = await Promise.all([deps.collections.listEvaluations(accountId, limit), deps.collections.listNotices(accountId), deps.collections.listCertificates(accountId), deps.collections.getProfile(accountId), deps.collections.getState(accountId)]);
  return { accountId, packId: deps.pack.id, disconnection: state ?? null, evaluations, notices: notices.reverse(), certificates, profile: profile ?? null };
}

/** GET /portal/accounts/{id}/notices: the customer's own notices, newest first. */
export async function listMyNotices(deps: Pick<CollectionsInputDeps, 'collections' | 'accounts'>, customerId: string, accountId: string): Promise<{ accountId: string; items: Array<Pick<Notice, 'noticeId' | 'kind' | 'sentOn' | 'scheduledDisconnectOn' | 'amount' | 'text'>> }> {
  requireOwnAccount(await deps.accounts.get(accountId), customerId, accountId);
  const notices = await deps.collections.listNotices(accountId);
  return { accountId, items: notices.reverse().map((n) => ({ noticeId: n.noticeId, kind: n.kind, sentOn: n.sentOn, scheduledDisconnectOn: n.scheduledDisconnectOn, amount: n.amount, text: n.text })) };
}
