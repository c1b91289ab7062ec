import fc from 'fast-check';
import { formatShard, planSegments, SHARD_COUNT, shardOf, shardsOf } from '../../../shared/domain/segments';

describe('segments', () => {
  it('covers every shard exactly once, in contiguous ranges of near-equal size', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: SHARD_COUNT }), (count) => {
        const segments = planSegments(count);
        expect(segments).toHaveLength(count);
        const seen = segments.flatMap(shardsOf);
        expect(seen).toEqual(Array.from({ length: SHARD_COUNT }, (_, i) => i));
        segments.forEach((segment, index) => {
          expect(segment.segmentIndex).toBe(index);
          expect(segment.shardFrom).toBeLessThanOrEqual(segment.shardTo);
          if (index > 0) expect(segment.shardFrom).toBe(segments[index - 1]!.shardTo + 1);
        });
        const sizes = segments.map((s) => s.shardTo - s.shardFrom + 1);
        expect(Math.max(...sizes) - Math.min(...sizes)).toBeLessThanOrEqual(1);
      }),
    );
  });

  it.each([0, -1, 1025, 2.5, Number.NaN])('refuses %d segments', (count) => {
    expect(() => planSegments(count)).toThrow(/segments/);
  });

  it('gives every account a stable shard in 0..1023', () => {
    fc.assert(
      fc.property(fc.string({ minLength: 1, maxLength: 64 }), (accountId) => {
        const shard = shardOf(accountId);
        expect(Number.isInteger(shard) && shard >= 0 && shard < SHARD_COUNT).toBe(true);
        expect(shardOf(accountId)).toBe(shard);
      }),
    );
    // Shards are stored with the accounts: these values must never change.
    expect([shardOf('A0001'), shardOf('A0002'), shardOf('A1000')]).toEqual(pinnedShards);
    expect(formatShard(7)).toBe('0007');
  });

  it('spreads sequential ids over the shards', () => {
    const counts = new Map<number, number>();
    for (let i = 1; i <= 10_000; i++) {
      const shard = shardOf(`A${String(i).padStart(5, '0')}`);
      counts.set(shard, (counts.get(shard) ?? 0) + 1);
    }
    expect(counts.size).toBeGreaterThan(900);
    expect(Math.max(...counts.values())).toBeLessThan(40);
  });
});

const pinnedShards = [607, 1010, 733];
