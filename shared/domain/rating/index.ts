/** The rating engine's public surface: tariff documents (own or OpenEI URDB), usage, bills. */
import { parseTariffDocument, type TariffDocument } from './schema';
import { importUrdb, isUrdbDocument, type UrdbImportOptions } from './urdb';

export * from './schema';
export * from './engine';
export * from './bills';
export * from './usage';
export { importUrdb, importUrdbItem, isUrdbDocument, UnsupportedUrdbField, type UrdbImportOptions } from './urdb';

/**
 * A tariff from JSON: the project's own document (`"format": "cis-tariff/1"`) or OpenEI URDB
 * (one rate, `{"items":[...]}` or an array; `label` picks one of several, `history` dates the
 * items of one rate as versions).
 */
export function loadTariff(json: unknown, options: UrdbImportOptions = {}): TariffDocument {
  if (json && typeof json === 'object' && !Array.isArray(json) && 'format' in json) {
    const doc = parseTariffDocument(json);
    return options.timeZone ? { ...doc, timeZone: options.timeZone } : doc;
  }
  if (isUrdbDocument(json)) return importUrdb(json, options);
  return parseTariffDocument(json);
}
export { canonicalJson, planTariffUpdate, TariffHistoryConflict, type TariffUpdate } from './history';
