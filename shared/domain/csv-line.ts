/**
 * One line of a one-reading-per-line CSV file split into trimmed fields. A quoted field may hold
 * commas and "" for a quote. (Migration files, whose quoted fields may span lines, use
 * `customers/csv`.)
 */
import { InvalidInput } from './errors';

/** The fields of `line`; with `requireClosedQuotes` an unterminated quoted field is InvalidInput, otherwise it runs to the end of the line. */
export function splitCsvLine(line: string, requireClosedQuotes = false): string[] {
  if (!line.includes('"')) return line.split(',').map((field) => field.trim());
  const fields: string[] = [];
  let current = '';
  let quoted = false;
  for (let index = 0; index < line.length; index++) {
    const char = line[index]!;
    if (quoted) {
      if (char === '"' && line[index + 1] === '"') {
        current += '"';
        index++;
      } else if (char === '"') quoted = false;
      else current += char;
    } else if (char === '"') quoted = true;
    else if (char === ',') {
      fields.push(current.trim());
      current = '';
    } else current += char;
  }
  if (quoted && requireClosedQuotes) throw new InvalidInput('an unterminated quoted field');
  fields.push(current.trim());
  return fields;
}
