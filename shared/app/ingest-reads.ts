/**
 * Ingestion of interval readings from any channel (MQTT, files, staff): parse, run VEE against
 * the meter's own recent history, store accepted readings and gap estimates in the packed day
 * items (optimistic locking, history of replaced values), open exceptions for what VEE held or
 * flagged, raise high-usage alerts.
 *
 * Redelivery never double counts: exact repeats are ignored, exception ids derive from their
 * content, and a day written before a failure is a no-op the second time.
 */
import type { Meter } from '../domain/accounts';
import type { AuditEvent } from '../domain/audit';
import { addDays } from '../domain/calendar';
import { mergeDay, parseReadings, parseRegisters, type DayReads, type Interval, type ReadChange, type ReadingInput, type RegisterInput } from '../domain/reads';
import { runRegisterVee, type RegisterRead } from '../domain/vee/registers';
import { resolveVeeConfig, serviceTypeOfUnit, type VeeConfig, type VeeOverrides } from '../domain/vee/config';
import { dayClock, type DayClock } from '../domain/vee/days';
import { runVee, type VeeReading, type VeeResult } from '../domain/vee/engine';
import { clampQuantity, toReadException, type ReadException, type UsageAlert } from '../domain/vee/exceptions';
import { isUnit, type Unit } from '../domain/units';
import { TransientStoreError, VersionConflict } from './errors';
import type { AccountStore, Clock, MeterStore } from './ports';
import type { ReadExceptionStore, WindowReadStore } from './read-ports';

export const MAX_SAVE_ATTEMPTS = 5;
/** Readings are processed in spans of at most this many days (a bounded history query each). */
export const MAX_SPAN_DAYS = 31;

export interface IngestReadsDeps {
  meters: MeterStore;
  reads: WindowReadStore;
  exceptions: Pick<ReadExceptionStore, 'open' | 'raiseAlerts'>;
  /** When given, the account's tariff is the rate class of the VEE configuration. */
  accounts?: Pick<AccountStore, 'get'>;
  clock: Clock;
  timeZone: string;
  veeOverrides?: VeeOverrides;
}

export interface ReadsBatch {
  meterId: string;
  readings: readonly ReadingInput[];
}

export interface IngestResult {
  meterId: string;
  days: string[];
  added: number;
  replaced: number;
  unchanged: number;
  estimated: number;
  held: number;
  flagged: number;
  alerts: number;
}

const clocks = new Map<string, DayClock>();
function clockFor(timeZone: string): DayClock {
  let clock = clocks.get(timeZone);
  if (!clock) clocks.set(timeZone, (clock = dayClock(timeZone)));
  return clock;
}

/** One message (or file) of one meter. */
export async function ingestReads(deps: IngestReadsDeps, batch: ReadsBatch, source: { ref?: string; by?: string } = {}): Promise<IngestResult> {
  return ingestMeterReadings(deps, batch.meterId, [{ readings: batch.readings, ...(source.ref ? { ref: source.ref } : {}) }], source.by ?? 'mqtt');
}

export interface ReadingsPart {
  readings: readonly ReadingInput[];
  /** Register (cumulative) reads. */
  registers?: readonly RegisterInput[] | undefined;
  ref?: string;
}

/**
 * Who a staff channel (manual reads, uploads) records in the audit trail: each day it writes
 * carries an audit event in the same transaction. Its id derives from the meter, the day and
 * the day's new version, so a retried write can never audit twice.
 */
export interface ReadsAudit {
  actor: string;
  /** e.g. "reads.entered", "reads.uploaded" */
  action: string;
  details?: Record<string, string | number | boolean | null>;
}

/**
 * Several messages of one meter at once (one history query and one write per day for all of
 * them). Throws ReadingRejected when a part is malformed: callers that need per-part outcomes
 * parse with `parsePart` first.
 */
