import { env, runDurableObjectAlarm, runInDurableObject } from 'cloudflare:test';
import { describe, expect, it } from 'vitest';
import type { ErrorEnvelope } from '../../shared/errors.ts';
import {
  EventListSchema,
  type List,
  MerchantListSchema,
  type Order,
  type OrderListItem,
  OrderListSchema,
  type WebhookEvent,
} from '../../shared/schemas.ts';
import type { OrderObject } from '../../worker/orders/order-object.ts';
import { call, card, createMerchant, newOrder, orderStub, pay } from './helpers.ts';

async function listOrders(key: string, query: string) {
  const response = await call<List<OrderListItem> & ErrorEnvelope>(`/v1/orders?${query}`, { key });
  if (response.status === 200) OrderListSchema.parse(response.body);
  return response;
}

/** The index follows the order object from its alarm: wait until it shows the order's status. */
async function indexedAs(key: string, id: string, status: string): Promise<void> {
  for (let i = 0; i < 100; i++) {
    const listed = await listOrders(key, `status=${status}&limit=100`);
    if (listed.body.data.some((order) => order.id === id)) return;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  throw new Error(`order ${id} never indexed as ${status}`);
}

describe('GET /v1/orders', () => {
  it('pages through every order exactly once while new orders keep arriving', async () => {
    const merchant = await createMerchant();
    const before = [];
    for (let i = 0; i < 23; i++) before.push((await newOrder(merchant.secret_key, { amount: 100 + i })).id);
    const seen: string[] = [];
    let cursor: string | undefined;
    for (let page = 0; page < 10; page++) {
      // Orders created while paging must neither push an existing one onto two pages nor hide one.
      await Promise.all([newOrder(merchant.secret_key), newOrder(merchant.secret_key)]);
      const response = await listOrders(merchant.secret_key, `limit=5${cursor ? `&starting_after=${cursor}` : ''}`);
      expect(response.status).toBe(200);
      seen.push(...response.body.data.map((order) => order.id));
      if (!response.body.has_more) break;
      cursor = response.body.data.at(-1)?.id;
    }
    expect(new Set(seen).size).toBe(seen.length);
    for (const id of before) expect(seen).toContain(id);
  });

  it('pages backwards with ending_before and filters by status, currency, channel, metadata and created', async () => {
    const merchant = await createMerchant();
    const paid = await newOrder(merchant.secret_key, { currency: 'EUR', metadata: { cart: 'c-1', region: 'eu' } });
    await pay(paid, card('4242424242424242'));
    await indexedAs(merchant.secret_key, paid.id, 'paid');
    const open = await newOrder(merchant.secret_key, { metadata: { cart: 'c-2' } });
    const third = await newOrder(merchant.secret_key);

    const newestFirst = (await listOrders(merchant.secret_key, 'limit=3')).body.data.map((order) => order.id);
    expect(newestFirst).toHaveLength(3);
    expect(new Set(newestFirst)).toEqual(new Set([paid.id, open.id, third.id]));
    const back = await listOrders(merchant.secret_key, `limit=1&ending_before=${newestFirst[2]}`);
    expect(back.body.data.map((order) => order.id)).toEqual([newestFirst[1]]);
    expect(back.body.has_more).toBe(true);

    const ids = async (query: string) =>
      (await listOrders(merchant.secret_key, query)).body.data.map((order) => order.id);
    expect(await ids('status=paid')).toEqual([paid.id]);
    expect(await ids('currency=EUR')).toEqual([paid.id]);
    expect(await ids('channel=sandbox')).toEqual([paid.id]);
    expect(await ids('metadata[cart]=c-2')).toEqual([open.id]);
    expect(await ids('metadata[region]=eu&status=paid')).toEqual([paid.id]);
    expect(await ids(`created[gte]=${paid.created_at}&limit=10`)).toHaveLength(3);
    expect(await ids(`created[lt]=${paid.created_at}`)).toEqual([]);
    const listed = (await listOrders(merchant.secret_key, 'status=paid')).body.data[0];
    expect(listed).toMatchObject({
      object: 'order',
      amount: 2900,
      currency: 'EUR',
      paid_channel: 'sandbox',
      metadata: { cart: 'c-1', region: 'eu' },
    });
  });

  it('refuses bad list parameters in the envelope', async () => {
    const merchant = await createMerchant();
    const cases: Array<[string, string]> = [
      ['limit=0', 'limit'],
      ['limit=101', 'limit'],
      ['limit=abc', 'limit'],
      ['status=lost', 'status'],
      ['starting_after=ord_x', 'starting_after'],
      ['sort=amount', 'sort'],
      ['created[gt]=yesterday', 'created[gt]'],
      ['metadata[a"b]=1', 'metadata[a"b]'],
    ];
    for (const [query, param] of cases) {
      const response = await listOrders(merchant.secret_key, query);
      expect(response.status, query).toBe(400);
      expect(response.body.error.param, query).toBe(param);
    }
    const other = await createMerchant();
    const foreign = await newOrder(other.secret_key);
    const cursor = await listOrders(merchant.secret_key, `starting_after=${foreign.id}`);
    expect([cursor.status, cursor.body.error.param]).toEqual([400, 'starting_after']);
  });

  it('keeps a cursor usable after its order left the filtered list', async () => {
    const merchant = await createMerchant();
    await newOrder(merchant.secret_key);
    const moving = await newOrder(merchant.secret_key);
    const first = await listOrders(merchant.secret_key, 'status=open&limit=1');
    expect(first.body.data[0]?.id).toBe(moving.id);
    await call(`/v1/orders/${moving.id}/cancel`, { key: merchant.secret_key, method: 'POST' });
    await indexedAs(merchant.secret_key, moving.id, 'canceled');
    const next = await listOrders(merchant.secret_key, `status=open&limit=1&starting_after=${moving.id}`);
    expect(next.status).toBe(200);
    expect(next.body.data).toHaveLength(1);
  });

  it('shows an order whose index copy arrived late to a client polling for newer orders', async () => {
    const merchant = await createMerchant();
    await env.DB.prepare('ALTER TABLE orders RENAME TO orders_away').run();
    let late: Order;
    try {
      late = await newOrder(merchant.secret_key); // its index write fails: D1 is "down"
    } finally {
      await env.DB.prepare('ALTER TABLE orders_away RENAME TO orders').run();
    }
    const seen = await newOrder(merchant.secret_key);
    const newest = await listOrders(merchant.secret_key, 'limit=10');
    expect(newest.body.data.map((order) => order.id)).toEqual([seen.id]);
    // The order object's alarm retries its index write.
    await runInDurableObject(orderStub(late.id), (instance: OrderObject) => {
      (instance as unknown as { index: { retryAt: number } }).index.retryAt = 0;
    });
    await runDurableObjectAlarm(orderStub(late.id));
    const newer = await listOrders(merchant.secret_key, `ending_before=${seen.id}`);
    expect(newer.body.data.map((order) => order.id)).toEqual([late.id]);
  });

  it('never lists another merchant’s orders', async () => {
    const [a, b] = await Promise.all([createMerchant(), createMerchant()]);
    const own = await newOrder(a.secret_key);
    await newOrder(b.secret_key);
    expect((await listOrders(a.secret_key, 'limit=100')).body.data.map((order) => order.id)).toEqual([own.id]);
  });
});

describe('GET /v1/events', () => {
  it('lists the events of all orders newest first, each order’s in the order they happened', async () => {
    const merchant = await createMerchant();
    const order = await newOrder(merchant.secret_key);
    await pay(order, card('4242424242424242'));
    const other = await newOrder(merchant.secret_key);
    // The order objects copy their events to the index from their alarms.
    let events: WebhookEvent[] = [];
    for (let i = 0; i < 50 && events.length < 4; i++) {
      const response = await call<List<WebhookEvent>>('/v1/events?limit=10', { key: merchant.secret_key });
      EventListSchema.parse(response.body);
      events = response.body.data;
      if (events.length < 4) await new Promise((resolve) => setTimeout(resolve, 20));
    }
    const ofOrder = events.filter((event) => event.data.object.id === order.id).map((event) => event.type);
    expect(ofOrder).toEqual(['order.paid', 'order.processing', 'order.created']);
    expect(events.some((event) => event.data.object.id === other.id)).toBe(true);

    const filtered = await call<List<WebhookEvent>>(`/v1/events?type=order.paid`, { key: merchant.secret_key });
    expect(filtered.body.data.map((event) => event.data.object.id)).toEqual([order.id]);
    const byOrder = await call<List<WebhookEvent>>(`/v1/events?order=${other.id}`, { key: merchant.secret_key });
    expect(byOrder.body.data.map((event) => event.type)).toEqual(['order.created']);
    const first = events[0]!;
    const single = await call<WebhookEvent>(`/v1/events/${first.id}`, { key: merchant.secret_key });
    expect(single.body).toEqual(first);
    const page2 = await call<List<WebhookEvent>>(`/v1/events?limit=1&starting_after=${first.id}`, {
      key: merchant.secret_key,
    });
    expect(page2.body.data[0]?.id).toBe(events[1]?.id);
  });
});

describe('GET /v1/admin/merchants', () => {
  it('lists merchants for the platform admin, newest first', async () => {
    const created = await createMerchant();
    const response = await call('/v1/admin/merchants?limit=100', { key: env.TILL_ADMIN_KEY });
    const list = MerchantListSchema.parse(response.body);
    expect(list.data.map((merchant) => merchant.id)).toContain(created.id);
    expect(JSON.stringify(list)).not.toContain('whsec_');
  });
});
