/** The server SDK's resources: list queries and paging, each call's method and path, ids in paths. */
import { describe, expect, it } from 'vitest';
import type { OrderListItem } from '../../shared/schemas.ts';
import { client, envelope, json, MERCHANT, NOW_S, ORDER_ID, order, webhookEvent } from './sdk-helpers.ts';

function listItem(n: number): OrderListItem {
  return {
    id: ORDER_ID(n),
    object: 'order',
    merchant_id: MERCHANT,
    mode: 'test',
    status: 'paid',
    amount: 100 * n,
    currency: 'USD',
    description: `Order ${n}`,
    metadata: {},
    paid_channel: 'sandbox',
    created_at: NOW_S - n,
    paid_at: NOW_S,
    updated_at: NOW_S,
  };
}

describe('resources', () => {
  const emptyList = (url: string) => json({ object: 'list', data: [], has_more: false, url });

  it('encodes list filters, metadata and created ranges in bracket form', async () => {
    const { till, sent } = client([emptyList('/v1/orders')]);
    await till.orders.list({
      limit: 20,
      starting_after: ORDER_ID(9),
      status: 'paid',
      channel: 'sandbox',
      currency: 'USD',
      created: { gte: 1_700_000_000, lt: 1_800_000_000 },
      metadata: { cart: 'a b&c', 'x]y': '1' },
    });
    expect(sent[0]?.url.pathname).toBe('/v1/orders');
    expect(sent[0]?.url.search).toBe(
      `?limit=20&starting_after=${ORDER_ID(9)}&status=paid&channel=sandbox&currency=USD` +
        '&created[gte]=1700000000&created[lt]=1800000000&metadata[cart]=a%20b%26c&metadata[x%5Dy]=1',
    );
    expect(sent[0]?.url.searchParams.get('metadata[cart]')).toBe('a b&c');
  });

  it('sends no query for an empty list call', async () => {
    const { till, sent } = client([emptyList('/v1/orders')]);
    const page = await till.orders.list();
    expect(page).toEqual({ object: 'list', data: [], has_more: false, url: '/v1/orders' });
    expect(sent[0]?.url.search).toBe('');
  });

  it('walks every page with starting_after = the last id', async () => {
    const page = (ids: number[], has_more: boolean) =>
      json({ object: 'list', data: ids.map(listItem), has_more, url: '/v1/orders' });
    const { till, sent } = client([page([1, 2], true), page([3, 4], true), page([5], false)]);
    const seen: string[] = [];
    for await (const item of till.orders.listAutoPaging({ limit: 2, status: 'paid' })) seen.push(item.id);
    expect(seen).toEqual([1, 2, 3, 4, 5].map(ORDER_ID));
    expect(sent.map((request) => request.url.search)).toEqual([
      '?limit=2&status=paid',
      `?limit=2&starting_after=${ORDER_ID(2)}&status=paid`,
      `?limit=2&starting_after=${ORDER_ID(4)}&status=paid`,
    ]);
  });

  it('stops paging when the loop breaks', async () => {
    const page = (ids: number[]) =>
      json({ object: 'list', data: ids.map(listItem), has_more: true, url: '/v1/orders' });
    const { till, sent } = client([page([1, 2]), page([3, 4])]);
    for await (const item of till.orders.listAutoPaging({ limit: 2 })) if (item.id === ORDER_ID(1)) break;
    expect(sent).toHaveLength(1);
  });

  it('reads an order’s timeline, cancels, and calls events, merchant and keys on their paths', async () => {
    const event = webhookEvent();
    const entry = {
      seq: 1,
      id: event.id,
      type: event.type,
      created_at: NOW_S,
      state: 'delivered',
      deliveries: [
        {
          endpoint_id: 'we_0123456789abcdefghijABCD',
          state: 'delivered',
          redelivery: false,
          tries: 1,
          created_at: NOW_S,
          next_attempt_at: null,
          last_error: null,
          delivered_at: NOW_S,
        },
      ],
      event,
    };
    const merchant = {
      id: MERCHANT,
      object: 'merchant',
      name: 'Shop',
      live_enabled: false,
      disabled: false,
      webhook_url: null,
      allowed_origins: [],
      channels: [],
      limits: { max_order_amount: {} },
      require_signed_requests: false,
      signing_public_keys: [],
      card_routing: { test: [], live: [] },
      created_at: NOW_S,
    };
    const key = {
      id: 'key_1',
      object: 'api_key',
      kind: 'restricted',
      mode: 'test',
      prefix: 'rk_test_abc…',
      created_at: NOW_S,
      expires_at: null,
      revoked_at: null,
    };
    const { till, sent } = client([
      json({ object: 'list', data: [entry] }),
      json(order({ status: 'canceled', canceled_at: NOW_S })),
      json({ object: 'list', data: [event], has_more: false, url: '/v1/events' }),
      json(event),
      json(merchant),
      json({ ...merchant, webhook_url: 'https://shop.example/hook' }),
      json({ object: 'list', data: [key], has_more: false, url: '/v1/keys' }),
      json({ ...key, secret: 'rk_test_secret' }),
      json({ ...key, id: 'key_2', secret: 'rk_test_secret2' }),
      json({ ...key, revoked_at: NOW_S }),
    ]);
    expect((await till.orders.events(ORDER_ID(1))).data[0]?.event.type).toBe('order.paid');
    expect((await till.orders.cancel(ORDER_ID(1))).status).toBe('canceled');
    expect((await till.events.list({ type: 'order.paid', order: ORDER_ID(1), created: { gt: 5 } })).data).toHaveLength(
      1,
    );
    expect((await till.events.retrieve(event.id)).id).toBe(event.id);
    expect((await till.merchant.retrieve()).id).toBe(MERCHANT);
    expect((await till.merchant.update({ webhook_url: 'https://shop.example/hook' })).webhook_url).toBe(
      'https://shop.example/hook',
    );
    expect((await till.keys.list()).data[0]?.id).toBe('key_1');
    expect((await till.keys.create({ kind: 'restricted' })).secret).toBe('rk_test_secret');
    expect((await till.keys.roll('key_1', { expires_in: 3600 })).id).toBe('key_2');
    expect((await till.keys.revoke('key_1')).revoked_at).toBe(NOW_S);

    expect(
      sent.map((request) =>
        `${request.method} ${request.url.pathname}${request.url.search} ${request.body ?? ''}`.trim(),
      ),
    ).toEqual([
      `GET /v1/orders/${ORDER_ID(1)}/events`,
      `POST /v1/orders/${ORDER_ID(1)}/cancel`,
      `GET /v1/events?type=order.paid&order=${ORDER_ID(1)}&created[gt]=5`,
      `GET /v1/events/${event.id}`,
      'GET /v1/merchant',
      'POST /v1/merchant {"webhook_url":"https://shop.example/hook"}',
      'GET /v1/keys',
      'POST /v1/keys {"kind":"restricted"}',
      'POST /v1/keys/key_1/roll {"expires_in":3600}',
      'POST /v1/keys/key_1/revoke',
    ]);
    // Every POST carries an Idempotency-Key, bodiless ones too; no GET does.
    for (const request of sent) expect(request.headers.has('idempotency-key')).toBe(request.method === 'POST');
    expect(sent[1]?.headers.has('content-type')).toBe(false);
  });

  it('refuses an empty id before sending anything', async () => {
    const { till, sent } = client([]);
    await expect(till.orders.retrieve('')).rejects.toThrow('Till: order id must be a non-empty string');
    expect(sent).toHaveLength(0);
  });

  it('percent-encodes ids in paths', async () => {
    const { till, sent } = client([envelope(404, 'invalid_request_error', 'order_not_found', 'No such order')]);
    await expect(till.orders.retrieve('../admin')).rejects.toMatchObject({ code: 'order_not_found' });
    expect(sent[0]?.url.pathname).toBe('/v1/orders/..%2Fadmin');
  });
});
