/**
 * Loading a tariff (admins: `cis tariff load` or PUT /staff/tariffs/{tariffId}): a new tariff is
 * stored with all its versions; a known one only gains the versions after its last stored one
 * (history is never edited, see planTariffUpdate). Loading the same document again changes
 * nothing. Every change writes its audit event in the same transaction.
 */
import type { AuditEvent } from '../domain/audit';
import { isTimeZone } from '../domain/calendar';
import { InvalidInput, RuleViolation } from '../domain/errors';
import { TariffNotFound } from './errors';
import { planTariffCorrection, planTariffUpdate } from '../domain/rating/history';
import { parseTariffDocument, TariffDocument } from '../domain/rating/schema';
import { importUrdb, isUrdbDocument } from '../domain/rating/urdb';
import type { Clock, TariffStore } from './ports';

export interface LoadTariffDeps {
  tariffs: TariffStore;
  clock: Clock;
}

export interface LoadTariffResult {
  tariffId: string;
  /** True when the document was new (201 over HTTP). */
  created: boolean;
  /** False when the stored tariff already was this document. */
  changed: boolean;
  revision: number;
  /** effectiveFrom of every stored version, and of the ones this load added. */
  versions: string[];
  added: string[];
  /** effectiveFrom of the open-ended version this load closed. */
  closed?: string;
}

export async function loadTariff(deps: LoadTariffDeps, doc: TariffDocument, actor: string): Promise<LoadTariffResult> {
  const stored = await deps.tariffs.getStored(doc.tariffId);
  const update = planTariffUpdate(stored?.doc, doc);
  const versions = doc.versions.map((version) => version.effectiveFrom);
  const added = update.added.map((version) => version.effectiveFrom);
  if (stored && added.length === 0 && !update.headerChanged) return { tariffId: doc.tariffId, created: false, changed: false, revision: stored.revision, versions, added };
  const revision = (stored?.revision ?? 0) + 1;
  const at = deps.clock.now().toISOString();
  const audit: AuditEvent = {
    eventId: `TARIFF-${doc.tariffId}-${revision}`,
    entityType: 'TARIFF',
    entityId: doc.tariffId,
    at,
    actor,
    action: stored ? 'tariff.updated' : 'tariff.created',
    details: { revision, name: doc.name, unit: doc.unit, added: added.join(','), closed: update.closed?.effectiveFrom ?? null },
  };
  await deps.tariffs.save(update, stored?.revision, audit, at);
  return { tariffId: doc.tariffId, created: !stored, changed: true, revision, versions, added, ...(update.closed ? { closed: update.closed.effectiveFrom } : {}) };
}

export interface CorrectTariffResult {
  tariffId: string;
  revision: number;
  /** effectiveFrom of the versions corrected. */
  corrected: string[];
}

/**
 * Corrects stored versions of a tariff (admins, with a reason): the same versions and dates with
 * corrected charges, written in one transaction with the audit event (tariff.corrected, naming
 * the versions). Bills issued with the old charges stay as they are until staff rebill them.
 */
export async function correctTariff(deps: LoadTariffDeps, doc: TariffDocument, reason: string, actor: string): Promise<CorrectTariffResult> {
  const stored = await deps.tariffs.getStored(doc.tariffId);
  if (!stored) throw new TariffNotFound(`tariff ${doc.tariffId} does not exist; load it instead`);
  const correction = planTariffCorrection(stored.doc, doc);
  if (correction.corrected.length === 0) throw new RuleViolation('tariff-unchanged', `tariff ${doc.tariffId}: the document is the stored tariff; nothing to correct`);
  const revision = stored.revision + 1;
  const at = deps.clock.now().toISOString();
  const corrected = correction.corrected.map(({ after }) => after.effectiveFrom);
  const audit: AuditEvent = { eventId: `TARIFF-${doc.tariffId}-${revision}`, entityType: 'TARIFF', entityId: doc.tariffId, at, actor, action: 'tariff.corrected', details: { revision, reason, corrected: corrected.join(',') } };
  await deps.tariffs.correct(correction, stored.revision, audit, at);
  return { tariffId: doc.tariffId, revision, corrected };
}

/**
 * The tariff of a PUT body: a cis-tariff/1 document whose tariffId is the one of the path, or an
 * OpenEI URDB rate stored under the path's id (its zone from `timeZone`). Every problem is an
 * InvalidInput naming the field (body.versions.0.charges.1.rate ...), so HTTP answers 400.
 */
export function tariffFromRequest(tariffId: string, body: unknown, options: { timeZone?: string | undefined; label?: string | undefined } = {}): TariffDocument {
  const refuse = (path: string, message: string): never => {
    throw new InvalidInput(`${path}: ${message}`, [{ path, message }]);
  };
  if (isUrdbDocument(body)) {
    if (!options.timeZone) refuse('query.timeZone', 'an OpenEI URDB tariff has no time zone: give ?timeZone=America/Denver');
    if (!isTimeZone(options.timeZone!)) refuse('query.timeZone', `${JSON.stringify(options.timeZone)} is not an IANA time zone`);
    try {
      return { ...importUrdb(body, { timeZone: options.timeZone!, ...(options.label ? { label: options.label } : {}) }), tariffId };
    } catch (error) {
      if (error instanceof Error) refuse('body', error.message);
      throw error;
    }
  }
  const checked = TariffDocument.safeParse(body);
  if (!checked.success) {
    const issue = checked.error.issues[0]!;
    refuse(['body', ...issue.path.map(String)].join('.'), issue.message);
  }
  if (checked.data!.tariffId !== tariffId) refuse('body.tariffId', `must be ${JSON.stringify(tariffId)}, the tariff of the path`);
  try {
    return parseTariffDocument(body);
  } catch (error) {
    if (error instanceof Error) refuse('body.versions', error.message);
    throw error;
  }
}
