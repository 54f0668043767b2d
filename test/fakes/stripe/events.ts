/**
 * Events and their webhook deliveries. Every recorded event goes at once (fire and forget, with two
 * retries) to each enabled endpoint whose `enabled_events` match, signed by stripe-node's own
 * `webhooks.generateTestHeaderString`. While a rolled secret is still valid the header carries a
 * v1 signature for each secret (`t=…,v1=<new>,v1=<old>`), as Stripe does during rotation.
 */
import Stripe from 'stripe';
import type { Account, Delivery, StripeEvent, StripeFakeState, WebhookEndpoint } from './account.ts';
import { stripeId } from './objects.ts';

/** The version the events are rendered in: the one the stripe package pins. */
export const FAKE_API_VERSION = Stripe.API_VERSION;

/** Waits between delivery attempts; short, since the receivers are local test servers. */
const RETRY_DELAYS_MS = [200, 1000];

export interface RequestContext {
  id: string | null;
  idempotencyKey: string | null;
}

/** The Stripe-Signature header for `payload`: the timestamp is real time, as receivers check it against theirs. */
export function signatureHeader(endpoint: WebhookEndpoint, payload: string, fakeNow: number): string {
  const timestamp = Math.floor(Date.now() / 1000);
  const header = Stripe.webhooks.generateTestHeaderString({ payload, secret: endpoint.secret, timestamp });
  const previous = endpoint.previous;
  if (!previous || previous.expiresAt <= fakeNow) return header;
  const old = Stripe.webhooks.generateTestHeaderString({ payload, secret: previous.secret, timestamp });
  return `${header},${old.slice(old.indexOf(',') + 1)}`;
}

const matches = (endpoint: WebhookEndpoint, type: string): boolean =>
  endpoint.status === 'enabled' && (endpoint.enabled_events.includes('*') || endpoint.enabled_events.includes(type));

async function deliver(
  state: StripeFakeState,
  endpoint: WebhookEndpoint,
  payload: string,
  delivery: Delivery,
): Promise<void> {
  for (let attempt = 0; attempt <= RETRY_DELAYS_MS.length; attempt++) {
    if (attempt > 0) await new Promise((resolve) => setTimeout(resolve, RETRY_DELAYS_MS[attempt - 1]));
    try {
      const response = await fetch(endpoint.url, {
        method: 'POST',
        headers: {
          'content-type': 'application/json; charset=utf-8',
          'user-agent': 'Stripe/1.0 (+https://stripe.com/docs/webhooks)',
          'stripe-signature': signatureHeader(endpoint, payload, state.now()),
        },
        body: payload,
        signal: AbortSignal.timeout(10_000),
      });
      await response.arrayBuffer();
      delivery.attempts.push(response.status);
      if (response.ok) {
        delivery.state = 'delivered';
        return;
      }
    } catch {
      delivery.attempts.push(null);
    }
  }
  delivery.state = 'failed';
}

/** Records the event on the account and sends it to the matching endpoints (unless a fault drops it). */
export function recordEvent(
  state: StripeFakeState,
  account: Account,
  type: string,
  object: unknown,
  request: RequestContext = { id: null, idempotencyKey: null },
): StripeEvent {
  const endpoints = account.endpoints.filter((endpoint) => matches(endpoint, type));
  const event: StripeEvent = {
    id: stripeId('evt'),
    object: 'event',
    api_version: FAKE_API_VERSION,
    created: state.now(),
    livemode: false,
    pending_webhooks: endpoints.length,
    request: { id: request.id, idempotency_key: request.idempotencyKey },
    type,
    data: { object },
  };
  account.events.set(event.id, event);
  const dropped = account.faults.dropWebhooks > 0;
  if (dropped) account.faults.dropWebhooks--;
  const payload = JSON.stringify(event, null, 2);
  for (const endpoint of endpoints) {
    const delivery: Delivery = {
      event: event.id,
      type,
      endpoint: endpoint.id,
      url: endpoint.url,
      attempts: [],
      state: dropped ? 'dropped' : 'pending',
    };
    account.deliveries.push(delivery);
    if (!dropped) void deliver(state, endpoint, payload, delivery);
  }
  return event;
}
