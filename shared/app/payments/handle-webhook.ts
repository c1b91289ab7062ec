/**
 * Events from the payment provider, signed with the shared secret (HMAC-SHA256 over
 * "timestamp.body", timestamp within the tolerance). Each event id is processed once: a
 * `payment.returned` event returns the payment (reversal and fee) in the transaction that
 * records the event id; other events are recorded and otherwise ignored.
 */
import { verifyWebhook } from '../../domain/payments';
import { InvalidInput } from '../../domain/errors';
import { PaymentWebhookEvent } from '../../schemas/payments';
import { parseOrThrow } from '../../schemas/issues';
import { DependencyUnavailable, TransientStoreError } from '../errors';
import type { Logger } from '../ports';
import { PaymentNotFound, PaymentNotReturnable } from './errors';
import { returnPayment, type ReturnDeps } from './return-payment';

export interface WebhookDeps extends ReturnDeps {
  /** Undefined until the deployment configures one: every event is refused (503). */
  webhookSecret: string | undefined;
  toleranceSec?: number;
  providerName: string;
  log: Logger;
}

export type WebhookEffect = 'returned' | 'duplicate' | 'already-returned' | 'unknown-payment' | 'reference-mismatch' | 'ignored';

export async function handlePaymentWebhook(deps: WebhookDeps, input: { signature: string | undefined; body: string }): Promise<{ received: true; eventId: string; effect: WebhookEffect }> {
  if (!deps.webhookSecret) throw new DependencyUnavailable('payment webhooks are not configured: deploy with the paymentWebhookSecret context (the secret the payment provider signs with)');
  verifyWebhook(deps.webhookSecret, input.signature, input.body, Math.floor(deps.clock.now().getTime() / 1000), deps.toleranceSec);
  let parsed: unknown;
  try {
    parsed = JSON.parse(input.body);
  } catch {
    throw new InvalidInput('the webhook body is not valid JSON', [{ path: 'body', message: 'not valid JSON' }]);
  }
  const event = parseOrThrow(PaymentWebhookEvent, parsed, 'webhook event', 'body');
  const receivedAt = deps.clock.now().toISOString();
  const record = async (effect: WebhookEffect): Promise<WebhookEffect> => ((await deps.ledger.recordWebhookEvent({ eventId: event.id, type: event.type, receivedAt })) ? effect : 'duplicate');
  const answer = (effect: WebhookEffect) => {
    deps.log.info('payment webhook', { eventId: event.id, type: event.type, effect });
    return { received: true as const, eventId: event.id, effect };
  };
  if (event.type !== 'payment.returned') return answer(await record('ignored'));
  const paymentId = event.data.paymentId;
  if (!paymentId) throw new InvalidInput('a payment.returned event needs data.paymentId', [{ path: 'body.data.paymentId', message: 'required' }]);
  const payment = await deps.ledger.getPayment(paymentId);
  if (!payment) return answer(await record('unknown-payment'));
  if (payment.provider !== deps.providerName || payment.reference !== event.data.reference) return answer(await record('reference-mismatch'));
  for (let attempt = 1; ; attempt++) {
    try {
      await returnPayment(deps, { paymentId, reason: event.data.reason ?? 'returned by the payment provider', actor: `payment-provider:${deps.providerName}`, webhookEvent: { eventId: event.id, type: event.type } });
      return answer('returned');
    } catch (error) {
      if (error instanceof PaymentNotReturnable) return answer(await record('already-returned'));
      if (error instanceof PaymentNotFound) return answer(await record('unknown-payment'));
      // A concurrent delivery of the same event conflicts in its transaction: look again (it is then a duplicate).
      if (error instanceof TransientStoreError && attempt < RETRIES) {
        await new Promise((resolve) => setTimeout(resolve, 50 * attempt));
        continue;
      }
      throw error;
    }
  }
}

const RETRIES = 3;
