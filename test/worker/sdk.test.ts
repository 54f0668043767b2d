/** The server SDK against the real worker: the same requests a merchant's server makes. */

import { runDurableObjectAlarm, SELF } from 'cloudflare:test';
import { ed25519 } from '@noble/curves/ed25519.js';
import { describe, expect, it } from 'vitest';
import { type FetchLike, Till, TillApiError, type TillOptions, TillReceiptError } from '../../sdk/index.ts';
import { toBase64Url } from '../../shared/encoding.ts';
import { card, createMerchant, ORIGIN, orderStub, pay } from './helpers.ts';

const merchant = await createMerchant();

/** The SDK over SELF.fetch, remembering each request's headers and each answer's. */
function sdk(secretKey = merchant.secret_key, options: Partial<TillOptions> = {}) {
  const exchanges: Array<{ method: string; url: string; request: Headers; response: Headers; status: number }> = [];
  const fetch: FetchLike = async (url, init) => {
    const response = await SELF.fetch(url, init);
    exchanges.push({
      method: init.method ?? 'GET',
      url,
      request: new Headers(init.headers),
      response: response.headers,
      status: response.status,
    });
    return response;
  };
  return { till: new Till({ secretKey, baseUrl: ORIGIN, fetch, ...options }), exchanges };
}

const cart = { amount: 2900, currency: 'USD', description: 'Tote bag' } as const;

