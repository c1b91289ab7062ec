/**
 * `cis rate --tariff FILE --usage FILE.csv [--from YYYY-MM-DD --to YYYY-MM-DD]`: rates interval
 * usage with a tariff (the project's JSON or OpenEI URDB JSON) and prints one bill per calendar
 * month as JSON, amounts as decimal strings. Parts of the tariff that no charge prices (its
 * `notes`, e.g. URDB attrs) are printed to stderr as one warning line each.
 */
import { readFileSync } from 'node:fs';
import { Command, InvalidArgumentError } from 'commander';
import { isCalendarDate } from '../../shared/domain/calendar';
import { loadTariff, parseRatingContext, parseUsageCsv, rateMonths, type RatingContext } from '../../shared/domain/rating';

function date(value: string): string {
  if (!isCalendarDate(value)) throw new InvalidArgumentError('a calendar date YYYY-MM-DD.');
  return value;
}

function meters(value: string): number {
  if (!/^[1-9]\d{0,3}$/.test(value)) throw new InvalidArgumentError('a whole number of meters from 1 to 9999.');
  return Number(value);
}

function readJson(file: string, what: string): unknown {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    throw new Error(`cannot read the ${what} file ${file}: ${(error as Error).message}`);
  }
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new Error(`the ${what} file ${file} is not JSON: ${(error as Error).message}`);
  }
}

interface RateOptions {
  tariff: string;
  usage: string;
  from?: string;
  to?: string;
  label?: string;
  timeZone?: string;
  context?: string;
  meterSize?: string;
  serviceClass?: string;
  meters?: number;
  history?: boolean;
}

export function registerRate(program: Command): void {
  program
    .command('rate')
    .description('rate interval usage (CSV start,value[,durationSec]) with a tariff (cis-tariff JSON or OpenEI URDB JSON); prints monthly bills as JSON')
    .requiredOption('--tariff <file>', 'tariff JSON: the project format or OpenEI URDB (a rate, {"items":[...]} or an array)')
    .requiredOption('--usage <file>', 'usage CSV with a header: start,value[,durationSec]')
    .option('--from <date>', 'first day billed (default: the first day of the usage)', date)
    .option('--to <date>', 'last day billed (default: the last day of the usage)', date)
    .option('--label <label>', 'the URDB item to use when the file has several')
    .option('--history', 'date the URDB items of one rate (same utility and name; with --label, the rate of that item) as versions by startdate, prorating bills across a change')
    .option('--time-zone <zone>', "the tariff's IANA time zone (URDB has none: UTC wall-clock by default)")
    .option('--context <file>', 'JSON rating context: meterSize, serviceClass, taxExemptions, winterAverage, imperviousArea, stormwaterCreditPercent, demandHistory')
    .option('--meter-size <size>', 'meter size for fixed charges keyed by meter size')
    .option('--service-class <class>', 'service class for fixed charges keyed by class and for tax exemptions')
    .option('--meters <n>', 'meters on the account: fixed charges per additional meter are charged n - 1 times (default 1)', meters)
    .action((options: RateOptions) => {
      const tariff = loadTariff(readJson(options.tariff, 'tariff'), {
        ...(options.label ? { label: options.label } : {}),
        ...(options.timeZone ? { timeZone: options.timeZone } : {}),
        ...(options.history ? { history: true } : {}),
      });
      for (const note of tariff.notes ?? []) process.stderr.write(`warning: ${note}\n`);
      let csv: string;
      try {
        csv = readFileSync(options.usage, 'utf8');
      } catch (error) {
        throw new Error(`cannot read the usage file ${options.usage}: ${(error as Error).message}`);
      }
      const usage = parseUsageCsv(csv, tariff.timeZone, options.usage);
      const context: RatingContext = options.context ? parseRatingContext(readJson(options.context, 'context')) : {};
      if (options.meterSize) context.meterSize = options.meterSize;
      if (options.serviceClass) context.serviceClass = options.serviceClass;
      if (options.meters !== undefined) context.meters = options.meters;
      const result = rateMonths(tariff, usage, { ...(options.from ? { from: options.from } : {}), ...(options.to ? { to: options.to } : {}), context });
      const output = {
        bills: result.bills.map((bill) => ({ periodStart: bill.periodStart, periodEnd: bill.periodEnd, lines: bill.lines, total: bill.total })),
        total: result.total,
      };
      process.stdout.write(`${JSON.stringify(output, null, 2)}\n`);
    });
}
