/**
 * Bulk interval files (CSV or Green Button ESPI XML) from the command line or the staff API:
 * parsed into readings per meter, then ingested through the same VEE path as MQTT.
 */
import { createHash } from 'node:crypto';
import { InvalidInput } from '../domain/errors';
import { parseUsageFeed } from '../domain/greenbutton/espi';
import type { ReadingInput } from '../domain/reads';
import { parseReadsCsv } from '../domain/reads-csv';
import { isUnit, toMicroUnits, formatMicro, addQuantities } from '../domain/units';
import { ingestMeterReadings, type IngestReadsDeps, type IngestResult, type ReadsAudit } from './ingest-reads';

export type ReadsFileFormat = 'csv' | 'greenbutton';
/** Readings per ingestion call (the size of one MQTT message at most). */
export const IMPORT_CHUNK = 5000;

export function detectFormat(fileName: string, content: string): ReadsFileFormat {
  if (/\.xml$/i.test(fileName) || content.trimStart().startsWith('<')) return 'greenbutton';
  return 'csv';
}

export interface ReadsFile {
  format: ReadsFileFormat;
  content: string;
  /** Green Button: the meter to load a single MeterReading into (default: the UsagePoint's id). */
  meterId?: string;
}

/** The file's readings per meter id. */
export function readingsOfFile(file: ReadsFile): Map<string, ReadingInput[]> {
  if (file.format === 'csv') {
    if (file.meterId) throw new InvalidInput('a CSV file names its meters in the meterId column; do not give a meter', [{ path: 'meterId', message: 'not for CSV' }]);
    return parseReadsCsv(file.content);
  }
  const meterReadings = parseUsageFeed(file.content).filter((reading) => reading.readings.length > 0);
  if (meterReadings.length === 0) throw new InvalidInput('the Green Button file holds no interval readings');
  if (file.meterId && meterReadings.length > 1) throw new InvalidInput(`the file holds ${meterReadings.length} meter readings; a meter can be given for one only`, [{ path: 'meterId', message: 'ambiguous' }]);
  const byMeter = new Map<string, ReadingInput[]>();
  for (const reading of meterReadings) {
    const meterId = file.meterId ?? reading.usagePointHref.split('/').pop() ?? '';
    if (!/^[A-Za-z0-9_-]{1,64}$/.test(meterId)) throw new InvalidInput(`the UsagePoint ${reading.usagePointHref || reading.meterReadingHref} does not name a meter id; give the meter`, [{ path: 'meterId', message: 'required' }]);
    byMeter.set(meterId, [...(byMeter.get(meterId) ?? []), ...reading.readings]);
  }
  return byMeter;
}

export interface ImportSummary {
  meters: number;
  readings: number;
  /** Sum of the file's values per unit as written in the file (decimal strings). */
  totals: Record<string, string>;
  added: number;
  unchanged: number;
  estimated: number;
  held: number;
  flagged: number;
  results: IngestResult[];
}

/** Totals of the file itself, per unit (exact). */
export function fileTotals(byMeter: ReadonlyMap<string, readonly ReadingInput[]>): Record<string, string> {
  const totals = new Map<string, number>();
  for (const readings of byMeter.values()) {
    for (const reading of readings) {
      if (!isUnit(reading.unit)) continue;
      const negative = reading.value.startsWith('-');
      let micro: number;
      try {
        micro = toMicroUnits(negative ? reading.value.slice(1) : reading.value, reading.unit, reading.unit);
      } catch {
        continue;
      }
      totals.set(reading.unit, addQuantities(totals.get(reading.unit) ?? 0, negative ? -micro : micro));
    }
  }
  return Object.fromEntries([...totals.entries()].map(([unit, micro]) => [unit, formatMicro(micro)]));
}

/** `audit`: who to record in the audit trail with every day written (staff uploads). */
export async function importReads(deps: IngestReadsDeps, file: ReadsFile, by: string, dryRun = false, audit?: Omit<ReadsAudit, 'details'>): Promise<ImportSummary> {
  const byMeter = readingsOfFile(file);
  const ref = `import-${createHash('sha256').update(file.content).digest('hex').slice(0, 16)}`;
  const summary: ImportSummary = { meters: byMeter.size, readings: 0, totals: fileTotals(byMeter), added: 0, unchanged: 0, estimated: 0, held: 0, flagged: 0, results: [] };
  for (const [meterId, readings] of byMeter) {
    summary.readings += readings.length;
    if (dryRun) continue;
    const parts = [];
    for (let offset = 0; offset < readings.length; offset += IMPORT_CHUNK) parts.push({ readings: readings.slice(offset, offset + IMPORT_CHUNK), ref });
    // A file is a deliberate load of past data: backfill (no too-old rule).
    const result = await ingestMeterReadings(deps, meterId, parts, by, { backfill: true, ...(audit ? { audit: { ...audit, details: { file: ref, format: file.format } } } : {}) });
    summary.results.push(result);
    summary.added += result.added;
    summary.unchanged += result.unchanged;
    summary.estimated += result.estimated;
    summary.held += result.held;
    summary.flagged += result.flagged;
  }
  return summary;
}
