/**
 * Late fees: a charge (a bill) still open `graceDays` after its due date draws one fee, flat or
 * a percent of its past-due amount (rounded once, half-up, at most the cap), when the account's
 * past due is at least the minimum. Never on disputed amounts, never on charges an active
 * payment arrangement covers. One fee per charge: its idempotency key is late-fee:<entryId>.
 */
import type { Decimal } from 'decimal.js';
import { addDays } from './calendar';
import { InvalidInput } from './errors';
import type { EntryKind, OpenCharge } from './ledger';
import { Money, roundToCents, sumAmounts } from './money';

export interface LateFeePolicy {
  /** Days after the due date before a fee is assessed (a fee on day graceDays + 1 past due). */
  graceDays: number;
  method: 'flat' | 'percent';
  /** The flat fee (method flat). */
  flatAmount: Decimal;
  /** Percent of the past-due amount (method percent), e.g. 1.5 for 1.5 %. */
  percent: Decimal;
  /** No fee while the account's past-due (fee-bearing) amount is below this. */
  minimumPastDue: Decimal;
  /** The largest fee on one charge; none = no cap. */
  cap?: Decimal | undefined;
}

export const DEFAULT_LATE_FEE_POLICY: LateFeePolicy = { graceDays: 5, method: 'percent', flatAmount: new Money('5.00'), percent: new Money('1.5'), minimumPastDue: new Money('10.00'), cap: new Money('25.00') };

/** Only bills draw late fees (never fees, adjustments or opening balances). */
export const FEE_BEARING_KINDS: ReadonlySet<EntryKind> = new Set(['BILL']);

export type LateFeeSkip = 'not-fee-bearing' | 'in-grace' | 'arrangement' | 'disputed' | 'below-minimum' | 'zero-fee';

export interface LateFeeDecision {
  fees: Array<{ chargeEntryId: string; pastDue: Decimal; fee: Decimal }>;
  skipped: Array<{ chargeEntryId: string; reason: LateFeeSkip }>;
}

export function validLateFeePolicy(policy: LateFeePolicy): LateFeePolicy {
  if (!Number.isInteger(policy.graceDays) || policy.graceDays < 0 || policy.graceDays > 365) throw new InvalidInput(`late-fee grace days must be a whole number from 0 to 365, got ${policy.graceDays}`);
  for (const [name, value] of [['flat amount', policy.flatAmount], ['percent', policy.percent], ['minimum past due', policy.minimumPastDue], ['cap', policy.cap]] as const) {
    if (value && value.isNegative()) throw new InvalidInput(`the late-fee ${name} must not be negative`);
  }
  if (policy.percent.gt(100)) throw new InvalidInput('the late-fee percent must be at most 100');
  return policy;
}

export function lateFees(
  policy: LateFeePolicy,
  input: { charges: readonly OpenCharge[]; kindOf: (entryId: string) => EntryKind | undefined; disputed: ReadonlyMap<string, Decimal>; protectedCharges: ReadonlySet<string>; asOf: string },
): LateFeeDecision {
  const skipped: LateFeeDecision['skipped'] = [];
  const candidates: Array<{ chargeEntryId: string; pastDue: Decimal }> = [];
  for (const charge of input.charges) {
    const kind = input.kindOf(charge.entryId);
    if (!kind || !FEE_BEARING_KINDS.has(kind)) skipped.push({ chargeEntryId: charge.entryId, reason: 'not-fee-bearing' });
    else if (addDays(charge.dueDate, policy.graceDays) >= input.asOf) skipped.push({ chargeEntryId: charge.entryId, reason: 'in-grace' });
    else if (input.protectedCharges.has(charge.entryId)) skipped.push({ chargeEntryId: charge.entryId, reason: 'arrangement' });
    else {
      const pastDue = charge.open.minus(input.disputed.get(charge.entryId) ?? 0);
      if (pastDue.lte(0)) skipped.push({ chargeEntryId: charge.entryId, reason: 'disputed' });
      else candidates.push({ chargeEntryId: charge.entryId, pastDue });
    }
  }
  if (sumAmounts(candidates.map((c) => c.pastDue)).lt(policy.minimumPastDue)) {
    return { fees: [], skipped: [...skipped, ...candidates.map((c) => ({ chargeEntryId: c.chargeEntryId, reason: 'below-minimum' as const }))] };
  }
  const fees: LateFeeDecision['fees'] = [];
  for (const candidate of candidates) {
    const raw = policy.method === 'flat' ? new Money(policy.flatAmount) : roundToCents(candidate.pastDue.times(policy.percent).div(100));
    const fee = policy.cap ? Money.min(raw, policy.cap) : raw;
    if (fee.lte(0)) skipped.push({ chargeEntryId: candidate.chargeEntryId, reason: 'zero-fee' });
    else fees.push({ ...candidate, fee: roundToCents(fee) });
  }
  return { fees, skipped };
}
