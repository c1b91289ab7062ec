/**
 * Bulk interval files as CSV: a header naming the columns meterId, start, durationSec, value,
 * unit (any order, extra columns ignored), one reading per line. Quoted fields are allowed.
 */
import { splitCsvLine } from './csv-line';
import { InvalidInput } from './errors';
import type { ReadingInput } from './reads';

export const CSV_COLUMNS = ['meterId', 'start', 'durationSec', 'value', 'unit'] as const;
export const MAX_CSV_LINES = 2_000_000;

/** Readings per meter id, in file order. InvalidInput names the line of the first problem. */
export function parseReadsCsv(text: string): Map<string, ReadingInput[]> {
  const lines = text.replace(/^\uFEFF/, '').split(/\r?\n/);
  const header = splitCsvLine(lines[0] ?? '', true);
  const column = Object.fromEntries(CSV_COLUMNS.map((name) => [name, header.indexOf(name)])) as Record<(typeof CSV_COLUMNS)[number], number>;
  const missing = CSV_COLUMNS.filter((name) => column[name] < 0);
  if (missing.length > 0) throw new InvalidInput(`line 1: the header must name the columns ${CSV_COLUMNS.join(', ')}; missing ${missing.join(', ')}`, [{ path: 'line 1', message: 'bad header' }]);
  if (lines.length > MAX_CSV_LINES) throw new InvalidInput(`a file may hold at most ${MAX_CSV_LINES} lines`);
  const byMeter = new Map<string, ReadingInput[]>();
  for (let index = 1; index < lines.length; index++) {
    const line = lines[index]!;
    if (line.trim() === '') continue;
    const at = `line ${index + 1}`;
    let row: string[];
    try {
      row = splitCsvLine(line, true);
    } catch (error) {
      throw new InvalidInput(`${at}: ${(error as Error).message}`, [{ path: at, message: (error as Error).message }]);
    }
    const meterId = row[column.meterId] ?? '';
    if (!/^[A-Za-z0-9_-]{1,64}$/.test(meterId)) throw new InvalidInput(`${at}: meterId ${JSON.stringify(meterId)} may contain only letters, digits, "_" and "-"`, [{ path: at, message: 'bad meterId' }]);
    const duration = row[column.durationSec] ?? '';
    if (!/^\d{1,6}$/.test(duration)) throw new InvalidInput(`${at}: durationSec ${JSON.stringify(duration)} is not a whole number of seconds`, [{ path: at, message: 'bad durationSec' }]);
    const reading: ReadingInput = { start: row[column.start] ?? '', durationSec: Number(duration), value: row[column.value] ?? '', unit: row[column.unit] ?? '' };
    const list = byMeter.get(meterId);
    if (list) list.push(reading);
    else byMeter.set(meterId, [reading]);
  }
  if (byMeter.size === 0) throw new InvalidInput('the file holds no readings');
  return byMeter;
}
