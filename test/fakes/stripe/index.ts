/**
 * A local stand-in for Stripe's PaymentIntents API (cards, raw card data sent server-side), for
 * the worker tests, the e2e tests and the demo. It validates requests and answers field by field
 * as Stripe does (checked by the `stripe` npm client in test/unit/stripe-fake*.test.ts), keeps
 * accounts in memory, and signs webhooks with stripe-node's own code.
 *
 * API (form bodies, JSON answers; `Authorization: Bearer sk_test_…`; Idempotency-Key on POSTs):
 *   POST /v1/payment_intents                 amount, currency, confirm, capture_method, return_url, description,
 *                                            metadata[…], payment_method_types[], payment_method_data[…]
 *   GET  /v1/payment_intents/:id             expand[]=latest_charge
 *   GET  /v1/payment_intents/search          query=metadata['key']:'value' (the one clause the stand-in knows)
 *   POST /v1/payment_intents/:id/confirm|capture|cancel
 *   GET  /v1/charges/:id   POST /v1/refunds   GET /v1/refunds/:id   GET /v1/events/:id
 *   POST /v1/webhook_endpoints               url, enabled_events[] → {id, secret, …}
 * Shopper: GET /3ds/:pi?payment_intent_client_secret=…   (page with "Complete authentication" and
 *          "Fail authentication"), POST it (result=complete|fail) → 303 to return_url?payment_intent=…
 *          &payment_intent_client_secret=…&redirect_status=succeeded|failed
 * Test cards (any future expiry, any CVC): 4242424242424242 visa and 5555555555554444 mastercard succeed;
 *   4000002760003184, 4000000000003220 need 3-D Secure; 4000000000000002 generic_decline,
 *   …9995 insufficient_funds, …9987 lost_card, …9979 stolen_card, 4100000000000019 fraudulent (all card_declined);
 *   4000000000000069 expired_card; 4000000000000127 incorrect_cvc; 4000000000000119 processing_error;
 *   a failed Luhn digit (4242424242424241) incorrect_number; a past expiry invalid_expiry_year|month.
 * Control (JSON), for tests and the demo:
 *   POST /_fake/accounts                       → {secret_key, webhook_secret}: a fresh isolated account
 *   POST /_fake/clock {advance_seconds}        moves the clock; manual-capture authorizations lapse after 7 days
 *   POST /_fake/webhooks {secret_key, url, enabled_events?}   endpoint signed with the account's webhook secret
 *   POST /_fake/webhooks/roll {secret_key, expires_in_seconds?} → {secret, previous_secret, previous_expires_at}:
 *                                              both sign (t=…,v1=new,v1=old) until the old one expires (24 h)
 *   POST /_fake/faults {secret_key, kind, count?, delay_ms?}  kind: server_error (next count calls 500, nothing
 *        done) | down (every call 500 until reset) | slow (next count calls done, answered after delay_ms) |
 *        drop_webhooks (next count events, or all until reset, recorded not delivered) | reset
 *   POST /_fake/payment_intents/:id/dispute {reason?, status?, amount?}   charge.dispute.created (+ funds_withdrawn
 *                                              for a chargeback, status needs_response; an inquiry opens as
 *                                              warning_needs_response), evidence due in 21 days
 *   POST /_fake/disputes/:id/close {status}    won | lost (a chargeback), warning_closed (an inquiry):
 *                                              charge.dispute.closed (+ funds_reinstated when won)
 *   GET  /_fake/payment_intents/:id            {payment_intent, charge, events}
 *   GET  /_fake/events/:id/signed              {body, headers}: the event as a webhook carries it, signed with the
 *                                              account's webhook secret, for receivers the fake cannot reach
 *   GET  /_fake/accounts/:secret_key/payment_intents | deliveries
 */
import { type RunningFake, serve } from '../serve.ts';
import { StripeFakeState } from './account.ts';
import { handleApi } from './api.ts';
import { handleControl } from './control.ts';
import { handleChallenge } from './pages.ts';

export function stripeFakeHandler(state = new StripeFakeState()): (request: Request) => Promise<Response> {
  return async (request) => {
    const { pathname } = new URL(request.url);
    if (pathname.startsWith('/v1/')) return handleApi(state, request);
    const challenge = /^\/3ds\/([^/]+)$/.exec(pathname);
    if (challenge) return handleChallenge(state, request, decodeURIComponent(challenge[1]!));
    if (pathname.startsWith('/_fake/')) {
      const answer = await handleControl(state, request);
      if (answer) return answer;
    }
    return Response.json({ error: `no route ${request.method} ${pathname}` }, { status: 404 });
  };
}

export function startStripeFake(options: { port: number }): Promise<RunningFake> {
  return serve(options.port, stripeFakeHandler());
}