describe('server SDK against the worker', () => {
  it('creates an order with an automatic idempotency key, then retrieves it', async () => {
    const { till, exchanges } = sdk();
    const order = await till.orders.create({ ...cart, metadata: { cart: 'sdk-1' } });
    expect(order).toMatchObject({
      object: 'order',
      status: 'open',
      amount: 2900,
      currency: 'USD',
      merchant_id: merchant.id,
    });
    expect(exchanges[0]?.request.get('idempotency-key')).toMatch(
      /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/,
    );
    expect(exchanges[0]?.status).toBe(201);

    const retrieved = await till.orders.retrieve(order.id);
    expect(retrieved).toEqual(order);
  });

  it('replays a create with the same idempotency key', async () => {
    const { till, exchanges } = sdk();
    const key = `sdk-${crypto.randomUUID()}`;
    const first = await till.orders.create(cart, { idempotencyKey: key });
    const second = await till.orders.create(cart, { idempotencyKey: key });
    expect(second.id).toBe(first.id);
    expect(exchanges[1]?.response.get('idempotent-replayed')).toBe('true');
    const error = await till.orders.create({ ...cart, amount: 100 }, { idempotencyKey: key }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TillApiError);
    expect(error).toMatchObject({ status: 409, code: 'idempotency_key_reused' });
  });

  it('cancels an order and reads its timeline', async () => {
    const { till } = sdk();
    const order = await till.orders.create(cart);
    const canceled = await till.orders.cancel(order.id);
    expect(canceled).toMatchObject({ id: order.id, status: 'canceled' });
    expect(canceled.canceled_at).toEqual(expect.any(Number));
    const events = await till.orders.events(order.id);
    expect(events.data.map((entry) => entry.type)).toEqual(['order.created', 'order.canceled']);
    expect(events.data[1]?.event.data.object.status).toBe('canceled');
  });

  it('turns error envelopes into TillApiError', async () => {
    const { till } = sdk();
    const missing = await till.orders.retrieve(`ord_${'0'.repeat(24)}`).catch((e: unknown) => e);
    expect(missing).toBeInstanceOf(TillApiError);
    expect(missing).toMatchObject({ status: 404, type: 'invalid_request_error', code: 'order_not_found' });
    expect((missing as TillApiError).requestId).toMatch(/^req_/);

    const invalid = await till.orders.create({ ...cart, amount: 29.5 }).catch((e: unknown) => e);
    expect(invalid).toMatchObject({ status: 400, code: 'invalid_parameter', param: 'amount' });

    const stranger = sdk(`sk_test_${'Z'.repeat(16)}_${'z'.repeat(32)}`);
    await expect(stranger.till.orders.create(cart)).rejects.toMatchObject({
      status: 401,
      type: 'authentication_error',
    });
  });

  it('verifies a paid order’s receipt against the worker’s JWKS', async () => {
    const { till, exchanges } = sdk();
    const order = await till.orders.create(cart);
    const paid = await pay(order, card('4242424242424242'));
    expect(paid.body.receipt).toEqual(expect.any(String));
    const { receipt } = await till.orders.retrieve(order.id);
    expect(receipt).toEqual(expect.any(String));
    const claims = await till.receipts.verify(receipt ?? '');
    expect(claims).toMatchObject({ sub: order.id, mer: merchant.id, amt: 2900, cur: 'USD', ch: 'sandbox' });
    await till.receipts.verify(receipt ?? '');
    expect(exchanges.filter((exchange) => exchange.url.endsWith('/.well-known/jwks.json'))).toHaveLength(1);

    const other = await createMerchant();
    const stranger = sdk(other.secret_key);
    await expect(stranger.till.receipts.verify(receipt ?? '')).rejects.toMatchObject({ reason: 'wrong_merchant' });
    await expect(stranger.till.receipts.verify(receipt ?? '')).rejects.toBeInstanceOf(TillReceiptError);
  });

  // Needs GET /v1/orders (the orders index listing).
  it('lists orders by metadata and created range, and pages through them', async () => {
    const { till } = sdk();
    const tag = crypto.randomUUID();
    const created = [];
    for (let i = 0; i < 3; i++)
      created.push(await till.orders.create({ ...cart, amount: 1000 + i, metadata: { batch: tag } }));
    for (const order of created) await runDurableObjectAlarm(orderStub(order.id));
    const since = Math.min(...created.map((order) => order.created_at));

    const page = await till.orders.list({ limit: 2, metadata: { batch: tag }, created: { gte: since } });
    expect(page.object).toBe('list');
    expect(page.data).toHaveLength(2);
    expect(page.has_more).toBe(true);

    const ids: string[] = [];
    for await (const item of till.orders.listAutoPaging({ limit: 2, metadata: { batch: tag } })) ids.push(item.id);
    expect(ids.sort()).toEqual(created.map((order) => order.id).sort());

    const none = await till.orders.list({ metadata: { batch: tag }, status: 'paid' });
    expect(none.data).toEqual([]);
  });

  it('reads and updates the merchant, and manages its keys', async () => {
    const own = await createMerchant();
    const { till } = sdk(own.secret_key);
    expect(await till.merchant.retrieve()).toMatchObject({ id: own.id, object: 'merchant' });
    const updated = await till.merchant.update({ webhook_url: 'https://shop.example/till' });
    expect(updated.webhook_url).toBe('https://shop.example/till');

    const created = await till.keys.create({ kind: 'restricted' });
    expect(created).toMatchObject({ object: 'api_key', kind: 'restricted', secret: expect.any(String) });
    expect((await till.keys.list()).data.map((key) => key.id)).toContain(created.id);
    const rolled = await till.keys.roll(created.id, { expires_in: 3600 });
    expect(rolled.id).not.toBe(created.id);
    const revoked = await till.keys.revoke(rolled.id);
    expect(revoked.revoked_at).toEqual(expect.any(Number));

    const withChannel = await till.merchant.configureChannel('sandbox', {
      enabled: true,
      credentials: { account_id: 'acct_sdk12345', secret_key: 'sbx_sk_0123456789abcdef0123' },
    });
    expect(withChannel.channels).toEqual([
      expect.objectContaining({
        channel: 'sandbox',
        credentials: { test: { updated_at: expect.any(Number) }, live: null },
      }),
    ]);
    const secret = await till.merchant.rollSigningSecret();
    expect(secret).toMatch(/^rssec_/);
    expect(secret).not.toBe(own.request_signing_secret);
  });

  it('signs every request so a merchant requiring signatures accepts it (Ed25519 and HMAC)', async () => {
    const own = await createMerchant();
    const { secretKey, publicKey } = ed25519.keygen();
    await sdk(own.secret_key).till.merchant.update({
      signing_public_keys: [{ kid: 'server-1', x: toBase64Url(publicKey) }],
      require_signed_requests: true,
    });

    const unsigned = sdk(own.secret_key).till;
    await expect(unsigned.orders.create(cart)).rejects.toMatchObject({ status: 401, type: 'authentication_error' });

    for (const signing of [{ privateKey: secretKey, kid: 'server-1' }, { secret: own.request_signing_secret }]) {
      const { till } = sdk(own.secret_key, { signing });
      const order = await till.orders.create({
        ...cart,
        description: 'Tote bag ✓',
        metadata: { "cart's id": 'a b&c' },
      });
      expect((await till.orders.retrieve(order.id)).id).toBe(order.id);
      await till.orders.list({ limit: 5, metadata: { "cart's id": 'a b&c' }, created: { gte: order.created_at } });
      expect((await till.orders.cancel(order.id)).status).toBe('canceled');
    }
  });
});
