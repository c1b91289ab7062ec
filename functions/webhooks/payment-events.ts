/**
 * POST /webhooks/payments : events from the payment provider. No user token: the body must carry
 * a valid Cis-Signature (HMAC-SHA256 of "timestamp.body" with the shared secret, recent
 * timestamp), else 403. Each event id takes effect once; replays answer 200 "duplicate".
 */
import middy from '@middy/core';
import { handlePaymentWebhook, type WebhookDeps } from '../../shared/app/payments/handle-webhook';
import { SIGNATURE_HEADER } from '../../shared/domain/payments';
import { apiHandler, httpErrors, json, type HttpEvent, type HttpResponse } from '../../shared/adapters/http';
import { webhookDeps } from '../../shared/adapters/payments-runtime';
import { lazyHandler } from '../../shared/adapters/runtime';

/** The body exactly as sent: the signature covers these bytes. */
function rawBody(event: HttpEvent): string {
  if (!event.body) return '';
  return event.isBase64Encoded ? Buffer.from(event.body, 'base64').toString('utf8') : event.body;
}

function header(event: HttpEvent, name: string): string | undefined {
  return Object.entries(event.headers ?? {}).find(([key]) => key.toLowerCase() === name)?.[1];
}

export const createHandler = (deps: WebhookDeps) =>
  apiHandler(
    middy<HttpEvent, HttpResponse>()
      .use(httpErrors(deps.log))
      .handler(async (event) => json(200, await handlePaymentWebhook(deps, { signature: header(event, SIGNATURE_HEADER), body: rawBody(event) }))),
  );

export const handler = lazyHandler(() => createHandler(webhookDeps()));
