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

  it('fails with the file and line of a bad CSV row', () => {
    const run = cis(['--tariff', fixture('tariffs/water-sewer-stormwater.json'), '--usage', fixture('usage/bad-line.csv')]);
    expect(run.status).toBe(1);
    expect(run.stdout).toBe('');
    expect(run.stderr).toMatch(/bad-line\.csv line 4: value "abc" is not a decimal number/);
  });
});
