/** Usage CSV: local times, offsets, DST, inferred durations, demand, and errors that name the line. */
import { parseUsageCsv, InvalidUsageFile, demandOf, decimalToMicro } from '../../../../shared/domain/rating';

describe('parseUsageCsv', () => {
  it('reads local times, infers the interval and derives demand in micro-kW', () => {
    const series = parseUsageCsv('start,value\n2024-01-01T00:00:00,0.25\n2024-01-01T00:15:00,1.5\n2024-01-01T00:30:00,0\n', 'America/Denver');
    expect(series.length).toBe(3);
    expect(Array.from(series.durationSec)).toEqual([900, 900, 900]);
    expect(Array.from(series.value)).toEqual([250_000, 1_500_000, 0]);
    // 0.25 kWh in 15 minutes = 1 kW; 1.5 kWh = 6 kW.
    expect(Array.from(series.demand)).toEqual([1_000_000, 6_000_000, 0]);
    expect(Array.from(series.hour)).toEqual([0, 0, 0]);
    // 2024-01-01T00:00 in Denver is 07:00 UTC.
    expect(series.epochSec[0]).toBe(Date.UTC(2024, 0, 1, 7) / 1000);
  });

  it('puts a start with an offset at its local hour in the tariff zone', () => {
    const series = parseUsageCsv('start,value,durationSec\n2024-07-01T00:00:00Z,1,3600\n', 'America/Denver');
    // 00:00 UTC is 18:00 MDT the day before.
    expect(series.hour[0]).toBe(18);
    expect(series.localDay[0]).toBe(Date.UTC(2024, 5, 30) / 86_400_000);
  });

  it('reads the repeated hour of a DST fall-back as two hours, in file order', () => {
    const rows = ['start,value', '2024-11-03T00:00:00,1', '2024-11-03T01:00:00,1', '2024-11-03T01:00:00,1', '2024-11-03T02:00:00,1'];
    const series = parseUsageCsv(rows.join('\n'), 'America/Denver');
    expect(Array.from(series.epochSec, (t, i) => (i ? t - series.epochSec[i - 1]! : 0))).toEqual([0, 3600, 3600, 3600]);
  });

  it('reads a file with a time in the spring-forward gap as standard time all year (8760-hour profiles)', () => {
    const rows = ['start,value', '2024-03-10T01:00:00,1', '2024-03-10T02:00:00,2', '2024-03-10T03:00:00,3', '2024-07-01T12:00:00,4'];
    const series = parseUsageCsv(rows.join('\n'), 'America/Denver');
    // Every start at MST (UTC-7), the wall-clock hours as written.
    expect(Array.from(series.hour)).toEqual([1, 2, 3, 12]);
    expect(series.epochSec[1]! - series.epochSec[0]!).toBe(3600);
    expect(series.epochSec[3]).toBe(Date.UTC(2024, 6, 1, 19) / 1000);
    expect(Array.from(series.durationSec)).toEqual([3600, 3600, 3600, 3600]);
  });

  it.each([
    ['no header columns', 'time,kwh\n2024-01-01T00:00:00,1\n', /line 1: the header must name the columns start and value/],
    ['a bad value', 'start,value\n2024-01-01T00:00:00,1\n2024-01-01T01:00:00,1e3\n', /line 3: value "1e3"/],
    ['too many decimals', 'start,value\n2024-01-01T00:00:00,0.1234567\n2024-01-01T01:00:00,1\n', /line 2: value "0.1234567"/],
    ['a bad date', 'start,value\n2024-02-30T00:00:00,1\n2024-03-01T00:00:00,1\n', /line 2: start "2024-02-30T00:00:00" is not a valid date-time/],
    ['out of order', 'start,value\n2024-01-01T01:00:00,1\n2024-01-01T00:00:00,1\n', /line 3: start is not after the start on line 2/],
    ['missing cells', 'start,value,durationSec\n2024-01-01T00:00:00,1\n', /line 2: expected 3 columns, found 2/],
    ['a bad duration', 'start,value,durationSec\n2024-01-01T00:00:00,1,15m\n', /line 2: durationSec "15m"/],
    ['overlapping intervals', 'start,value,durationSec\n2024-01-01T00:00:00,1,3600\n2024-01-01T00:30:00,1,1800\n', /line 3: interval overlaps the one on line 2/],
    ['a lone interval without a duration', 'start,value\n2024-01-01T00:00:00,1\n', /one interval alone needs a durationSec column/],
    ['an empty file', '', /the file is empty/],
  ])('refuses %s, naming the line', (_name, text, message) => {
    expect(() => parseUsageCsv(text, 'America/Denver', 'usage.csv')).toThrow(InvalidUsageFile);
    expect(() => parseUsageCsv(text, 'America/Denver', 'usage.csv')).toThrow(message);
  });
});

describe('integer helpers', () => {
  it.each([
    ['1', 1_000_000],
    ['0.000001', 1],
    ['-2.5', -2_500_000],
    ['12.340000', 12_340_000],
    ['1.0000001', undefined],
    ['1e3', undefined],
    ['', undefined],
  ])('decimalToMicro(%j) = %j', (text, micro) => {
    expect(decimalToMicro(text)).toBe(micro);
  });

  it.each([
    [250_000, 900, 1_000_000],
    [1, 900, 4],
    [1, 7200, 1], // 0.5 micro-kW rounds half up
    [1, 7201, 0],
    [-5, 900, 0], // exports have no demand
  ])('demandOf(%d micro-kWh, %d s) = %d micro-kW', (micro, seconds, demand) => {
    expect(demandOf(micro, seconds)).toBe(demand);
  });
});
