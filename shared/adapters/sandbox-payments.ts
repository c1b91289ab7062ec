/**
 * The local sandbox payment provider: no network, deterministic answers by test token, and a
 * repeated charge with the same idempotency key returns the same reference (as real providers
 * do), so a retried payment request is never charged twice.
 *
 * | token | result |
 * | --- | --- |
 * | tok_sandbox_visa, tok_sandbox_mastercard, tok_sandbox_bank | succeeds |
 * | tok_sandbox_return | succeeds now; the bank returns it later (a signed payment.returned webhook) |
 * | tok_sandbox_declined | declined: card_declined |
 * | tok_sandbox_insufficient_funds | declined: insufficient_funds |
 * | anything else | declined: invalid_token |
 */
import { createHash } from 'node:crypto';
import { DependencyUnavailable } from '../app/errors';
import type { ChargeResult, PaymentProvider } from '../app/payments/ports';

export const SANDBOX_TOKENS = {
  succeeds: ['tok_sandbox_visa', 'tok_sandbox_mastercard', 'tok_sandbox_bank'],
  returnsLater: 'tok_sandbox_return',
  declined: { tok_sandbox_declined: 'card_declined', tok_sandbox_insufficient_funds: 'insufficient_funds' } as Record<string, string>,
} as const;

/** The reference the sandbox gives a charge: the same idempotency key, the same reference. */
export function sandboxReference(idempotencyKey: string): string {
  return `sbx_${createHash('sha256').update(idempotencyKey).digest('hex').slice(0, 24)}`;
}

export class SandboxPaymentProvider implements PaymentProvider {
  readonly name = 'sandbox';

  async charge(input: Parameters<PaymentProvider['charge']>[0]): Promise<ChargeResult> {
    const declined = SANDBOX_TOKENS.declined[input.token];
    if (declined) return { status: 'declined', reason: declined };
    if (!(SANDBOX_TOKENS.succeeds as readonly string[]).includes(input.token) && input.token !== SANDBOX_TOKENS.returnsLater) return { status: 'declined', reason: 'invalid_token' };
    return { status: 'succeeded', reference: sandboxReference(input.idempotencyKey) };
  }
}

/** The body of the sandbox's `payment.returned` event for a payment (sign it with signWebhook). */
export function sandboxReturnEvent(input: { eventId: string; paymentId: string; reference: string; reason?: string; createdSec: number }): string {
  return JSON.stringify({ id: input.eventId, type: 'payment.returned', created: input.createdSec, data: { paymentId: input.paymentId, reference: input.reference, reason: input.reason ?? 'R01 insufficient funds' } });
}

/** A deployment without a provider adapter: every charge is refused (HTTP 503) and no payment is posted. */
export class UnconfiguredPaymentProvider implements PaymentProvider {
  readonly name = 'none';

  charge(): Promise<ChargeResult> {
    return Promise.reject(new DependencyUnavailable('no payment provider is configured for portal payments (CDK context paymentProvider); pay at the counter'));
  }
}
