/** Explicit readers for mapping DynamoDB items to domain records; a wrong shape is a CorruptRecord. */
import { CorruptRecord } from '../app/errors';
import type { Item } from './dynamo';

function corrupt(item: Item, name: string, expected: string): CorruptRecord {
  return new CorruptRecord(`item ${String(item['PK'])} / ${String(item['SK'])}: attribute ${name} is not ${expected}`);
}

export function str(item: Item, name: string): string {
  const value = item[name];
  if (typeof value !== 'string') throw corrupt(item, name, 'a string');
  return value;
}

export function optStr(item: Item, name: string): string | undefined {
  const value = item[name];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'string') throw corrupt(item, name, 'a string');
  return value;
}

/** An integer attribute: numbers arrive as JS numbers (or numeric strings from older writers). */
export function int(item: Item, name: string): number {
  const value = item[name];
  const parsed = typeof value === 'string' && /^-?\d+$/.test(value) ? Number(value) : value;
  if (typeof parsed !== 'number' || !Number.isSafeInteger(parsed)) throw corrupt(item, name, 'a whole number');
  return parsed;
}

export function bool(item: Item, name: string): boolean {
  const value = item[name];
  if (typeof value !== 'boolean') throw corrupt(item, name, 'true or false');
  return value;
}

export function strList(item: Item, name: string): string[] {
  const value = item[name];
  if (value === undefined) return [];
  const list = value instanceof Set ? [...value] : value;
  if (!Array.isArray(list) || !list.every((entry) => typeof entry === 'string')) throw corrupt(item, name, 'a list of strings');
  return list;
}

export function oneOf<T extends string>(item: Item, name: string, allowed: readonly T[]): T {
  const value = str(item, name);
  if (!(allowed as readonly string[]).includes(value)) throw corrupt(item, name, `one of ${allowed.join(', ')}`);
  return value as T;
}

export function map(item: Item, name: string): Item {
  const value = item[name];
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw corrupt(item, name, 'a map');
  return value as Item;
}

/** A decimal-string money or rate attribute. */
export function decimalStr(item: Item, name: string): string {
  const value = str(item, name);
  if (!/^-?(0|[1-9]\d*)(\.\d+)?$/.test(value)) throw corrupt(item, name, 'a decimal string');
  return value;
}