export interface IngestOptions {
  /** 'M' for readings entered by staff. @default 'A' */
  quality?: 'A' | 'M';
  /** Staff channels: an audit event with every day written, in the same transaction. */
  audit?: ReadsAudit;
  /**
   * A deliberate load of past data (a bulk file, readings held while their meter was unknown):
   * the too-old rule, which catches late AMI messages and mistyped dates, does not apply.
   */
  backfill?: boolean;
}

export async function ingestMeterReadings(deps: IngestReadsDeps, meterId: string, parts: readonly ReadingsPart[], by = 'mqtt', options: IngestOptions = {}): Promise<IngestResult> {
  const { quality = 'A', audit } = options;
  const now = deps.clock.now();
  const result: IngestResult = { meterId, days: [], added: 0, replaced: 0, unchanged: 0, estimated: 0, held: 0, flagged: 0, alerts: 0 };
  const meter = await deps.meters.get(meterId);
  if (!meter) {
    await openUnknownMeter(deps, meterId, parts, now.toISOString(), result);
    return result;
  }
  const readings: VeeReading[] = [];
  const registers: Array<RegisterRead & { mismatchedUnit?: string }> = [];
  for (const part of parts) {
    for (const reading of parseReadings(part.readings, meter.unit, part.ref)) readings.push(reading);
    for (const register of parseRegisters(part.registers ?? [], meter.unit, part.ref)) registers.push(register);
  }
  if (readings.length === 0 && registers.length === 0) return result;
  const account = deps.accounts ? await deps.accounts.get(meter.accountId) : undefined;
  const resolved = resolveVeeConfig(serviceTypeOfUnit(meter.unit), account?.tariffId, deps.veeOverrides);
  const config = options.backfill ? { ...resolved, actions: { ...resolved.actions, 'too-old': 'off' as const } } : resolved;
  const clock = clockFor(deps.timeZone);
  const ref = parts.length === 1 ? parts[0]?.ref : undefined;
  const change = { at: now.toISOString(), by, ...(ref ? { ref } : {}) };
  const accountActive = account ? account.status === 'ACTIVE' : undefined;
  for (const span of spans(readings, clock)) {
    await ingestSpan(deps, meter, accountActive, config, clock, { ...span, registers: [] }, now, change, quality, result, audit);
  }
  // Register reads: a unit that does not fit the meter is held like an interval's.
  const fitting: RegisterRead[] = [];
  for (const register of registers) {
    if (register.mismatchedUnit === undefined) {
      fitting.push(register);
      continue;
    }
    const exception = toReadException(meter.meterId, meter.unit, { reason: 'unit-mismatch', action: 'hold', startEpochSec: register.atEpochSec, durationSec: 0, quantityMicro: register.valueMicro, detail: `register unit ${register.mismatchedUnit} does not fit the meter`, unit: register.mismatchedUnit, ...(register.ref ? { ref: register.ref } : {}) }, now.toISOString());
    if (config.actions['unit-mismatch'] !== 'off') {
      await deps.exceptions.open([exception]);
      result.held++;
    }
  }
  for (const span of spans(fitting.map((register) => ({ startEpochSec: register.atEpochSec, durationSec: 0, quantityMicro: register.valueMicro, ...(register.ref ? { ref: register.ref } : {}) })), clock)) {
    const spanRegisters = span.readings.map((reading) => ({ atEpochSec: reading.startEpochSec, valueMicro: reading.quantityMicro, ...(reading.ref ? { ref: reading.ref } : {}) }));
    await ingestSpan(deps, meter, accountActive, config, clock, { readings: [], fromDay: addDays(span.fromDay, -1), toDay: span.toDay, registers: spanRegisters }, now, change, quality, result, audit);
  }
  result.days.sort();
  return result;
}

