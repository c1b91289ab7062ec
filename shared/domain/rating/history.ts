/**
 * Tariff history: a stored tariff keeps every version it ever had. Loading a document again may
 * add versions after the last stored one (closing the open-ended last version the day before the
 * first new one) and may update the name, utility and source; it may not change, drop or insert
 * versions before the last stored one, nor change the unit or the time zone.
 */
import { addDays } from '../calendar';
import { ConflictError } from '../errors';
import type { TariffDocument, TariffVersion } from './schema';

/** Loading would edit a stored tariff's history (HTTP 409); `reason` says how. */
export class TariffHistoryConflict extends ConflictError {
  override name = 'TariffHistoryConflict';
  constructor(
    private readonly why: 'tariff-id-mismatch' | 'tariff-history-changed',
    message: string,
  ) {
    super(message);
  }

  override get reason(): string {
    return this.why;
  }
}

export interface TariffUpdate {
  /** The document after the update (stored history + new versions). */
  doc: TariffDocument;
  /** Versions to add, oldest first. */
  added: TariffVersion[];
  /** The stored open-ended version, now with an effectiveTo. */
  closed?: TariffVersion;
  /** Name, utility or source differ from the stored ones. */
  headerChanged: boolean;
}

/** JSON with sorted keys: equal documents give equal text whatever their key order. */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>).filter(([, v]) => v !== undefined);
    entries.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
  }
  return JSON.stringify(value);
}

/** What loading `incoming` (a checked document) changes in `stored`; TariffHistoryConflict when it would edit history. */
export function planTariffUpdate(stored: TariffDocument | undefined, incoming: TariffDocument): TariffUpdate {
  if (!stored) return { doc: incoming, added: [...incoming.versions], headerChanged: true };
  const id = incoming.tariffId;
  if (stored.tariffId !== id) throw new TariffHistoryConflict('tariff-id-mismatch', `tariff ${id} cannot replace tariff ${stored.tariffId}`);
  if (stored.unit !== incoming.unit) throw new TariffHistoryConflict('tariff-history-changed', `tariff ${id} prices ${stored.unit}; a new version cannot change the unit to ${incoming.unit} (load a new tariff id)`);
  if (stored.timeZone !== incoming.timeZone) throw new TariffHistoryConflict('tariff-history-changed', `tariff ${id} is in ${stored.timeZone}; a new version cannot change the time zone to ${incoming.timeZone}`);
  const byStart = new Map(incoming.versions.map((version) => [version.effectiveFrom, version]));
  const last = stored.versions[stored.versions.length - 1]!;
  let closed: TariffVersion | undefined;
  for (const version of stored.versions) {
    const same = byStart.get(version.effectiveFrom);
    if (!same) throw new TariffHistoryConflict('tariff-history-changed', `tariff ${id}: the stored version effective ${version.effectiveFrom} is missing from the document (history is never removed)`);
    if (canonicalJson(same) === canonicalJson(version)) continue;
    const onlyClosed = version === last && version.effectiveTo === undefined && same.effectiveTo !== undefined && canonicalJson({ ...same, effectiveTo: undefined }) === canonicalJson(version);
    if (!onlyClosed) throw new TariffHistoryConflict('tariff-history-changed', `tariff ${id}: the version effective ${version.effectiveFrom} differs from the stored one (history is never edited; add a new version)`);
    closed = same;
  }
  const added = incoming.versions.filter((version) => version.effectiveFrom > last.effectiveFrom);
  const inserted = incoming.versions.find((version) => version.effectiveFrom < last.effectiveFrom && !stored.versions.some((s) => s.effectiveFrom === version.effectiveFrom));
  if (inserted) throw new TariffHistoryConflict('tariff-history-changed', `tariff ${id}: a new version effective ${inserted.effectiveFrom} would go before the stored version effective ${last.effectiveFrom} (versions are only appended)`);
  if (closed && added.length === 0) throw new TariffHistoryConflict('tariff-history-changed', `tariff ${id}: the version effective ${last.effectiveFrom} may only be closed by a following version`);
  if (closed && closed.effectiveTo !== addDays(added[0]!.effectiveFrom, -1)) {
    throw new TariffHistoryConflict('tariff-history-changed', `tariff ${id}: the version effective ${last.effectiveFrom} must end the day before the next one (${addDays(added[0]!.effectiveFrom, -1)}), not ${closed.effectiveTo}`);
  }
  const headerChanged = stored.name !== incoming.name || stored.utility !== incoming.utility || stored.source !== incoming.source;
  return { doc: incoming, added, ...(closed ? { closed } : {}), headerChanged };
}

/** A correction of stored versions: the same versions (dates, unit, time zone), some with other charges. */
export interface TariffCorrection {
  doc: TariffDocument;
  /** The stored versions as they were, and as corrected, by effectiveFrom. */
  corrected: Array<{ before: TariffVersion; after: TariffVersion }>;
}

/**
 * Plans a correction (an admin fixing a rate that was wrong, with a reason): every stored version
 * must still be there with the same dates, no version is added or removed, the unit and time zone
 * stay; the versions whose charges differ are replaced. Bills already issued are not changed:
 * staff rebill them (cancel and rebill), which rates them with the corrected versions.
 */
export function planTariffCorrection(stored: TariffDocument, incoming: TariffDocument): TariffCorrection {
  const id = incoming.tariffId;
  if (stored.tariffId !== id) throw new TariffHistoryConflict('tariff-id-mismatch', `tariff ${id} cannot correct tariff ${stored.tariffId}`);
  if (stored.unit !== incoming.unit || stored.timeZone !== incoming.timeZone) throw new TariffHistoryConflict('tariff-history-changed', `tariff ${id}: a correction cannot change the unit or the time zone (load a new tariff id)`);
  const dates = (doc: TariffDocument) => doc.versions.map((v) => `${v.effectiveFrom}..${v.effectiveTo ?? ''}`).join(',');
  if (dates(stored) !== dates(incoming)) {
    throw new TariffHistoryConflict('tariff-history-changed', `tariff ${id}: a correction keeps every version and its dates (${dates(stored)}); to add a version, load the tariff instead`);
  }
  const corrected = stored.versions.flatMap((before, index) => {
    const after = incoming.versions[index]!;
    return canonicalJson(before) === canonicalJson(after) ? [] : [{ before, after }];
  });
  return { doc: incoming, corrected };
}
