/**
 * Rating throughput on one core: monthly bills per second for
 * - a residential tiered time-of-use bill (per-day fixed charge, 4 TOU periods x 2 baseline tiers
 *   on the total, a percentage rider and a tax) from a 31-day month of 15-minute intervals;
 * - a commercial TOU demand bill (fixed, 2 TOU energy periods, facility demand with a ratchet,
 *   tiered on-peak demand, minimum) from the same month.
 * Usage is parsed once; each iteration rates one bill from the interval arrays (integer
 * aggregation through the 2x12x24 period lookup, Decimal only per line). Target: >= 10,000/s.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { parseTariffDocument, parseUsageCsv, rateBill, type RatingContext, type TariffDocument, type UsageSeries } from '../../shared/domain/rating';

const fixtures = path.resolve(__dirname, '../fixtures/tariffs');
const tariff = (name: string) => parseTariffDocument(JSON.parse(readFileSync(path.join(fixtures, name), 'utf8')));

/** A deterministic 15-minute load shape for January 2024 (2,976 intervals), values with 3 decimals. */
function januaryCsv(scale: number): string {
  const rows = ['start,value'];
  let seed = 12345;
  for (let i = 0; i < 31 * 96; i++) {
    seed = (seed * 1103515245 + 12345) % 2147483648;
    const day = Math.floor(i / 96) + 1;
    const minutes = (i % 96) * 15;
    const hour = Math.floor(minutes / 60);
    const kwh = ((hour >= 17 && hour < 21 ? 600 : 200) + (seed % 400)) * scale;
    rows.push(`2024-01-${String(day).padStart(2, '0')}T${String(hour).padStart(2, '0')}:${String(minutes % 60).padStart(2, '0')}:00,${(kwh / 1000).toFixed(3)}`);
  }
  return rows.join('\n');
}

function bench(name: string, doc: TariffDocument, usage: UsageSeries, context: RatingContext): void {
  const run = (n: number) => {
    let last = '';
    for (let i = 0; i < n; i++) last = rateBill(doc, usage, '2024-01-01', '2024-01-31', context).total;
    return last;
  };
  run(2000); // warm-up
  const iterations = 20000;
  const started = process.hrtime.bigint();
  const total = run(iterations);
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  const perSecond = Math.round(iterations / seconds);
  console.log(`${name}: ${perSecond.toLocaleString('en-US')} bills/s on one core (${((seconds / iterations) * 1e6).toFixed(1)} us/bill, ${usage.length} intervals, bill total ${total}) ${perSecond >= 10000 ? 'OK' : 'BELOW the 10,000/s target'}`);
}

const residential = tariff('res-tou-baseline.json');
const commercial = tariff('commercial-tou-demand.json');
bench('residential tiered TOU', residential, parseUsageCsv(januaryCsv(1), residential.timeZone), {});
bench('commercial TOU demand', commercial, parseUsageCsv(januaryCsv(20), commercial.timeZone), { demandHistory: [{ month: '2023-12', peakKw: '80' }] });

// CSV parsing (not part of the bills/s above): a year of 15-minute rows without offsets.
{
  const rows = ['start,value'];
  for (let i = 0; i < 365 * 96; i++) rows.push(`${new Date(Date.UTC(2023, 0, 1) + i * 900_000).toISOString().slice(0, 19)},0.${(i * 7919) % 1000}`);
  const text = rows.join('\n');
  parseUsageCsv(text, 'America/Denver');
  const started = process.hrtime.bigint();
  const series = parseUsageCsv(text, 'America/Denver');
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  console.log(`usage CSV parsing: ${Math.round(series.length / seconds).toLocaleString('en-US')} rows/s (${series.length} rows in ${seconds.toFixed(3)} s, America/Denver)`);
}