/** Readings cut into spans of at most MAX_SPAN_DAYS local days, in time order. */
function spans(readings: VeeReading[], clock: DayClock): Array<{ readings: VeeReading[]; fromDay: string; toDay: string }> {
  readings.sort((a, b) => a.startEpochSec - b.startEpochSec || a.durationSec - b.durationSec);
  const out: Array<{ readings: VeeReading[]; fromDay: string; toDay: string }> = [];
  let current: { readings: VeeReading[]; fromDay: string; toDay: string } | undefined;
  let lastDayOfSpan = '';
  for (const reading of readings) {
    const day = clock.dayOf(reading.startEpochSec);
    if (!current || day > lastDayOfSpan) {
      current = { readings: [], fromDay: day, toDay: day };
      lastDayOfSpan = addDays(day, MAX_SPAN_DAYS - 1);
      out.push(current);
    }
    current.readings.push(reading);
    current.toDay = day;
  }
  return out;
}

async function ingestSpan(
  deps: IngestReadsDeps,
  meter: Meter,
  accountActive: boolean | undefined,
  config: VeeConfig,
  clock: DayClock,
  span: { readings: VeeReading[]; fromDay: string; toDay: string; registers: RegisterRead[] },
  now: Date,
  change: ReadChange,
  quality: 'A' | 'M',
  result: IngestResult,
  audit: ReadsAudit | undefined,
): Promise<void> {
  const nowEpochSec = Math.floor(now.getTime() / 1000);
  for (let attempt = 1; ; attempt++) {
    const stored = await deps.reads.listDays(meter.meterId, addDays(span.fromDay, -config.historyDays), span.toDay, true);
    let readings = span.readings;
    let registerVee: ReturnType<typeof runRegisterVee> | undefined;
    if (span.registers.length > 0) {
      const storedRegisters = new Map<number, number>();
      for (const day of stored) for (const [at, value] of Object.entries(day.registers ?? {})) storedRegisters.set(Number(at), value);
      registerVee = runRegisterVee(config, storedRegisters, span.registers, nowEpochSec, (epochSec) => clock.dayBounds(clock.dayOf(epochSec))[0]);
      // consumption derived from consecutive register reads goes through the interval rules too
      readings = [...readings, ...registerVee.derived];
    }
    const vee = runVee({ meter, ...(accountActive === undefined ? {} : { accountActive }), config, nowEpochSec, stored, dayOf: clock.dayOf, dayBounds: clock.dayBounds }, readings);
    if (registerVee) {
      vee.exceptions.push(...registerVee.exceptions);
      vee.ignored += registerVee.ignored;
    }
    try {
      const written = await writeDays(deps, meter, stored, vee, clock, change, quality, registerVee?.accepted ?? [], audit);
      for (const [day, counts] of written) {
        if (!result.days.includes(day)) result.days.push(day);
        result.added += counts.added;
        result.replaced += counts.replaced;
      }
    } catch (error) {
      if (!(error instanceof VersionConflict)) throw error;
      if (attempt >= MAX_SAVE_ATTEMPTS) throw new TransientStoreError(`reads of meter ${meter.meterId} kept changing under us (${attempt} attempts)`);
      continue;
    }
    result.unchanged += vee.ignored;
    result.estimated += vee.estimated.length;
    const createdAt = change.at;
    const exceptions = vee.exceptions.map((exception) => toReadException(meter.meterId, meter.unit, exception, createdAt));
    result.held += vee.exceptions.filter((exception) => exception.action === 'hold').length;
    result.flagged += vee.exceptions.filter((exception) => exception.action === 'flag').length;
    if (exceptions.length > 0) await deps.exceptions.open(exceptions);
    if (vee.alerts.length > 0) {
      const alerts: UsageAlert[] = vee.alerts.map((alert) => ({ ...alert, totalMicro: clampQuantity(alert.totalMicro), accountId: meter.accountId, meterId: meter.meterId, unit: meter.unit, raisedAt: createdAt }));
      await deps.exceptions.raiseAlerts(alerts);
      result.alerts += alerts.length;
    }
    return;
  }
}

