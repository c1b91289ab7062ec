/**
 * A returned payment (a bounced check, an ACH return, a reported charge-back): the payment's
 * entry is reversed by a PAYMENT_RETURN entry, the returned-payment fee is charged, and the
 * payment is marked returned, in one transaction. Staff return a payment by id; the provider's
 * signed webhook does it with its event id, so a replayed event changes nothing.
 */
import type { AuditEvent } from '../../domain/audit';
import { feeEntry, reversalOf } from '../../domain/ledger';
import { Money } from '../../domain/money';
import type { Payment } from '../../domain/payments';
import { CorruptRecord } from '../errors';
import type { Clock } from '../ports';
import { LedgerWriteRefused, PaymentNotFound, PaymentNotReturnable } from './errors';
import type { LedgerStore } from './ports';

export interface ReturnDeps {
  ledger: LedgerStore;
  clock: Clock;
  newId: () => string;
  /** The returned-payment fee (decimal string; "0.00" charges none). */
  returnedPaymentFee: string;
}

export interface ReturnResult {
  payment: Payment;
  returnEntryId: string;
  feeEntryId: string | null;
}

export async function returnPayment(deps: ReturnDeps, input: { paymentId: string; reason: string; actor: string; webhookEvent?: { eventId: string; type: string } }): Promise<ReturnResult> {
  const payment = await deps.ledger.getPayment(input.paymentId);
  if (!payment) throw new PaymentNotFound(`payment ${input.paymentId} does not exist`);
  if (payment.status !== 'POSTED') throw new PaymentNotReturnable(`payment ${input.paymentId} was returned already (${payment.returnedAt ?? 'earlier'})`);
  const original = (await deps.ledger.listEntries(payment.accountId)).find((entry) => entry.entryId === payment.entryId);
  if (!original) throw new CorruptRecord(`payment ${payment.paymentId}: its ledger entry ${payment.entryId} is missing`);
  const at = deps.clock.now().toISOString();
  const reversal = reversalOf(original, { postedAt: at, kind: 'PAYMENT_RETURN', description: `Returned payment ${payment.paymentId}: ${input.reason}`, actor: input.actor });
  const fee = new Money(deps.returnedPaymentFee);
  const feeCharge = fee.gt(0)
    ? feeEntry({ accountId: payment.accountId, amount: fee, postedAt: at, idempotencyKey: `returned-payment-fee:${payment.paymentId}`, description: `Returned payment fee for ${payment.paymentId}`, actor: input.actor, paymentId: payment.paymentId })
    : undefined;
  const returned: Payment = { ...payment, status: 'RETURNED', returnedAt: at, returnReason: input.reason, returnEntryId: reversal.entryId, ...(feeCharge ? { feeEntryId: feeCharge.entryId } : {}) };
  const audit: AuditEvent = {
    eventId: deps.newId(),
    entityType: 'ACCOUNT',
    entityId: payment.accountId,
    at,
    actor: input.actor,
    action: 'payment.returned',
    details: { paymentId: payment.paymentId, amount: payment.amount, reason: input.reason, returnEntryId: reversal.entryId, fee: feeCharge ? feeCharge.postings[0]!.amount : '0.00', ...(input.webhookEvent ? { webhookEventId: input.webhookEvent.eventId } : {}) },
  };
  try {
    await deps.ledger.commit({
      entries: feeCharge ? [reversal, feeCharge] : [reversal],
      payment: { value: returned, expectedStatus: 'POSTED' },
      audit: [audit],
      ...(input.webhookEvent ? { webhookEvent: { ...input.webhookEvent, receivedAt: at } } : {}),
    });
  } catch (error) {
    if (error instanceof LedgerWriteRefused && (error.part === 'payment' || error.part === 'entry')) throw new PaymentNotReturnable(`payment ${input.paymentId} was returned already`);
    throw error;
  }
  return { payment: returned, returnEntryId: reversal.entryId, feeEntryId: feeCharge?.entryId ?? null };
}
