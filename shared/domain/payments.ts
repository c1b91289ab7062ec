/**
 * Payments: what a payment is, deterministic ids from the caller's idempotency key, the
 * fingerprint of a request (a reused key with another body is refused), and signed webhooks
 * from the payment provider (HMAC-SHA256 over "timestamp.body", with a timestamp tolerance).
 */
import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import { Forbidden } from './errors';
import type { ArrangementShare } from './arrangements';
import type { Allocation } from './ledger';

export const PAYMENT_METHODS = ['CARD', 'BANK', 'CASH', 'CHECK', 'MONEY_ORDER'] as const;
export type PaymentMethod = (typeof PAYMENT_METHODS)[number];
export const COUNTER_METHODS = ['CASH', 'CHECK', 'MONEY_ORDER', 'CARD'] as const;
export const PORTAL_METHODS = ['CARD', 'BANK'] as const;

/** Where a payment came from: the portal, the counter, an autopay debit (NACHA file), a bank or lockbox file. */
export const PAYMENT_CHANNELS = ['PORTAL', 'COUNTER', 'AUTOPAY', 'BANK_FILE'] as const;
export type PaymentChannel = (typeof PAYMENT_CHANNELS)[number];
export type PaymentStatus = 'POSTED' | 'RETURNED';

export interface Payment {
  paymentId: string;
  accountId: string;
  amount: string;
  method: PaymentMethod;
  channel: PaymentChannel;
  status: PaymentStatus;
  receivedAt: string;
  /** How the amount was spread over services; ACCOUNT_LEVEL = the credit part. */
  allocations: Allocation[];
  /** The overpayment part that became a credit. */
  credit: string;
  entryId: string;
  actor: string;
  /** The provider's id of the charge (portal payments), or the check number / receipt (counter). */
  reference?: string;
  provider?: string;
  /** The service the payer asked to pay first. */
  service?: string;
  /** The part that paid an active payment arrangement's installments. */
  arrangement?: ArrangementShare;
  /** Autopay debits: the NACHA trace number of the entry (returns are matched by it) and the debit day. */
  traceNumber?: string;
  debitDate?: string;
  /** Payments from an imported bank or lockbox file: the file and the line. */
  bankFileId?: string;
  bankFileLine?: number;
  returnedAt?: string;
  returnReason?: string;
  returnEntryId?: string;
  feeEntryId?: string;
}

/** The payment id of a request: the same account and idempotency key always give the same id. */
export function paymentIdFor(accountId: string, idempotencyKey: string): string {
  return `P${createHash('sha256').update(JSON.stringify(['payment', accountId, idempotencyKey])).digest('hex').slice(0, 20).toUpperCase()}`;
}

/** A refund's id from its idempotency key. */
export function refundIdFor(accountId: string, idempotencyKey: string): string {
  return `R${createHash('sha256').update(JSON.stringify(['refund', accountId, idempotencyKey])).digest('hex').slice(0, 20).toUpperCase()}`;
}

/** An adjustment's id from its idempotency key. */
export function adjustmentIdFor(accountId: string, idempotencyKey: string): string {
  return `J${createHash('sha256').update(JSON.stringify(['adjustment', accountId, idempotencyKey])).digest('hex').slice(0, 20).toUpperCase()}`;
}

/** The fingerprint of a request body: keys sorted, so key order does not matter. */
export function requestFingerprint(value: unknown): string {
  const canonical = (v: unknown): unknown => {
    if (Array.isArray(v)) return v.map(canonical);
    if (v && typeof v === 'object') return Object.fromEntries(Object.keys(v).sort().map((k) => [k, canonical((v as Record<string, unknown>)[k])]));
    return v;
  };
  return createHash('sha256').update(JSON.stringify(canonical(value) ?? null)).digest('hex');
}

// ---------------------------------------------------------------------------------------------
// Signed webhooks

/** The header carrying the signature: `t=<unix seconds>,v1=<hex HMAC-SHA256 of "t.body">`. */
export const SIGNATURE_HEADER = 'cis-signature';
/** A webhook older or newer than this many seconds is refused (replays of old captures). */
export const DEFAULT_WEBHOOK_TOLERANCE_SEC = 300;

export class InvalidSignature extends Forbidden {
  override name = 'InvalidSignature';
}

export function signWebhook(secret: string, timestampSec: number, body: string): string {
  const digest = createHmac('sha256', secret).update(`${timestampSec}.${body}`).digest('hex');
  return `t=${timestampSec},v1=${digest}`;
}

/** Checks the signature header of a webhook body; throws InvalidSignature (403) naming what is wrong. */
export function verifyWebhook(secret: string, header: string | undefined, body: string, nowSec: number, toleranceSec = DEFAULT_WEBHOOK_TOLERANCE_SEC): void {
  if (!header) throw new InvalidSignature(`the ${SIGNATURE_HEADER} header is missing`);
  const parts = new Map<string, string[]>();
  for (const part of header.split(',')) {
    const [name, ...rest] = part.trim().split('=');
    if (!name || rest.length === 0) continue;
    parts.set(name, [...(parts.get(name) ?? []), rest.join('=')]);
  }
  const timestamp = parts.get('t')?.[0];
  if (!timestamp || !/^\d{1,12}$/.test(timestamp)) throw new InvalidSignature(`the ${SIGNATURE_HEADER} header has no timestamp t=`);
  if (Math.abs(nowSec - Number(timestamp)) > toleranceSec) throw new InvalidSignature(`the webhook timestamp is more than ${toleranceSec} seconds from now`);
  const expected = Buffer.from(createHmac('sha256', secret).update(`${timestamp}.${body}`).digest('hex'), 'utf8');
  const matches = (parts.get('v1') ?? []).some((candidate) => {
    const given = Buffer.from(candidate, 'utf8');
    return given.length === expected.length && timingSafeEqual(given, expected);
  });
  if (!matches) throw new InvalidSignature('the webhook signature does not match');
}
