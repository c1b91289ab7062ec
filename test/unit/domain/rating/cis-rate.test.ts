/** `npx cis rate` as a subprocess: the JSON it prints, and the error for a bad CSV line. */
import { spawnSync } from 'node:child_process';
import path from 'node:path';

const ROOT = path.resolve(__dirname, '../../../..');
const fixture = (...parts: string[]) => path.join(ROOT, 'test/fixtures', ...parts);

function cis(args: string[]) {
  return spawnSync('npx', ['cis', 'rate', ...args], { cwd: ROOT, encoding: 'utf8', timeout: 60_000 });
}

describe('npx cis rate', () => {
  it('prints one bill per calendar month with decimal-string amounts', () => {
    const run = cis(['--tariff', fixture('tariffs/res-tou-baseline.json'), '--usage', fixture('usage/flat-1kw-2024-01-15min.csv')]);
    expect(run.stderr).toBe('');
    expect(run.status).toBe(0);
    const output = JSON.parse(run.stdout) as { bills: Array<{ periodStart: string; periodEnd: string; lines: Array<Record<string, string>>; total: string }>; total: string };
    expect(Object.keys(output)).toEqual(['bills', 'total']);
    expect(Object.keys(output.bills[0]!)).toEqual(['periodStart', 'periodEnd', 'lines', 'total']);
    // The worked example of engine.test.ts (January 2024, flat 1 kW): 102.00.
    expect(output.bills.map((bill) => [bill.periodStart, bill.periodEnd, bill.total])).toEqual([['2024-01-01', '2024-01-31', '102.00']]);
    expect(output.total).toBe('102.00');
    for (const line of output.bills[0]!.lines) {
      expect(Object.keys(line)).toEqual(['description', 'quantity', 'unit', 'rate', 'amount', 'periodStart', 'periodEnd', 'category']);
      expect(line.amount).toMatch(/^-?\d+\.\d{2}$/);
    }
  });

  it('rates water with a context file and splits the range by --from/--to', () => {
    const run = cis(['--tariff', fixture('tariffs/water-sewer-stormwater.json'), '--usage', fixture('usage/water-daily-2024-07.csv'), '--context', fixture('usage/water-context.json'), '--from', '2024-07-01', '--to', '2024-07-14']);
    expect(run.status).toBe(0);
    const output = JSON.parse(run.stdout) as { bills: Array<{ total: string; lines: Array<{ description: string; amount: string }> }>; total: string };
    // July 1-14 (14/31 of the month): base 15.20 x 14/31 = 6.864... -> 6.86; 4.2 kgal in tier 1
    // (limit 6 x 14/31 = 2.709677): 2 kgal (whole kgal, down) x 4 = 8.00 and 1.490323 -> 1 x 6 = 6.00;
    // no drought surcharge yet; sewer min(4.2, 5 x 14/31 = 2.258065) -> 2.258065 x 5.50 = 12.4193575 -> 12.42;
    // stormwater 1.2 x 8.25 x 14/31 = 4.4709677 -> 4.47, credit 20% -0.89. Total 36.86
    expect(output.bills[0]!.lines.map((line) => line.amount)).toEqual(['6.86', '8.00', '6.00', '12.42', '4.47', '-0.89']);
    expect(output.total).toBe('36.86');
  });

  it('rates a published water and wastewater schedule (City of Portland, Texas) with a context file', () => {
    const run = cis(['--tariff', fixture('tariffs/portland-tx-water-wastewater-residential.json'), '--usage', fixture('usage/portland-water-daily-2024-07.csv'), '--context', fixture('usage/portland-residential-context.json')]);
    expect(run.stderr).toBe('');
    expect(run.status).toBe(0);
    const output = JSON.parse(run.stdout) as { bills: Array<{ periodStart: string; periodEnd: string; lines: Array<{ description: string; quantity: string; amount: string }>; total: string }>; total: string };
    // July 2024, 18.3 kgal on a 0.625-inch meter, winter average 6.4 kgal (published-tariffs.test.ts):
    // 13.84 + 13 x 3.02 (39.26) + 6 x 3.08 (18.48, "each thousand gallons or part") + 26.59 + 6.4 x 0.93 (5.95) = 104.12
    expect(output.bills.map((bill) => [bill.periodStart, bill.periodEnd, bill.total])).toEqual([['2024-07-01', '2024-07-31', '104.12']]);
    expect(output.bills[0]!.lines.map((line) => [line.quantity, line.amount])).toEqual([['1', '13.84'], ['13', '39.26'], ['6', '18.48'], ['1', '26.59'], ['6.4', '5.95']]);
  });

  it('rates a published URDB item (SMUD CI-TOD3) in its time zone from hourly usage', () => {
    const run = cis(['--tariff', fixture('tariffs/urdb-smud-ci-tod3-2025.json'), '--usage', fixture('usage/flat-500kw-2026-01-hourly.csv'), '--time-zone', 'America/Los_Angeles']);
    expect(run.stderr).toBe('');
    expect(run.status).toBe(0);
    const output = JSON.parse(run.stdout) as { bills: Array<{ lines: Array<{ amount: string }>; total: string }>; total: string };
    // January 2026 at 500 kW (published-tariffs.test.ts): 2339.50 + 55,000 kWh x 0.1408 (7744.00)
    // + 240,000 x 0.1163 (27912.00) + 77,000 x 0.0753 (5798.10) + 0 + 500 kW x 5.539 (2769.50) = 46563.10
    expect(output.bills[0]!.lines.map((line) => line.amount)).toEqual(['2339.50', '7744.00', '27912.00', '5798.10', '0.00', '2769.50']);
    expect(output.total).toBe('46563.10');
  });

  it('fails with the file and line of a bad CSV row', () => {
    const run = cis(['--tariff', fixture('tariffs/water-sewer-stormwater.json'), '--usage', fixture('usage/bad-line.csv')]);
    expect(run.status).toBe(1);
    expect(run.stdout).toBe('');
    expect(run.stderr).toMatch(/bad-line\.csv line 4: value "abc" is not a decimal number/);
  });

  it('dates the URDB items of one rate with --history, charges additional meters with --meters, warns about attrs on stderr', () => {
    const tariff = fixture('tariffs/urdb-example-dated-items.json');
    const usageFile = fixture('usage/flat-1kw-2024-01-15min.csv');
    const run = cis(['--tariff', tariff, '--usage', usageFile, '--history', '--meters', '2']);
    expect(run.status).toBe(0);
    // One warning line per attribute; stdout stays the bills JSON.
    expect(run.stderr.trim().split('\n')).toEqual(['warning: URDB example-gs-2023 energyattrs: "Voltage discount" = "2% for primary service" is not priced by this rating (the tariff\'s own text; check it applies)']);
    const output = JSON.parse(run.stdout) as { bills: Array<{ lines: Array<{ description: string; amount: string }> }>; total: string };
    // January 2024 at 1 kW (744 kWh); the 2024 item starts on January 16.
    // Jan 1-15: fixed 10 x 15/31 = 4.8387 -> 4.84; 1 additional meter 4 x 15/31 = 1.9354 -> 1.94; 360 kWh x 0.10 = 36.00
    // Jan 16-31: fixed 20 x 16/31 = 10.3225 -> 10.32; additional 4 x 16/31 = 2.0645 -> 2.06; 384 kWh x 0.20 = 76.80
    expect(output.bills[0]!.lines.map((line) => line.amount)).toEqual(['4.84', '1.94', '36.00', '10.32', '2.06', '76.80']);
    expect(output.total).toBe('131.96');

    const one = cis(['--tariff', tariff, '--usage', usageFile, '--label', 'example-gs-2024']);
    expect(one.status).toBe(0);
    expect(one.stderr).toBe('');
    // 20.00 + 744 x 0.20 = 148.80: 168.80 (one meter: no additional charge).
    expect((JSON.parse(one.stdout) as { total: string }).total).toBe('168.80');

    const ambiguous = cis(['--tariff', tariff, '--usage', usageFile]);
    expect(ambiguous.status).toBe(1);
    expect(ambiguous.stdout).toBe('');
    expect(ambiguous.stderr).toMatch(/2 items; choose one by label \(example-gs-2023, example-gs-2024\), or give history/);
  });
});
