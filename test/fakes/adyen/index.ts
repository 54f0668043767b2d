/**
 * A local stand-in for Adyen's Checkout API (v71, cards with raw card data), for Till's tests and
 * the demo. It checks what Adyen checks (X-API-Key, the key's merchantAccount, required fields,
 * card format), keeps payments and their modifications in memory, answers field by field as
 * CheckoutService-v71.json describes, and signs its standard webhooks with @adyen/api-library's own
 * HmacValidator. `/v72/…` is served too, identically: the Node library only speaks v72, and the
 * request and response shapes the fake uses are the same in both versions.
 *
 * API (header X-API-Key; optional Idempotency-Key: same key + same request → the stored answer
 * replayed, other request → 422 errorCode 704):
 *   POST /v71/payments                          → PaymentResponse (resultCode, action for 3DS2)
 *   POST /v71/payments/details {details:{redirectResult}}
 *   POST /v71/payments/:psp/captures|cancels|refunds, POST /v71/cancels {paymentReference}
 *                                               → 201 {…, status:'received'}; the outcome comes in a webhook
 * Test cards: 4111111145551142 (Visa) and 5555341244441115 (Mastercard) authorise, and so does any
 *   other Luhn-valid number (Till's failover test pays Stripe's 4242… through Adyen);
 *   4917610000000000 and 5454545454545454 answer RedirectShopper (3-D Secure 2 challenge page at
 *   action.url: "Complete authentication" / "Fail authentication", then 303 to returnUrl?redirectResult=…).
 *   holderName (or additionalData.RequestedTestAcquirerResponseCode) picks a refusal as Adyen's test
 *   platform does: DECLINED 2, REFERRAL 3, ERROR 4 (Error), BLOCK_CARD 5, CARD_EXPIRED 6,
 *   INVALID_CARD_NUMBER 8, ISSUER_UNAVAILABLE 9, NOT_ENOUGH_BALANCE 12, FRAUD 20, CVC_DECLINED 24, …
 *   (cards.ts). An expiry in the past is Refused "Expired Card" (6). Capture is automatic unless
 *   additionalData.manualCapture is "true" (or captureDelayHours > 0: captured when the clock passes it).
 * Webhooks: every authorisation result and modification outcome (AUTHORISATION, CAPTURE,
 *   CANCELLATION, REFUND, TECHNICAL_CANCEL, EXPIRE) is POSTed at once to the account's URL as
 *   {live:'false', notificationItems:[{NotificationRequestItem}]}, retried twice until the answer is `[accepted]`.
 *   A modification's webhook carries the modification request's `reference` as merchantReference (the
 *   payment's when none was given); the payment's metadata comes back (as metadata.<key>) in AUTHORISATION only.
 * Control (JSON), for tests:
 *   POST /_fake/accounts                         → {api_key, merchant_account, hmac_key}: a fresh isolated account
 *   POST /_fake/webhooks {api_key, url}          the account's webhook URL (Adyen: Customer Area)
 *   GET  /_fake/notifications?api_key=…          {deliveries:[{item, url, attempts:[{status, body}], accepted,
 *                                                dropped}]}
 *   GET  /_fake/notifications/:pspReference/:eventCode/signed
 *                                                {body, headers}: that webhook's batch exactly as sent, signed,
 *                                                for a receiver the fake cannot reach; ?merchant_reference=payment
 *                                                re-signs it carrying the payment's reference instead
 *   POST /_fake/faults {api_key, kind, count?, delay_ms?}  kind: server_error (the next `count` calls answer 500
 *        and do nothing; 1 by default) | down (every call 500 until reset) | slow (the next `count` calls are
 *        carried out and answered after delay_ms) | drop_notifications (the next `count` webhooks, or all until
 *        reset, are recorded but never sent) | reset
 *   POST /_fake/clock {advance_seconds}          moves the fake's clock: manual-capture authorisations left
 *                                                uncaptured for 7 days expire (EXPIRE webhook)
 *   POST /_fake/payments/:pspReference/dispute {eventCode, value?, reasonCode?, defendable?}
 *                                                one stage of a dispute of a captured payment (REQUEST_FOR_INFORMATION,
 *                                                NOTIFICATION_OF_CHARGEBACK, CHARGEBACK, CHARGEBACK_REVERSED, …) as its
 *                                                webhook → {pspReference, eventCode}
 *   GET  /_fake/payments/:pspReference, GET /_fake/payments?api_key=…&reference=…
 *                                                {status, captured, refunded, cancelled, modifications, …}
 */
