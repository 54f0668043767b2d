import { runDurableObjectAlarm, runInDurableObject } from 'cloudflare:test';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { Till } from '../../sdk/index.ts';
import type { PublicJwk } from '../../shared/jws.ts';
import { type List, type OrderEventEntry, type WebhookEndpoint, WebhookEventSchema } from '../../shared/schemas.ts';
import { verifyPayload } from '../../shared/signature.ts';
import { now, resetClock } from '../../worker/base/clock.ts';
import type { OrderObject } from '../../worker/orders/order-object.ts';
import { alarmAfter, call, card, createMerchant, newOrder, orderStub, pay, runNextAlarm } from './helpers.ts';

const HOOK = 'https://merchant.test/till/webhooks';
const merchant = await createMerchant(HOOK);

interface Delivery {
  body: string;
  signature: string | null;
}

/** The merchant's endpoint: answers with the given statuses in turn, then 200. */
function endpoint(statuses: number[]) {
  const received: Delivery[] = [];
  const realFetch = globalThis.fetch;
  vi.spyOn(globalThis, 'fetch').mockImplementation(async (input, init) => {
    const request = new Request(input, init);
    if (request.url !== HOOK) return realFetch(input, init);
    received.push({ body: await request.text(), signature: request.headers.get('till-signature') });
    return new Response('', { status: statuses.shift() ?? 200 });
  });
  return received;
}

async function outbox(orderId: string) {
  const { body } = await call<{ data: OrderEventEntry[] }>(`/v1/orders/${orderId}/events`, {
    key: merchant.secret_key,
  });
  return body.data;
}

afterEach(() => {
  vi.restoreAllMocks();
  resetClock();
});

describe('webhooks', () => {
  it('delivers each event signed, in order, and retries after a failing endpoint', async () => {
    const received = endpoint([500, 503]);
    const order = await newOrder(merchant.secret_key);
    await pay(order, card('4242424242424242'));

    // The alarm may already have run on its own; drive it until the endpoint recovers.
    await vi.waitFor(async () => {
      await runNextAlarm(order.id);
      const events = await outbox(order.id);
      expect(events.map((event) => event.state)).toEqual(['delivered', 'delivered', 'delivered']);
    });

    const events = await outbox(order.id);
    expect(events.map((event) => event.type)).toEqual(['order.created', 'order.processing', 'order.paid']);
    expect(events[0]!.deliveries.map((delivery) => delivery.tries)).toEqual([3]);
    // The failed tries were the first event's: the second waited behind it.
    const types = received.map((delivery) => JSON.parse(delivery.body).type);
    expect(types).toEqual(['order.created', 'order.created', 'order.created', 'order.processing', 'order.paid']);
    // The primary endpoint (webhook_url) is listed with its id, which the JWKS check needs.
    const { body: endpoints } = await call<List<WebhookEndpoint>>('/v1/webhook_endpoints', {
      key: merchant.secret_key,
    });
    const primary = endpoints.data.find((candidate) => candidate.primary)!;
    const { body: jwks } = await call<{ keys: PublicJwk[] }>('/.well-known/jwks.json');
    for (const delivery of received) {
      await expect(
        verifyPayload(delivery.body, delivery.signature, merchant.webhook_secret, { now: now() }),
      ).resolves.toBeTruthy();
      await expect(
        Till.webhooks.verifyWithJwks(delivery.body, delivery.signature, jwks, { endpointId: primary.id, now: now() }),
      ).resolves.toMatchObject({ object: 'event' });
      expect(WebhookEventSchema.safeParse(JSON.parse(delivery.body)).success).toBe(true);
    }
    expect(JSON.parse(received.at(-1)!.body)).toMatchObject({
      type: 'order.paid',
      data: { object: { id: order.id, status: 'paid' } },
    });
  });

  it('backs off between tries and records why the endpoint failed', async () => {
    endpoint([500, 500, 500, 500, 500, 500]);
    const order = await newOrder(merchant.secret_key);
    await vi.waitFor(async () => expect((await outbox(order.id))[0]!.deliveries[0]?.tries).toBeGreaterThan(0));
    const [event] = await outbox(order.id);
    expect(event).toMatchObject({ state: 'pending', deliveries: [{ state: 'pending', last_error: 'HTTP 500' }] });
    const alarmAt = await runInDurableObject(orderStub(order.id), (_instance: OrderObject, state) =>
      state.storage.getAlarm(),
    );
    expect(alarmAt).toBeGreaterThan(Date.now() + 5_000);
    // An early alarm (the platform may run one) does not spend a try before the retry time.
    const tries = event!.deliveries[0]!.tries;
    await runDurableObjectAlarm(orderStub(order.id));
    expect((await outbox(order.id))[0]!.deliveries[0]!.tries).toBe(tries);
  });

  it('expires an unpaid order at expires_at and tells the merchant', async () => {
    endpoint([]);
    const order = await newOrder(merchant.secret_key);
    await alarmAfter(order.id, 3600);
    const stored = await call<{ status: string }>(`/v1/orders/${order.id}`, { key: merchant.secret_key });
    expect(stored.body.status).toBe('expired');
    // Asked before the deliveries below move the clock on (each run of the alarm jumps to its next
    // time): past the token's own expiry the edge would refuse the token first.
    const late = await pay(order, card('4242424242424242'));
    expect(late.body.error.code).toBe('order_not_payable');
    await vi.waitFor(async () => {
      await runNextAlarm(order.id);
      expect((await outbox(order.id)).map((event) => [event.type, event.state])).toEqual([
        ['order.created', 'delivered'],
        ['order.expired', 'delivered'],
      ]);
    });
  });
});
