/**
 * A per-process cache of meters' recent day items in front of the read store, for ingestion:
 * a meter's next message needs its last days (VEE history and the day being written), which
 * this process usually read or wrote moments ago. Correctness does not depend on it: every
 * write is conditional on the version the cache holds (or on the day not existing), and a
 * VersionConflict drops the meter from the cache so the retry reads the table. A cached
 * history day that another process changed only shifts VEE statistics until the entry
 * expires (ttlMs). Days after what the cache knows are taken as not yet written.
 */
import { addDays } from '../domain/calendar';
import type { AuditEvent } from '../domain/audit';
import type { DayReads } from '../domain/reads';
import { VersionConflict } from '../app/errors';
import type { Clock } from '../app/ports';
import type { WindowReadStore } from '../app/read-ports';

interface Entry {
  /** Days from `from` on are known (present in `days` or absent from the table). */
  from: string;
  days: Map<string, DayReads>;
  until: number;
}

export interface ReadWindowCacheOptions {
  /** Meters kept (least recently used dropped first); about 150 KB each with two weeks of 15-minute days. */
  maxMeters?: number;
  ttlMs?: number;
}

export class ReadWindowCache implements WindowReadStore {
  private readonly meters = new Map<string, Entry>();
  private readonly maxMeters: number;
  private readonly ttlMs: number;
  hits = 0;
  misses = 0;

  constructor(
    private readonly inner: WindowReadStore,
    private readonly clock: Clock,
    options: ReadWindowCacheOptions = {},
  ) {
    this.maxMeters = options.maxMeters ?? 1000;
    this.ttlMs = options.ttlMs ?? 300_000;
  }

  getDay(meterId: string, day: string): Promise<DayReads | undefined> {
    return this.inner.getDay(meterId, day);
  }

  async listDays(meterId: string, fromDay: string, toDay: string, consistent?: boolean): Promise<DayReads[]> {
    const now = this.clock.now().getTime();
    const entry = this.meters.get(meterId);
    if (entry && entry.until > now && entry.from <= fromDay) {
      this.hits++;
      // refresh the LRU position
      this.meters.delete(meterId);
      this.meters.set(meterId, entry);
      return [...entry.days.values()].filter((day) => day.day >= fromDay && day.day <= toDay).sort((a, b) => a.day.localeCompare(b.day));
    }
    this.misses++;
    const days = await this.inner.listDays(meterId, fromDay, toDay, consistent);
    this.remember(meterId, { from: fromDay, days: new Map(days.map((day) => [day.day, day])), until: now + this.ttlMs });
    return days;
  }

  async saveDay(day: DayReads, expectedVersion: number | undefined, audit?: AuditEvent): Promise<void> {
    try {
      await this.inner.saveDay(day, expectedVersion, audit);
    } catch (error) {
      if (error instanceof VersionConflict) this.meters.delete(day.meterId);
      throw error;
    }
    const entry = this.meters.get(day.meterId);
    if (!entry) return;
    entry.days.set(day.day, day);
    // keep about two weeks of days per meter
    const oldest = addDays(day.day, -14);
    if (entry.from < oldest) {
      entry.from = oldest;
      for (const key of entry.days.keys()) if (key < oldest) entry.days.delete(key);
    }
  }

  private remember(meterId: string, entry: Entry): void {
    this.meters.delete(meterId);
    this.meters.set(meterId, entry);
    while (this.meters.size > this.maxMeters) {
      const oldest = this.meters.keys().next().value;
      if (oldest === undefined) break;
      this.meters.delete(oldest);
    }
  }
}
