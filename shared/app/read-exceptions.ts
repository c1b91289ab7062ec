/**
 * The staff queue of read exceptions: list them, and resolve one by accepting, editing,
 * estimating or rejecting it. A resolution that changes reads re-validates the new value,
 * writes the day (history keeps the old value and who changed it), closes the exception,
 * audits it and marks the bills that used the day for rebilling, all in one transaction.
 */
import type { AuditEvent } from '../domain/audit';
import { ConflictError, InvalidInput, RuleViolation } from '../domain/errors';
import type { StaffPrincipal } from '../domain/identity';
import { mergeDay, type Interval, type ReadingInput } from '../domain/reads';
import { addDays } from '../domain/calendar';
import { formatMicro, InvalidQuantity, toMicroUnits } from '../domain/units';
import { resolveVeeConfig, serviceTypeOfUnit, type VeeOverrides } from '../domain/vee/config';
import { dayClock } from '../domain/vee/days';
import { runVee } from '../domain/vee/engine';
import { estimateInterval } from '../domain/vee/estimate-read';
import type { ExceptionStatus, ReadException } from '../domain/vee/exceptions';
import { MeterNotFound, TransientStoreError, VersionConflict } from './errors';
import { ingestMeterReadings, type IngestReadsDeps } from './ingest-reads';
import type { BillStore, Clock, MeterStore, Page } from './ports';
import type { ReadExceptionStore, RebillMark, WindowReadStore } from './read-ports';
import { NotFoundError } from '../domain/errors';

export class ReadExceptionNotFound extends NotFoundError {
  override name = 'ReadExceptionNotFound';
}

export class ResolutionRefused extends RuleViolation {
  override name = 'ResolutionRefused';
}

export interface ReadExceptionsDeps {
  meters: MeterStore;
  reads: WindowReadStore;
  exceptions: ReadExceptionStore;
  bills: Pick<BillStore, 'listForAccount'>;
  clock: Clock;
  timeZone: string;
  newId: () => string;
  veeOverrides?: VeeOverrides;
}

export interface ExceptionView extends Omit<ReadException, 'quantityMicro' | 'startEpochSec' | 'readings'> {
  start: string;
  quantity: string;
  readingCount?: number;
}

function view(exception: ReadException): ExceptionView {
  const { quantityMicro, startEpochSec, readings, ...rest } = exception;
  return { ...rest, start: new Date(startEpochSec * 1000).toISOString().replace('.000Z', 'Z'), quantity: formatMicro(quantityMicro), ...(readings ? { readingCount: readings.length } : {}) };
}

export async function listReadExceptions(deps: Pick<ReadExceptionsDeps, 'exceptions'>, query: { status: ExceptionStatus; limit: number; cursor?: string | undefined }): Promise<{ items: ExceptionView[]; nextCursor: string | null }> {
  const page: Page<ReadException> = await deps.exceptions.listByStatus(query.status, query.limit, query.cursor);
  return { items: page.items.map(view), nextCursor: page.nextCursor ?? null };
}

export type ResolveAction = 'accept' | 'edit' | 'estimate' | 'reject';

export interface ResolveInput {
  meterId: string;
  exceptionId: string;
  action: ResolveAction;
  /** edit: the corrected value, a decimal string in the meter's unit. */
  value?: string | undefined;
  note?: string | undefined;
}

const STATUS_OF: Record<ResolveAction, ExceptionStatus> = { accept: 'ACCEPTED', edit: 'EDITED', estimate: 'ESTIMATED', reject: 'REJECTED' };
/** Day-level exceptions: there is no single reading to edit or estimate. */
const DAY_LEVEL = new Set(['high-usage', 'low-usage', 'zero-consumption', 'gap']);

export interface ResolveResult {
  exception: ExceptionView;
  /** Bills that used the changed day and are marked for rebilling. */
  rebill: string[];
  changedDay?: string;
}

export async function resolveReadException(deps: ReadExceptionsDeps, principal: StaffPrincipal, input: ResolveInput): Promise<ResolveResult> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await resolveOnce(deps, principal, input);
    } catch (error) {
      if (!(error instanceof VersionConflict) || attempt >= 3) throw error instanceof VersionConflict ? new TransientStoreError(error.message) : error;
    }
  }
}

