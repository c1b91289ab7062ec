/**
 * Sharding for billing runs: every account carries a fixed shard (a stable hash of its id), and
 * a run splits the shards into contiguous segments that a Map state bills in parallel.
 */
import { InvalidInput } from './errors';

export const SHARD_COUNT = 1024;

export interface Segment {
  segmentIndex: number;
  /** First shard of the segment, inclusive. */
  shardFrom: number;
  /** Last shard of the segment, inclusive. */
  shardTo: number;
}

/** FNV-1a (32 bit) of the UTF-8 bytes of the account id, modulo 1024. Never change it: shards are stored. */
export function shardOf(accountId: string): number {
  let hash = 0x811c9dc5;
  for (const byte of new TextEncoder().encode(accountId)) {
    hash ^= byte;
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return hash % SHARD_COUNT;
}

/** The shard as the four digits used in keys ("0042"). */
export function formatShard(shard: number): string {
  return String(shard).padStart(4, '0');
}

/**
 * Splits shards 0..shardCount-1 into `count` contiguous segments whose sizes differ by at
 * most one; every shard is in exactly one segment.
 */
export function planSegments(count: number, shardCount = SHARD_COUNT): Segment[] {
  if (!Number.isSafeInteger(count) || count < 1 || count > shardCount) throw new InvalidInput(`the number of segments must be a whole number from 1 to ${shardCount}, got ${count}`);
  const base = Math.floor(shardCount / count);
  const extra = shardCount % count;
  const segments: Segment[] = [];
  let shardFrom = 0;
  for (let segmentIndex = 0; segmentIndex < count; segmentIndex++) {
    const size = base + (segmentIndex < extra ? 1 : 0);
    segments.push({ segmentIndex, shardFrom, shardTo: shardFrom + size - 1 });
    shardFrom += size;
  }
  return segments;
}

export function shardsOf(segment: Segment): number[] {
  const shards: number[] = [];
  for (let shard = segment.shardFrom; shard <= segment.shardTo; shard++) shards.push(shard);
  return shards;
}
