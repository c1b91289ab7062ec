/**
 * Address normalization (USPS Publication 28 style, the common cases): upper case, no
 * punctuation, standard suffix and directional abbreviations, unit designators unified. Two
 * spellings of one service address normalize to the same string, which is how an application
 * is verified against the known premises and how premises are found by address.
 */
import type { PostalAddress } from './model';

const SUFFIXES: Record<string, string> = {
  ALLEY: 'ALY', AVENUE: 'AVE', AV: 'AVE', AVEN: 'AVE', BOULEVARD: 'BLVD', BOUL: 'BLVD', CIRCLE: 'CIR', CIRC: 'CIR', COURT: 'CT', CRT: 'CT',
  COVE: 'CV', DRIVE: 'DR', DRV: 'DR', EXPRESSWAY: 'EXPY', FREEWAY: 'FWY', HIGHWAY: 'HWY', HIWAY: 'HWY', LANE: 'LN', LOOP: 'LOOP',
  PARKWAY: 'PKWY', PKY: 'PKWY', PLACE: 'PL', PLAZA: 'PLZ', POINT: 'PT', ROAD: 'RD', ROUTE: 'RTE', SQUARE: 'SQ', STREET: 'ST', STR: 'ST',
  TERRACE: 'TER', TRAIL: 'TRL', TURNPIKE: 'TPKE', WAY: 'WAY',
};
const DIRECTIONS: Record<string, string> = { NORTH: 'N', SOUTH: 'S', EAST: 'E', WEST: 'W', NORTHEAST: 'NE', NORTHWEST: 'NW', SOUTHEAST: 'SE', SOUTHWEST: 'SW' };
/** Dwelling units (apartment, unit, #) all become UNIT so that the usual spellings match. */
const UNITS: Record<string, string> = { APARTMENT: 'UNIT', APT: 'UNIT', UNIT: 'UNIT', '#': 'UNIT', SUITE: 'STE', STE: 'STE', LOT: 'LOT', SPACE: 'SPC', SPC: 'SPC', BUILDING: 'BLDG', BLDG: 'BLDG', FLOOR: 'FL', FL: 'FL', ROOM: 'RM', RM: 'RM' };

/** Latin letters without accents, upper case, words of [A-Z0-9#] only. */
function words(text: string): string[] {
  return text
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .toUpperCase()
    .replace(/#/g, ' # ')
    .replace(/[^A-Z0-9# ]+/g, ' ')
    .split(/\s+/)
    .filter((word) => word.length > 0);
}

/** Normalizes one street line: "101 North Main Street, Apt. 4" -> "101 N MAIN ST APT 4". */
export function normalizeStreet(line: string): string {
  const out: string[] = [];
  const list = words(line);
  for (let i = 0; i < list.length; i++) {
    const word = list[i]!;
    const unit = UNITS[word];
    if (unit && i > 0) {
      // "APT 4", "Apartment #4", "# 4", "Unit # 4" -> "UNIT 4"
      let j = i + 1;
      if (list[j] === '#') j++;
      const value = list[j];
      if (value !== undefined) {
        out.push(unit, value);
        i = j;
        continue;
      }
    }
    if (word === '#') continue;
    out.push(SUFFIXES[word] ?? DIRECTIONS[word] ?? word);
  }
  return out.join(' ');
}

export function normalizeZip(zip: string): string {
  return zip.replace(/\D/g, '').slice(0, 5);
}

/** The comparable form of a service address: street line(s), city, state and 5-digit ZIP. */
export function normalizeAddress(address: PostalAddress): string {
  const street = normalizeStreet([address.line1, address.line2 ?? ''].join(' '));
  return [street, words(address.city).join(' '), address.state.trim().toUpperCase(), normalizeZip(address.zip)].filter(Boolean).join(' ');
}

/** A one-line display form. */
export function formatAddress(address: PostalAddress): string {
  return [address.line1, address.line2, `${address.city}, ${address.state.toUpperCase()} ${address.zip}`].filter(Boolean).join(', ');
}
