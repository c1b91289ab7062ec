import { readFileSync } from 'node:fs';
import path from 'node:path';
import { validateXML } from 'xmllint-wasm';
import { buildUsageFeed, nameUuid, parseUsageFeed, scaledDecimal, type UsageFeedInput } from '../../../../shared/domain/greenbutton/espi';
import { toMicroUnits } from '../../../../shared/domain/units';

const STANDARDS = path.resolve(__dirname, '../../../fixtures/greenbutton/standard');
const espiXsd = readFileSync(path.join(STANDARDS, 'espi.xsd'), 'utf8');
const atomXsd = readFileSync(path.join(__dirname, '../../../fixtures/greenbutton/atom.xsd'), 'utf8');

/** Each ESPI resource inside an entry's content, as its own document (how espi.xsd validates them). */
function resources(xml: string): Array<{ name: string; xml: string }> {
  return [...xml.matchAll(/<content>\s*(<(UsagePoint|MeterReading|ReadingType|IntervalBlock)\b[\s\S]*?(?:<\/\2>|\/>))\s*<\/content>/g)].map((m) => ({ name: m[2]!, xml: `<?xml version="1.0" encoding="UTF-8"?>\n${m[1]}` }));
}

async function validate(xml: string) {
  return validateXML({ xml: [{ fileName: 'resource.xml', contents: xml }], schema: [{ fileName: 'espi.xsd', contents: espiXsd }], preload: [{ fileName: 'atom.xsd', contents: atomXsd }] });
}

const hour = 3600;
const start = Date.parse('2026-01-05T00:00:00-07:00') / 1000;
const input: UsageFeedInput = {
  feedId: nameUuid('feed'),
  title: 'Green Button usage of account A0001',
  base: '/espi/1_1/resource/RetailCustomer/C0001',
  updated: '2026-01-10T12:00:00Z',
  usagePoints: [
    {
      id: 'M0001',
      title: 'Meter M0001',
      unit: 'kWh',
      intervalLengthSec: hour,
      blocks: [
        {
          startEpochSec: start,
          durationSec: 86_400,
          intervals: [
            { startEpochSec: start, durationSec: hour, quantityMicro: 1_250_000, quality: 'A' },
            { startEpochSec: start + hour, durationSec: hour, quantityMicro: 1_000_001, quality: 'E', method: 'linear' },
            { startEpochSec: start + 2 * hour, durationSec: hour, quantityMicro: 0, quality: 'M' },
          ],
        },
      ],
    },
    { id: 'M0002', title: 'Water meter', unit: 'ccf', intervalLengthSec: 86_400, blocks: [{ startEpochSec: start, durationSec: 86_400, intervals: [{ startEpochSec: start, durationSec: 86_400, quantityMicro: 1_500_000, quality: 'A' }] }] },
  ],
};

describe('Green Button export', () => {
  const xml = buildUsageFeed(input, (name) => nameUuid(Buffer.from(name).toString('hex')));

  it('writes UsagePoint, MeterReading, ReadingType and IntervalBlock resources that validate against espi.xsd', async () => {
    const found = resources(xml);
    expect(found.map((r) => r.name)).toEqual(['UsagePoint', 'MeterReading', 'ReadingType', 'IntervalBlock', 'UsagePoint', 'MeterReading', 'ReadingType', 'IntervalBlock']);
    for (const resource of found) {
      const result = await validate(resource.xml);
      expect({ name: resource.name, errors: result.errors.map((e) => e.rawMessage) }).toEqual({ name: resource.name, errors: [] });
    }
  });

  it('the validation can fail: an element out of the schema order is refused', async () => {
    const broken = resources(xml).find((r) => r.name === 'ReadingType')!.xml.replace(/<uom>72<\/uom>/, '').replace('<accumulationBehaviour>', '<uom>72</uom><accumulationBehaviour>');
    expect((await validate(broken)).valid).toBe(false);
  });

  it('reads back exactly what it wrote (units and qualities included)', () => {
    const [electric, water] = parseUsageFeed(xml);
    expect(electric?.readings.map((r) => toMicroUnits(r.value, r.unit, 'kWh'))).toEqual([1_250_000, 1_000_001, 0]);
    expect(water?.readings).toEqual([{ start: '2026-01-05T07:00:00Z', durationSec: 86_400, value: '1.5', unit: 'ccf' }]);
    expect(electric?.usagePointHref).toBe('/espi/1_1/resource/RetailCustomer/C0001/UsagePoint/M0001');
  });
});

