/**
 * Green Button (NAESB ESPI) Atom feeds: writing a usage feed (UsagePoint, MeterReading,
 * ReadingType, IntervalBlock per day) and reading one back into readings. Values are exact
 * integers: micro-units of the meter's unit map to an ESPI unit and a power of ten.
 */
import { XMLBuilder, XMLParser } from 'fast-xml-parser';
import { InvalidInput } from '../errors';
import { isoFromEpochSec } from '../calendar';
import type { ReadingInput, Quality } from '../reads';
import type { Unit } from '../units';
import type { EstimationMethod } from '../vee/estimate';

export const ATOM_NS = 'http://www.w3.org/2005/Atom';
export const ESPI_NS = 'http://naesb.org/espi';

/** How micro-units of a CIS unit are written: ESPI unit symbol, power of ten, factor on the micro-units. */
const UNIT_OUT: Record<Unit, { uom: number; powerOfTen: number; factor: bigint; commodity: number; serviceKind: number }> = {
  kWh: { uom: 72, powerOfTen: -3, factor: 1n, commodity: 1, serviceKind: 0 }, // micro-kWh = milli-Wh
  Wh: { uom: 72, powerOfTen: -6, factor: 1n, commodity: 1, serviceKind: 0 },
  gal: { uom: 128, powerOfTen: -6, factor: 1n, commodity: 9, serviceKind: 2 },
  ccf: { uom: 119, powerOfTen: -6, factor: 100n, commodity: 9, serviceKind: 2 }, // 1 micro-ccf = 100 micro-ft3
  therm: { uom: 169, powerOfTen: -6, factor: 1n, commodity: 7, serviceKind: 1 },
};

/** ESPI QualityOfReading of a stored interval. */
export function espiQuality(quality: Quality, method?: EstimationMethod): number | undefined {
  if (quality === 'M') return 7;
  if (quality === 'A') return undefined;
  if (method === 'linear') return 9;
  if (method === 'like-day') return 8;
  return 11;
}

export interface FeedInterval {
  startEpochSec: number;
  durationSec: number;
  quantityMicro: number;
  quality: Quality;
  method?: EstimationMethod;
}

export interface FeedUsagePoint {
  /** Path segment of the usage point (the meter id). */
  id: string;
  title: string;
  unit: Unit;
  intervalLengthSec: number;
  /** Blocks of intervals (one per local day), in order. */
  blocks: Array<{ startEpochSec: number; durationSec: number; intervals: FeedInterval[] }>;
}

export interface UsageFeedInput {
  feedId: string;
  title: string;
  /** Base of the resource links, e.g. "/espi/1_1/resource/RetailCustomer/C0001". */
  base: string;
  updated: string;
  usagePoints: FeedUsagePoint[];
}

const builder = new XMLBuilder({ ignoreAttributes: false, attributeNamePrefix: '@', format: true, suppressEmptyNode: true });

function entry(id: string, title: string, links: Array<[string, string]>, content: Record<string, unknown>, updated: string) {
  return {
    id: `urn:uuid:${id}`,
    link: links.map(([rel, href]) => ({ '@rel': rel, '@href': href })),
    title,
    content,
    published: updated,
    updated,
  };
}