async function resolveOnce(deps: ReadExceptionsDeps, principal: StaffPrincipal, input: ResolveInput): Promise<ResolveResult> {
  const exception = await deps.exceptions.get(input.meterId, input.exceptionId);
  if (!exception) throw new ReadExceptionNotFound(`read exception ${input.meterId}/${input.exceptionId} does not exist`);
  if (exception.status !== 'OPEN') throw new ConflictError(`read exception ${input.exceptionId} is already ${exception.status}`);
  if (input.action === 'edit' && input.value === undefined) throw new InvalidInput('value is required to edit a reading', [{ path: 'body.value', message: 'required for edit' }]);
  if (input.action !== 'edit' && input.value !== undefined) throw new InvalidInput('value is only for edit', [{ path: 'body.value', message: 'only for edit' }]);
  const now = deps.clock.now();
  const at = now.toISOString();
  const by = `staff:${principal.username}`;
  const resolved: ReadException = { ...exception, status: STATUS_OF[input.action], resolvedAt: at, resolvedBy: principal.username, ...(input.note ? { note: input.note } : {}) };
  const audit: AuditEvent = {
    eventId: deps.newId(),
    entityType: 'METER',
    entityId: exception.meterId,
    at,
    actor: principal.username,
    action: `read-exception.${STATUS_OF[input.action].toLowerCase()}`,
    details: { exceptionId: exception.exceptionId, reason: exception.reason, start: exception.startEpochSec, value: input.value ?? null, note: input.note ?? null },
  };

  if (exception.reason === 'unknown-meter') {
    // Accepting ingests the held readings now that the meter exists; rejecting drops them.
    if (input.action === 'accept') {
      if (!(await deps.meters.get(exception.meterId))) throw new MeterNotFound(`meter ${exception.meterId} still does not exist; register it first`);
      await ingestMeterReadings(deps as unknown as IngestReadsDeps, exception.meterId, [{ readings: exception.readings ?? [], ref: exception.exceptionId }], by, { backfill: true });
    } else if (input.action !== 'reject') throw new ResolutionRefused('unknown-meter', 'readings of an unknown meter can be accepted (once it exists) or rejected');
    await deps.exceptions.resolve({ exception: resolved, audit, rebills: [] });
    return { exception: view(resolved), rebill: [] };
  }

  const meter = await deps.meters.get(exception.meterId);
  if (!meter) throw new MeterNotFound(`meter ${exception.meterId} does not exist`);
  if (DAY_LEVEL.has(exception.reason) && (input.action === 'edit' || input.action === 'estimate')) {
    throw new ResolutionRefused(exception.reason, `a ${exception.reason} exception is about a whole day or a gap: accept or reject it, or edit the single readings`);
  }
  const clock = dayClock(deps.timeZone);
  const config = resolveVeeConfig(serviceTypeOfUnit(meter.unit), undefined, deps.veeOverrides);
  const day = clock.dayOf(exception.startEpochSec);
  const stored = await deps.reads.listDays(meter.meterId, addDays(day, -config.historyDays), addDays(day, 1), true);
  const current = stored.find((entry) => entry.day === day);
  const key = String(exception.startEpochSec);

  let next: Interval | 'remove' | undefined;
  if (input.action === 'accept') {
    if (exception.action === 'hold') {
      if (exception.unit !== meter.unit) throw new ResolutionRefused('unit-mismatch', `the reading is in ${exception.unit} but the meter measures ${meter.unit}: edit it with the value in ${meter.unit}`);
      next = { startEpochSec: exception.startEpochSec, durationSec: exception.durationSec, quantityMicro: exception.quantityMicro, quality: 'M' };
    }
  } else if (input.action === 'edit') {
    let quantityMicro: number;
    try {
      quantityMicro = toMicroUnits(input.value!, meter.unit, meter.unit);
    } catch (error) {
      if (!(error instanceof InvalidQuantity)) throw error;
      throw new InvalidInput(`value: ${error.message}`, [{ path: 'body.value', message: error.message }]);
    }
    next = { startEpochSec: exception.startEpochSec, durationSec: exception.durationSec, quantityMicro, quality: 'M' };
  } else if (input.action === 'estimate') {
    const estimate = estimateInterval(stored, exception.startEpochSec, exception.durationSec, config, clock.dayBounds);
    if (!estimate) throw new ResolutionRefused('no-estimate', 'there is no interval data around this reading to estimate from: edit it instead');
    next = { startEpochSec: estimate.startEpochSec, durationSec: estimate.durationSec, quantityMicro: estimate.quantityMicro, quality: 'E', method: estimate.method };
  } else if (exception.action === 'flag' && !DAY_LEVEL.has(exception.reason) && current?.intervals[key]) {
    next = 'remove';
  }

  if (next && next !== 'remove' && next.quality === 'M') {
    // Re-validate the new value as if it arrived (the replacement itself is intended).
    const others = stored.map((entry) => ({ ...entry, intervals: Object.fromEntries(Object.entries(entry.intervals).filter(([start]) => start !== key)) }));
    const check = runVee(
      { meter, config: { ...config, actions: { ...config.actions, 'duplicate-conflict': 'off', 'too-old': 'off', spike: 'off', 'high-usage': 'off', 'low-usage': 'off', 'zero-consumption': 'off', gap: 'off' } }, nowEpochSec: Math.floor(now.getTime() / 1000), stored: others, dayOf: clock.dayOf, dayBounds: clock.dayBounds },
      [{ startEpochSec: next.startEpochSec, durationSec: next.durationSec, quantityMicro: next.quantityMicro }],
    );
    const refused = check.exceptions.find((entry) => entry.action === 'hold');
    if (refused) throw new ResolutionRefused(refused.reason, `the new value fails validation: ${refused.detail}`);
  }

  let dayChange: { reads: NonNullable<typeof current>; expectedVersion: number | undefined } | undefined;
  if (next === 'remove' && current) {
    const intervals = { ...current.intervals };
    const previous = intervals[key]!;
    delete intervals[key];
    const methods = { ...current.methods };
    delete methods[key];
    dayChange = {
      reads: { ...current, intervals, ...(Object.keys(methods).length ? { methods } : { methods: undefined }), version: current.version + 1, history: [...current.history, { start: exception.startEpochSec, previous, at, by, ref: exception.exceptionId }], updatedAt: at },
      expectedVersion: current.version,
    };
    if (!dayChange.reads.methods) delete dayChange.reads.methods;
  } else if (next && next !== 'remove') {
    const merged = mergeDay(current, meter, day, [next], { at, by, ref: exception.exceptionId });
    if (merged.changed) dayChange = { reads: merged.day, expectedVersion: current?.version };
  }

  const rebills: RebillMark[] = [];
  if (dayChange) {
    const bills = await deps.bills.listForAccount(meter.accountId, 100);
    for (const bill of bills.items) {
      if (bill.periodStart <= day && day <= bill.periodEnd) {
        rebills.push({ accountId: meter.accountId, billId: bill.billId, periodStart: bill.periodStart, reason: `read ${exception.exceptionId} ${STATUS_OF[input.action].toLowerCase()}`, exceptionId: exception.exceptionId, at, by: principal.username });
      }
    }
    audit.details['rebill'] = rebills.map((mark) => mark.billId).join(',') || null;
  }
  await deps.exceptions.resolve({ exception: resolved, ...(dayChange ? { day: dayChange } : {}), audit, rebills });
  return { exception: view(resolved), rebill: rebills.map((mark) => mark.billId), ...(dayChange ? { changedDay: day } : {}) };
}

/** Manual reads entered by staff: through VEE like any reading, stored as 'M' with the staff member in the history. */
export async function enterManualReads(deps: IngestReadsDeps, principal: StaffPrincipal, meterId: string, readings: readonly ReadingInput[]) {
  return ingestMeterReadings(deps, meterId, [{ readings, ref: `manual:${principal.username}` }], `staff:${principal.username}`, { quality: 'M', audit: { actor: principal.username, action: 'reads.entered' } });
}