import { createHash } from 'node:crypto';
import { type RunningFake, serve } from '../serve.ts';
import { handleControl } from './control.ts';
import { AdyenError, idempotencyMismatch, internalError, notFound, unauthorized, unparsable } from './errors.ts';
import { cancelByReference, modifyPayment } from './modifications.ts';
import { createPayment, isObject, type Json, paymentDetails } from './payments.ts';
import { type Account, AdyenState } from './state.ts';

interface Answer {
  status: number;
  body: string;
}

function route(state: AdyenState, account: Account, path: string, body: Json, origin: string): Answer {
  const ok = (status: number, value: Json): Answer => ({ status, body: JSON.stringify(value) });
  if (path === '/payments') return ok(200, createPayment(state, account, body, origin));
  if (path === '/payments/details') return ok(200, paymentDetails(state, account, body));
  if (path === '/cancels') return ok(201, cancelByReference(state, account, body));
  const modification = /^\/payments\/([^/]+)\/(captures|cancels|refunds)$/.exec(path);
  if (modification) {
    const [, pspReference, action] = modification as unknown as [string, string, 'captures' | 'cancels' | 'refunds'];
    return ok(201, modifyPayment(state, account, decodeURIComponent(pspReference), action, body));
  }
  throw notFound(path);
}

function answerOf(error: unknown): Answer {
  if (!(error instanceof AdyenError)) throw error;
  return { status: error.status, body: JSON.stringify(error.body()) };
}

async function handleApi(state: AdyenState, request: Request, path: string): Promise<Response> {
  const account = state.accounts.get(request.headers.get('x-api-key') ?? '');
  if (!account) return unauthorized().toResponse();
  if (state.takeFault(account, 'down') || state.takeFault(account, 'server_error')) return internalError().toResponse();
  if (request.method !== 'POST') return notFound(path).toResponse();
  const raw = await request.text();
  const idempotencyKey = request.headers.get('idempotency-key');
  const fingerprint = createHash('sha256').update(`${path}\n${raw}`).digest('hex');
  const stored = idempotencyKey ? account.idempotency.get(idempotencyKey) : undefined;
  let answer: Answer;
  if (stored && stored.fingerprint !== fingerprint) answer = answerOf(idempotencyMismatch());
  else if (stored) answer = stored;
  else {
    try {
      const parsed: unknown = JSON.parse(raw);
      if (!isObject(parsed)) throw unparsable('expected a JSON object');
      answer = route(state, account, path, parsed, new URL(request.url).origin);
    } catch (error) {
      answer = answerOf(error instanceof SyntaxError ? unparsable(error.message) : error);
    }
    if (idempotencyKey) account.idempotency.set(idempotencyKey, { fingerprint, ...answer });
  }
  const slow = state.takeFault(account, 'slow');
  if (slow) await new Promise((resolve) => setTimeout(resolve, slow.delayMs));
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  if (idempotencyKey) headers['idempotency-key'] = idempotencyKey;
  return new Response(answer.body, { status: answer.status, headers });
}

export function adyenFakeHandler(state = new AdyenState()): (request: Request) => Promise<Response> {
  return async (request) => {
    const path = new URL(request.url).pathname;
    const api = /^\/v7[12](\/.*)$/.exec(path);
    if (api) return handleApi(state, request, api[1]!);
    const answer = await handleControl(state, request);
    return answer ?? notFound(path).toResponse();
  };
}

export async function startAdyenFake(options: { port: number }): Promise<RunningFake> {
  return serve(options.port, adyenFakeHandler());
}