/** A deterministic UUID-shaped id from a name (the same resource keeps its id between downloads). */
export function nameUuid(hex: string): string {
  const h = hex.padEnd(32, '0').slice(0, 32);
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-8${h.slice(17, 20)}-${h.slice(20, 32)}`.toUpperCase();
}

export function buildUsageFeed(input: UsageFeedInput, uuidOf: (name: string) => string): string {
  const entries: unknown[] = [];
  for (const point of input.usagePoints) {
    const unit = UNIT_OUT[point.unit];
    const up = `${input.base}/UsagePoint/${point.id}`;
    const mr = `${up}/MeterReading/01`;
    const rt = `${input.base}/ReadingType/${point.id}`;
    entries.push(
      entry(uuidOf(up), point.title, [['self', up], ['up', `${input.base}/UsagePoint`], ['related', `${up}/MeterReading`]], { UsagePoint: { '@xmlns': ESPI_NS, ServiceCategory: { kind: unit.serviceKind } } }, input.updated),
      entry(uuidOf(mr), `${point.title} interval data`, [['self', mr], ['up', `${up}/MeterReading`], ['related', `${mr}/IntervalBlock`], ['related', rt]], { MeterReading: { '@xmlns': ESPI_NS } }, input.updated),
      entry(
        uuidOf(rt),
        'Type of Meter Reading Data',
        [['self', rt], ['up', `${input.base}/ReadingType`]],
        {
          ReadingType: {
            '@xmlns': ESPI_NS,
            accumulationBehaviour: 4,
            commodity: unit.commodity,
            dataQualifier: 12,
            flowDirection: 1,
            intervalLength: point.intervalLengthSec,
            kind: 12,
            powerOfTenMultiplier: unit.powerOfTen,
            timeAttribute: 0,
            uom: unit.uom,
          },
        },
        input.updated,
      ),
    );
    for (const block of point.blocks) {
      const href = `${mr}/IntervalBlock/${block.startEpochSec}`;
      const readings = block.intervals.map((interval) => {
        const quality = espiQuality(interval.quality, interval.method);
        return {
          ...(quality === undefined ? {} : { ReadingQuality: { quality } }),
          timePeriod: { duration: interval.durationSec, start: interval.startEpochSec },
          value: (BigInt(interval.quantityMicro) * unit.factor).toString(),
        };
      });
      entries.push(
        entry(uuidOf(href), '', [['self', href], ['up', `${mr}/IntervalBlock`]], { IntervalBlock: { '@xmlns': ESPI_NS, interval: { duration: block.durationSec, start: block.startEpochSec }, IntervalReading: readings } }, input.updated),
      );
    }
  }
  const feed = {
    '?xml': { '@version': '1.0', '@encoding': 'UTF-8' },
    feed: { '@xmlns': ATOM_NS, id: `urn:uuid:${input.feedId}`, title: input.title, updated: input.updated, link: { '@rel': 'self', '@href': `${input.base}/UsagePoint` }, entry: entries },
  };
  return builder.build(feed) as string;
}

/** A Green Button file that cannot be imported. */
export class InvalidGreenButton extends InvalidInput {
  override name = 'InvalidGreenButton';
}

export interface ParsedMeterReading {
  usagePointHref: string;
  meterReadingHref: string;
  title: string;
  /** Readings in a CIS unit (decimal strings, exact), ready for ingestion. */
  readings: ReadingInput[];
}

const UNIT_IN: Record<number, { unit: Unit; shift: number }> = {
  72: { unit: 'Wh', shift: 0 },
  169: { unit: 'therm', shift: 0 },
  128: { unit: 'gal', shift: 0 },
  119: { unit: 'ccf', shift: -2 },
};

/** v x 10^exp as an exact decimal string. */
export function scaledDecimal(value: string, exponent: number): string {
  if (!/^-?\d+$/.test(value)) throw new InvalidGreenButton(`value ${JSON.stringify(value)} is not an integer`);
  const negative = value.startsWith('-');
  let digits = (negative ? value.slice(1) : value).replace(/^0+(?=\d)/, '');
  if (exponent >= 0) digits = digits === '0' ? '0' : digits + '0'.repeat(exponent);
  else {
    const padded = digits.padStart(-exponent + 1, '0');
    const whole = padded.slice(0, exponent);
    const fraction = padded.slice(exponent).replace(/0+$/, '');
    digits = fraction ? `${whole}.${fraction}` : whole;
  }
  return `${negative && digits !== '0' ? '-' : ''}${digits}`;
}

const parser = new XMLParser({
  ignoreAttributes: false,
  attributeNamePrefix: '@',
  removeNSPrefix: true,
  parseTagValue: false,
  processEntities: false,
  isArray: (name) => ['entry', 'link', 'IntervalReading', 'IntervalBlock'].includes(name),
});

type Node = Record<string, unknown>;
const asNode = (value: unknown): Node => (typeof value === 'object' && value !== null ? (value as Node) : {});
const text = (value: unknown): string | undefined => (typeof value === 'string' ? value.trim() : typeof value === 'number' ? String(value) : undefined);
const integer = (value: unknown, what: string): number => {
  const raw = text(value);
  if (raw === undefined || !/^-?\d{1,15}$/.test(raw)) throw new InvalidGreenButton(`${what} ${JSON.stringify(raw)} is not an integer`);
  return Number(raw);
};

/** Reads the interval data of every MeterReading of an ESPI usage feed. */
export function parseUsageFeed(xml: string): ParsedMeterReading[] {
  let document: Node;
  try {
    document = asNode(parser.parse(xml, true));
  } catch (error) {
    throw new InvalidGreenButton(`not well-formed XML: ${error instanceof Error ? error.message.split('\n')[0] : String(error)}`);
  }
  const feed = asNode(document['feed']);
  const entries = (feed['entry'] as Node[] | undefined) ?? [];
  if (!document['feed'] || entries.length === 0) throw new InvalidGreenButton('not an Atom feed with entries');
  const readingTypes = new Map<string, Node>();
  const meterReadings: Array<{ self: string; readingType?: string; title: string }> = [];
  const blocks = new Map<string, Node[]>();
  const usagePoints: string[] = [];
  for (const raw of entries) {
    const item = asNode(raw);
    const links = ((item['link'] as Node[] | undefined) ?? []).map((link) => ({ rel: text(link['@rel']) ?? '', href: text(link['@href']) ?? '' }));
    const self = links.find((link) => link.rel === 'self')?.href ?? '';
    const up = links.find((link) => link.rel === 'up')?.href ?? '';
    const content = asNode(item['content']);
    if (content['ReadingType'] !== undefined) readingTypes.set(self, asNode(content['ReadingType']));
    else if (content['UsagePoint'] !== undefined) usagePoints.push(self);
    else if (content['MeterReading'] !== undefined) {
      let readingType = links.find((link) => link.rel === 'related' && link.href.includes('/ReadingType'))?.href;
      const nested = asNode(content['MeterReading'])['ReadingType'];
      if (nested !== undefined) {
        // some feeds carry the ReadingType inside the MeterReading
        readingType = `${self}#ReadingType`;
        readingTypes.set(readingType, asNode(nested));
      }
      meterReadings.push({ self, title: text(item['title']) ?? '', ...(readingType ? { readingType } : {}) });
    } else if (content['IntervalBlock'] !== undefined) {
      const owner = up.replace(/\/IntervalBlock$/, '') || self.replace(/\/IntervalBlock\/[^/]*$/, '');
      const list = blocks.get(owner) ?? [];
      list.push(...((content['IntervalBlock'] as Node[]) ?? []));
      blocks.set(owner, list);
    }
  }
  // Feeds written elsewhere do not always link everything: a lone ReadingType or MeterReading is the one meant.
  const onlyReadingType = readingTypes.size === 1 ? [...readingTypes.values()][0] : undefined;
  if (meterReadings.length === 1) {
    const owner = meterReadings[0]!.self;
    for (const [href, list] of [...blocks.entries()]) {
      if (href !== owner) {
        blocks.set(owner, [...(blocks.get(owner) ?? []), ...list]);
        blocks.delete(href);
      }
    }
  }
  return meterReadings.map((meterReading) => {
    const readingType = (meterReading.readingType ? readingTypes.get(meterReading.readingType) : undefined) ?? onlyReadingType;
    if (!readingType) throw new InvalidGreenButton(`MeterReading ${meterReading.self} has no ReadingType in the feed`);
    const uom = integer(readingType['uom'], 'ReadingType uom');
    const target = UNIT_IN[uom];
    if (!target) throw new InvalidGreenButton(`ReadingType uom ${uom} is not supported (72 Wh, 169 therm, 128 US gal, 119 ft3)`);
    const power = readingType['powerOfTenMultiplier'] === undefined ? 0 : integer(readingType['powerOfTenMultiplier'], 'powerOfTenMultiplier');
    const readings: ReadingInput[] = [];
    for (const block of blocks.get(meterReading.self) ?? []) {
      for (const raw of (asNode(block)['IntervalReading'] as Node[] | undefined) ?? []) {
        const reading = asNode(raw);
        const period = asNode(reading['timePeriod']);
        const start = integer(period['start'], 'timePeriod start');
        const duration = integer(period['duration'], 'timePeriod duration');
        const value = text(reading['value']);
        if (value === undefined) throw new InvalidGreenButton(`IntervalReading at ${start} has no value`);
        readings.push({ start: isoFromEpochSec(start), durationSec: duration, value: scaledDecimal(value, power + target.shift), unit: target.unit });
      }
    }
    const usagePointHref = usagePoints.find((href) => meterReading.self.startsWith(`${href}/`)) ?? '';
    return { usagePointHref, meterReadingHref: meterReading.self, title: meterReading.title, readings };
  });
}
