/** Test helpers: tariffs from fixtures, and usage CSV text generated from a function. */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { parseTariffDocument, parseUsageCsv, type TariffDocument, type UsageSeries } from '../../../../shared/domain/rating';

export const FIXTURES = path.resolve(__dirname, '../../../fixtures');

export function fixtureTariff(name: string): TariffDocument {
  return parseTariffDocument(JSON.parse(readFileSync(path.join(FIXTURES, 'tariffs', name), 'utf8')));
}

function pad(n: number): string {
  return String(n).padStart(2, '0');
}

/** CSV text of intervals from `from` (YYYY-MM-DD, local) for `days` days, `value(date, hour, minute)` per interval. */
export function usageCsv(from: string, days: number, intervalMin: number, value: (date: string, hour: number, minute: number) => string): string {
  const rows = ['start,value'];
  const start = Date.UTC(Number(from.slice(0, 4)), Number(from.slice(5, 7)) - 1, Number(from.slice(8, 10)));
  for (let t = 0; t < days * 1440; t += intervalMin) {
    const at = new Date(start + t * 60_000);
    const date = at.toISOString().slice(0, 10);
    rows.push(`${date}T${pad(at.getUTCHours())}:${pad(at.getUTCMinutes())}:00,${value(date, at.getUTCHours(), at.getUTCMinutes())}`);
  }
  return `${rows.join('\n')}\n`;
}

export function usage(from: string, days: number, intervalMin: number, value: (date: string, hour: number, minute: number) => string, timeZone = 'UTC'): UsageSeries {
  return parseUsageCsv(usageCsv(from, days, intervalMin, value), timeZone);
}

/** Lines as [description, quantity, rate, amount] for compact expectations. */
export function compact(lines: Array<{ description: string; quantity: string; rate: string; amount: string }>): Array<[string, string, string, string]> {
  return lines.map((line) => [line.description, line.quantity, line.rate, line.amount]);
}