/** Accepted readings and estimates merged into their days; one conditional write per changed day. */
async function writeDays(
  deps: IngestReadsDeps,
  meter: Meter,
  stored: readonly DayReads[],
  vee: VeeResult,
  clock: DayClock,
  change: ReadChange,
  quality: 'A' | 'M',
  registers: readonly RegisterRead[],
  audit: ReadsAudit | undefined,
): Promise<Map<string, { added: number; replaced: number }>> {
  const byDay = new Map<string, Interval[]>();
  const add = (interval: Interval) => {
    const day = clock.dayOf(interval.startEpochSec);
    const list = byDay.get(day);
    if (list) list.push(interval);
    else byDay.set(day, [interval]);
  };
  for (const interval of vee.accepted) add({ ...interval, quality });
  for (const estimate of vee.estimated) add({ startEpochSec: estimate.startEpochSec, durationSec: estimate.durationSec, quantityMicro: estimate.quantityMicro, quality: 'E', method: estimate.method });
  const registersByDay = new Map<string, RegisterRead[]>();
  for (const register of registers) {
    const day = clock.dayOf(register.atEpochSec);
    registersByDay.set(day, [...(registersByDay.get(day) ?? []), register]);
    if (!byDay.has(day)) byDay.set(day, []);
  }
  const storedByDay = new Map(stored.map((day) => [day.day, day]));
  const written = new Map<string, { added: number; replaced: number }>();
  for (const [day, intervals] of [...byDay.entries()].sort(([a], [b]) => a.localeCompare(b))) {
    const existing = storedByDay.get(day);
    const merged = mergeDay(existing, meter, day, intervals, change);
    let next = merged.changed ? merged.day : existing;
    let changed = merged.changed;
    const dayRegisters = registersByDay.get(day) ?? [];
    if (dayRegisters.length > 0) {
      const base = next ?? merged.day;
      const values = { ...base.registers };
      let added = 0;
      for (const register of dayRegisters) {
        if (values[String(register.atEpochSec)] !== undefined) continue;
        values[String(register.atEpochSec)] = register.valueMicro;
        added++;
      }
      if (added > 0) {
        next = { ...base, registers: values, version: changed ? base.version : (existing?.version ?? 0) + 1, updatedAt: change.at };
        changed = true;
      }
    }
    if (!changed || !next) continue;
    const counts = { added: merged.changed ? merged.added : 0, replaced: merged.changed ? merged.replaced : 0 };
    await deps.reads.saveDay(next, existing?.version, audit ? dayAudit(audit, next, counts, quality, change) : undefined);
    written.set(day, counts);
  }
  return written;
}

function dayAudit(audit: ReadsAudit, day: DayReads, counts: { added: number; replaced: number }, quality: 'A' | 'M', change: ReadChange): AuditEvent {
  return {
    eventId: `reads-${day.meterId}-${day.day}-v${day.version}`,
    entityType: 'METER',
    entityId: day.meterId,
    at: change.at,
    actor: audit.actor,
    action: audit.action,
    details: { ...audit.details, day: day.day, version: day.version, added: counts.added, replaced: counts.replaced, quality, ref: change.ref ?? null },
  };
}

