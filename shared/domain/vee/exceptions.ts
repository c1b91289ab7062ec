/**
 * Read exceptions: what VEE held or flagged, waiting in the staff queue. Ids are derived from
 * the content (meter, reason, interval, value), so a redelivered message opens no second
 * exception.
 */
import { createHash } from 'node:crypto';
import type { ReadingInput } from '../reads';
import type { RuleAction, VeeReason } from './config';
import type { HighUsageAlert, VeeException } from './engine';

export const EXCEPTION_STATUSES = ['OPEN', 'ACCEPTED', 'EDITED', 'ESTIMATED', 'REJECTED'] as const;
export type ExceptionStatus = (typeof EXCEPTION_STATUSES)[number];

export interface ReadException {
  exceptionId: string;
  meterId: string;
  reason: VeeReason;
  action: Exclude<RuleAction, 'off'>;
  startEpochSec: number;
  durationSec: number;
  /** Micro-units of `unit`. */
  quantityMicro: number;
  unit: string;
  detail: string;
  /** The message it came from. */
  ref?: string;
  /** For unknown meters: the readings as they arrived, to be ingested once the meter exists. */
  readings?: ReadingInput[];
  status: ExceptionStatus;
  createdAt: string;
  resolvedAt?: string;
  resolvedBy?: string;
  note?: string;
}

export function exceptionIdFor(meterId: string, exception: Pick<VeeException, 'reason' | 'startEpochSec' | 'durationSec' | 'quantityMicro'>, unit: string): string {
  const digest = createHash('sha256').update(JSON.stringify([meterId, exception.reason, exception.startEpochSec, exception.durationSec, exception.quantityMicro, unit])).digest('hex');
  return `X${digest.slice(0, 24).toUpperCase()}`;
}

/** Day totals of hostile values can leave the exactly representable range: kept at its edge. */
export function clampQuantity(quantity: number): number {
  return Number.isSafeInteger(quantity) ? quantity : Math.sign(quantity) * Number.MAX_SAFE_INTEGER;
}

export function toReadException(meterId: string, meterUnit: string, source: VeeException, createdAt: string): ReadException {
  const unit = source.unit ?? meterUnit;
  const exception = { ...source, quantityMicro: clampQuantity(source.quantityMicro) };
  return {
    exceptionId: exceptionIdFor(meterId, exception, unit),
    meterId,
    reason: exception.reason,
    action: exception.action,
    startEpochSec: exception.startEpochSec,
    durationSec: exception.durationSec,
    quantityMicro: exception.quantityMicro,
    unit,
    detail: exception.detail,
    ...(exception.ref ? { ref: exception.ref } : {}),
    status: 'OPEN',
    createdAt,
  };
}

export interface UsageAlert extends HighUsageAlert {
  accountId: string;
  meterId: string;
  unit: string;
  raisedAt: string;
}
