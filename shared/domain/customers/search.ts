/**
 * Search tokens. DynamoDB has no full-text search, so every searchable entity writes one index
 * item per token (in the same transaction as the entity) and a search is a prefix query on the
 * token. Fields: name words, the normalized street line, phone digits, email, account id and
 * meter id.
 */
import { normalizeStreet } from './address';

export const SEARCH_FIELDS = ['name', 'address', 'phone', 'email', 'account', 'meter'] as const;
export type SearchField = (typeof SEARCH_FIELDS)[number];
export type SearchEntity = 'CUSTOMER' | 'PREMISE' | 'ACCOUNT' | 'METER';

export interface SearchToken {
  field: SearchField;
  /** Lower case; the index is queried by prefix on it. */
  token: string;
  entityType: SearchEntity;
  entityId: string;
  /** What a result list shows (a name, an address). */
  label: string;
}

/** The shortest query the index answers (shorter prefixes would read too much). */
export const MIN_QUERY_LENGTH = 2;
/** Index partitions are the first characters of the token (keeps partitions small). */
export const BUCKET_LENGTH = 2;

export function nameWords(name: string): string[] {
  return name
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[^a-z0-9 ]+/g, ' ')
    .split(/\s+/)
    .filter((word) => word.length >= MIN_QUERY_LENGTH);
}

export const phoneDigits = (phone: string): string => phone.replace(/\D/g, '').replace(/^1(\d{10})$/, '$1');
export const emailToken = (email: string): string => email.trim().toLowerCase();
/** The street line normalized, in lower case ("101 n main st apt 4"), and without the house number ("n main st apt 4"). */
export function addressTokens(line: string): string[] {
  const street = normalizeStreet(line).toLowerCase();
  const withoutNumber = street.replace(/^\d+[a-z]?\s+/, '');
  return [...new Set([street, withoutNumber].filter((token) => token.length >= MIN_QUERY_LENGTH))];
}

export function customerTokens(customer: { customerId: string; name: string; email?: string; phones: readonly string[] }): SearchToken[] {
  const base = { entityType: 'CUSTOMER' as const, entityId: customer.customerId, label: customer.name };
  return dedupe([
    ...nameWords(customer.name).map((token) => ({ ...base, field: 'name' as const, token })),
    ...customer.phones.map(phoneDigits).filter((d) => d.length >= 7).map((token) => ({ ...base, field: 'phone' as const, token })),
    ...(customer.email ? [{ ...base, field: 'email' as const, token: emailToken(customer.email) }] : []),
  ]);
}

export function premiseTokens(premise: { premiseId: string; address: { line1: string; line2?: string }; label: string }): SearchToken[] {
  return dedupe(addressTokens([premise.address.line1, premise.address.line2 ?? ''].join(' ')).map((token) => ({ field: 'address' as const, token, entityType: 'PREMISE' as const, entityId: premise.premiseId, label: premise.label })));
}

export function accountTokens(account: { accountId: string; name: string }): SearchToken[] {
  return [{ field: 'account', token: account.accountId.toLowerCase(), entityType: 'ACCOUNT', entityId: account.accountId, label: account.name }];
}

export function meterTokens(meter: { meterId: string; serviceType: string }): SearchToken[] {
  return [{ field: 'meter', token: meter.meterId.toLowerCase(), entityType: 'METER', entityId: meter.meterId, label: `${meter.serviceType} meter ${meter.meterId}` }];
}

function dedupe(tokens: SearchToken[]): SearchToken[] {
  const seen = new Map(tokens.map((t) => [`${t.field}\u0000${t.token}`, t]));
  return [...seen.values()];
}

export interface SearchPlan {
  field: SearchField;
  prefix: string;
  /** Every word of a multi-word name query must be among the hit's name words. */
  alsoWords?: string[];
}

/**
 * What to look up for a free-text query: an email when it has "@", phone digits when it is
 * mostly digits, otherwise name words and the street line; account and meter ids always.
 */
export function planSearch(query: string): SearchPlan[] {
  const text = query.trim();
  const plans: SearchPlan[] = [];
  if (text.includes('@')) return [{ field: 'email', prefix: emailToken(text) }];
  const digits = phoneDigits(text);
  const idLike = text.toLowerCase().replace(/[^a-z0-9_-]/g, '');
  if (idLike.length >= MIN_QUERY_LENGTH) plans.push({ field: 'account', prefix: idLike }, { field: 'meter', prefix: idLike });
  const phoneLike = /^[\d\s().+-]+$/.test(text);
  if (phoneLike && digits.length >= 3) plans.push({ field: 'phone', prefix: digits });
  if (phoneLike && /[\s().+]/.test(text)) return plans.filter((plan) => plan.field === 'phone');
  const words = nameWords(text).filter((word) => /[a-z]/.test(word));
  if (words.length > 0) {
    const longest = [...words].sort((a, b) => b.length - a.length)[0]!;
    plans.push({ field: 'name', prefix: longest, ...(words.length > 1 ? { alsoWords: words } : {}) });
  }
  const street = normalizeStreet(text).toLowerCase();
  if (street.length >= MIN_QUERY_LENGTH && /[a-z]/.test(street)) plans.push({ field: 'address', prefix: street });
  return plans;
}