/** Readings for a meter the CIS does not know: one held exception per message, keeping the readings. */
async function openUnknownMeter(deps: IngestReadsDeps, meterId: string, parts: readonly ReadingsPart[], createdAt: string, result: IngestResult): Promise<void> {
  const exceptions: ReadException[] = [];
  for (const part of parts) {
    const first = part.readings[0];
    const unit: Unit = first && isUnit(first.unit) ? first.unit : 'kWh';
    const registerUnit = part.registers?.[0]?.unit;
    const parsed = [
      ...parseReadings(part.readings, unit, part.ref),
      ...parseRegisters(part.registers ?? [], registerUnit && isUnit(registerUnit) ? registerUnit : unit, part.ref).map((register) => ({ startEpochSec: register.atEpochSec, durationSec: 0, quantityMicro: 0 })),
    ];
    const config = resolveVeeConfig(serviceTypeOfUnit(unit), undefined, deps.veeOverrides);
    if (config.actions['unknown-meter'] === 'off' || parsed.length === 0) continue;
    const startEpochSec = Math.min(...parsed.map((reading) => reading.startEpochSec));
    const endEpochSec = Math.max(...parsed.map((reading) => reading.startEpochSec + reading.durationSec));
    const quantityMicro = parsed.reduce((sum, reading) => sum + reading.quantityMicro, 0);
    const exception = toReadException(
      meterId,
      unit,
      { reason: 'unknown-meter', action: 'hold', startEpochSec, durationSec: endEpochSec - startEpochSec, quantityMicro, detail: `${parsed.length} reading(s) for meter ${meterId}, which the CIS does not know`, ...(part.ref ? { ref: part.ref } : {}) },
      createdAt,
    );
    exceptions.push({ ...exception, readings: [...part.readings], ...(part.registers ? { detail: `${exception.detail}; with ${part.registers.length} register read(s), not kept` } : {}) });
  }
  result.held += exceptions.length;
  if (exceptions.length > 0) await deps.exceptions.open(exceptions);
}

/** A store whose answers are remembered, and that can look many ids up in one request first. */
export type Prefetching<S> = S & {
  /** Looks up (in one batch request) the ids not remembered yet; resolves with what it found. */
  prefetch(ids: readonly string[]): Promise<void>;
};

/** A MeterStore that remembers meters (and unknown ids) for `ttlMs`: one lookup per meter per container and minute, not per message. */
export function cachedMeters(inner: MeterStore, clock: Clock, ttlMs = 60_000): Prefetching<MeterStore> {
  const cache = remembered((meterId) => inner.get(meterId), (meterIds) => inner.getMany(meterIds), (meter) => meter.meterId, clock, ttlMs);
  return { get: cache.get, getMany: (meterIds) => inner.getMany(meterIds), prefetch: cache.prefetch };
}

/** An account lookup remembered for `ttlMs` (the rate class of a meter's VEE configuration). */
export function cachedAccounts(inner: Pick<AccountStore, 'get' | 'getMany'>, clock: Clock, ttlMs = 60_000): Prefetching<Pick<AccountStore, 'get'>> {
  const cache = remembered((accountId) => inner.get(accountId), (accountIds) => inner.getMany(accountIds), (account) => account.accountId, clock, ttlMs);
  return { get: cache.get, prefetch: cache.prefetch };
}

/**
 * A lookup by id whose answers (found or not) are kept for `ttlMs`; the cache is emptied when it
 * passes 50,000 ids. `prefetch` fills it for many ids with one batch lookup (ids not found are
 * remembered as unknown, as `get` would).
 */
function remembered<V>(
  lookup: (id: string) => Promise<V | undefined>,
  lookupMany: (ids: readonly string[]) => Promise<V[]>,
  idOf: (value: V) => string,
  clock: Clock,
  ttlMs: number,
): { get: (id: string) => Promise<V | undefined>; prefetch: (ids: readonly string[]) => Promise<void> } {
  const cache = new Map<string, { value: V | undefined; until: number }>();
  const remember = (id: string, value: V | undefined, nowMs: number) => {
    if (cache.size > 50_000) cache.clear();
    cache.set(id, { value, until: nowMs + ttlMs });
  };
  const fresh = (id: string, nowMs: number) => {
    const hit = cache.get(id);
    return hit && hit.until > nowMs ? hit : undefined;
  };
  return {
    async get(id) {
      const nowMs = clock.now().getTime();
      const hit = fresh(id, nowMs);
      if (hit) return hit.value;
      const value = await lookup(id);
      remember(id, value, nowMs);
      return value;
    },
    async prefetch(ids) {
      const nowMs = clock.now().getTime();
      const missing = [...new Set(ids)].filter((id) => !fresh(id, nowMs));
      if (missing.length === 0) return;
      const found = new Map((await lookupMany(missing)).map((value) => [idOf(value), value]));
      for (const id of missing) remember(id, found.get(id), nowMs);
    },
  };
}