describe('Green Button import', () => {
  const sample = readFileSync(path.join(STANDARDS, 'sample-usage-feed.xml'), 'utf8');

  it('imports the sample feed and its totals match the file', () => {
    const parsed = parseUsageFeed(sample);
    const readings = parsed.flatMap((p) => p.readings);
    // the file's own total: every <value> inside an <IntervalReading>, in Wh (uom 72, power of ten 0)
    const fileTotal = [...sample.matchAll(/<IntervalReading>[\s\S]*?<value>(\d+)<\/value>[\s\S]*?<\/IntervalReading>/g)].reduce((sum, m) => sum + Number(m[1]), 0);
    expect(readings).toHaveLength(1340);
    expect(readings.every((r) => r.unit === 'Wh' && r.durationSec === 900)).toBe(true);
    const total = readings.reduce((sum, r) => sum + toMicroUnits(r.value, r.unit, 'kWh'), 0);
    expect(total).toBe(fileTotal * 1000);
  });

  it('imports a feed written elsewhere: prefixes, a ReadingType inside the MeterReading, blocks without an up link', () => {
    const xml = readFileSync(path.join(__dirname, '../../../fixtures/greenbutton/prefixed-gas-feed.xml'), 'utf8');
    const [gas] = parseUsageFeed(xml);
    expect(gas?.usagePointHref).toMatch(/UsagePoint\/GAS-77$/);
    expect(gas?.readings).toEqual([
      { start: '2025-01-01T07:00:00Z', durationSec: 86400, value: '2.15', unit: 'therm' },
      { start: '2025-01-02T07:00:00Z', durationSec: 86400, value: '3.005', unit: 'therm' },
    ]);
  });

  it('reads the sample subscription feed: a MeterReading without interval data', () => {
    const parsed = parseUsageFeed(readFileSync(path.join(STANDARDS, 'sample-subscription-feed.xml'), 'utf8'));
    expect(parsed.map((p) => p.readings.length)).toEqual([0]);
  });

  it.each([
    ['not XML', 'hello', /not well-formed|not an Atom feed/],
    ['unbalanced XML', '<feed><entry></feed>', /not well-formed|not an Atom feed/],
    ['an unsupported unit', '<feed xmlns="http://www.w3.org/2005/Atom"><entry><link rel="self" href="/MR/1"/><link rel="related" href="/ReadingType/1"/><content><MeterReading/></content></entry><entry><link rel="self" href="/ReadingType/1"/><content><ReadingType><uom>42</uom></ReadingType></content></entry></feed>', /uom 42 is not supported/],
    ['a value that is not an integer', '<feed><entry><link rel="self" href="/MR/1"/><link rel="related" href="/ReadingType/1"/><content><MeterReading/></content></entry><entry><link rel="self" href="/ReadingType/1"/><content><ReadingType><uom>72</uom></ReadingType></content></entry><entry><link rel="up" href="/MR/1/IntervalBlock"/><content><IntervalBlock><IntervalReading><timePeriod><duration>900</duration><start>0</start></timePeriod><value>1.5</value></IntervalReading></IntervalBlock></content></entry></feed>', /not an integer/],
  ])('refuses %s', (_case, xml, message) => {
    expect(() => parseUsageFeed(xml)).toThrow(message);
  });

  it.each([
    ['282', 0, '282'],
    ['282', -3, '0.282'],
    ['5', -3, '0.005'],
    ['1500', -3, '1.5'],
    ['0', 3, '0'],
    ['12', 2, '1200'],
    ['-5', -1, '-0.5'],
  ] as const)('%s x 10^%i = %s', (value, exponent, expected) => expect(scaledDecimal(value, exponent)).toBe(expected));
});
