/**
 * Input found by probing a running server that got a 5xx or was silently half-accepted: each must
 * be a 4xx naming what is wrong, and change nothing.
 */
import { env, SELF } from 'cloudflare:test';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { ErrorEnvelope } from '../../shared/errors.ts';
import type { List, Merchant, Order, OrderListItem } from '../../shared/schemas.ts';
import { call, card, createMerchant, newOrder, ORIGIN, pay, sandboxStub } from './helpers.ts';

const merchant = await createMerchant();

function expectRefused(response: { status: number; body: unknown }, code: string, param: string) {
  expect(response.status).toBe(400);
  expect((response.body as ErrorEnvelope).error).toMatchObject({ code, param });
}

const listOrders = (query: string) =>
  call<List<OrderListItem> & ErrorEnvelope>(`/v1/orders?${query}`, { key: merchant.secret_key });

/** Posts JSON exactly as written: `JSON.stringify` would drop a `__proto__` key before it is sent. */
const postRaw = (path: string, key: string, json: string) =>
  call<ErrorEnvelope>(path, { key, rawBody: json, headers: { 'content-type': 'application/json' } });

const orderWith = (metadata: Record<string, string>) =>
  call<Order & ErrorEnvelope>('/v1/orders', {
    key: merchant.secret_key,
    body: { amount: 100, currency: 'USD', description: 'Metadata probe', metadata },
  });

describe('metadata keys: what can be stored can be filtered on', () => {
  it('refuses filter keys D1 cannot take as a JSON path (NUL) with a 400 naming the parameter', async () => {
    await newOrder(merchant.secret_key, { metadata: { cart: 'c-1' } }); // D1 reads the path only when a row is there
    expectRefused(await listOrders('metadata[%00]=x'), 'invalid_parameter', 'metadata[\0]');
    expectRefused(await listOrders('metadata[a%00b]=x'), 'invalid_parameter', 'metadata[a\0b]');
  });

  it(
    'refuses control characters, quotes, brackets, backslashes and lone surrogates ' + 'in keys of new orders',
    async () => {
      for (const key of [
        'a\0b',
        'a\x01b',
        'a\nb',
        'a\x7fb',
        'a\u0085b',
        'a"b',
        'a\\b',
        'a[b',
        'a]b',
        '\ud800',
        'x\udc00',
      ]) {
        expectRefused(await orderWith({ [key]: 'v' }), 'invalid_parameter', `metadata.${key}`);
      }
    },
  );

  it('refuses a value that is not text (a lone surrogate): no filter could ever match it', async () => {
    expectRefused(await orderWith({ cart: 'a\ud800' }), 'invalid_parameter', 'metadata.cart');
  });

  it('reads a filter key across lines and line separators, and refuses it as the key it is', async () => {
    expectRefused(await listOrders('metadata[a%0Ab]=x'), 'invalid_parameter', 'metadata[a\nb]');
    const order = await newOrder(merchant.secret_key, { metadata: { 'a\u2028b': 'sep' } });
    const listed = await listOrders(`metadata[${encodeURIComponent('a\u2028b')}]=sep`);
    expect(listed.status).toBe(200);
    expect(listed.body.data.map((item) => item.id)).toEqual([order.id]);
  });

  it('refuses a metadata filter given twice, as any list parameter given twice', async () => {
    expectRefused(await listOrders('metadata[cart]=a&metadata[cart]=b'), 'invalid_parameter', 'metadata[cart]');
  });

  it('keeps constructor and prototype as ordinary keys, stored and filtered', async () => {
    const order = await newOrder(merchant.secret_key, { metadata: { constructor: 'c-1', prototype: 'p-1' } });
    expect(order.metadata).toEqual({ constructor: 'c-1', prototype: 'p-1' });
    const listed = await listOrders('metadata[constructor]=c-1&metadata[prototype]=p-1');
    expect(listed.body.data.map((item) => item.id)).toEqual([order.id]);
  });

  it('accepts as a filter every key an order accepts, and finds the order by it', async () => {
    await fc.assert(
      fc.asyncProperty(fc.string({ unit: 'binary', minLength: 1, maxLength: 12 }), async (key) => {
        const value = `v-${crypto.randomUUID()}`;
        const created = await orderWith({ [key]: value });
        const listed = await listOrders(`metadata[${encodeURIComponent(key)}]=${value}`);
        expect(listed.status).toBeLessThan(500);
        if (created.status === 201) {
          expect(listed.status).toBe(200);
          expect(listed.body.data.map((item) => item.id)).toEqual([created.body.id]);
        } else {
          expectRefused(created, 'invalid_parameter', `metadata.${key}`);
          expectRefused(listed, 'invalid_parameter', `metadata[${key}]`);
        }
      }),
      { numRuns: 25 },
    );
  }, 60_000);
});

describe('__proto__ keys are refused, not dropped', () => {
  it('in order metadata, and creates no order', async () => {
    const before = (await listOrders('limit=100')).body.data.length;
    const response = await postRaw(
      '/v1/orders',
      merchant.secret_key,
      '{"amount":100,"currency":"USD","description":"x","metadata":{"__proto__":"x"}}',
    );
    expectRefused(response, 'invalid_parameter', 'metadata.__proto__');
    expect((await listOrders('limit=100')).body.data.length).toBe(before);
  });

  it("in a merchant's limits, which stay as they were", async () => {
    const path = `/v1/admin/merchants/${merchant.id}`;
    const response = await postRaw(path, env.TILL_ADMIN_KEY, '{"limits":{"max_order_amount":{"__proto__":5}}}');
    expectRefused(response, 'invalid_parameter', 'limits.max_order_amount.__proto__');
    const after = await call<Merchant>(path, { key: env.TILL_ADMIN_KEY });
    expect(after.body.limits).toEqual({ max_order_amount: {} });
  });

  it('anywhere in a JSON body: at the top, inside arrays, inside free-form credentials', async () => {
    expectRefused(
      await postRaw('/v1/orders', merchant.secret_key, '{"__proto__":{"amount":1},"currency":"USD"}'),
      'invalid_parameter',
      '__proto__',
    );
    expectRefused(
      await postRaw('/v1/merchant', merchant.secret_key, '{"signing_public_keys":[{"kid":"k","__proto__":{}}]}'),
      'invalid_parameter',
      'signing_public_keys.0.__proto__',
    );
    expectRefused(
      await postRaw(
        '/v1/merchant/channels/alipay',
        merchant.secret_key,
        '{"enabled":false,"credentials":{"app_id":"1","__proto__":{"private_key":"x"}}}',
      ),
      'invalid_parameter',
      'credentials.__proto__',
    );
  });

  it('in a list query: as a metadata filter key and as a parameter name', async () => {
    expectRefused(await listOrders('metadata[__proto__]=x'), 'invalid_parameter', 'metadata[__proto__]');
    expectRefused(await listOrders('__proto__=x'), 'unknown_parameter', '__proto__');
  });
});

describe('a query parameter given twice is refused, not read as one of its values', () => {
  it('on the payment methods a merchant page asks for', async () => {
    const methods = (query: string) =>
      call<ErrorEnvelope>(`/v1/payment_methods?${query}`, { key: merchant.publishable_key });
    expect((await methods('amount=100&currency=USD')).status).toBe(200);
    expectRefused(await methods('amount=100&amount=5&currency=USD'), 'invalid_parameter', 'amount');
    expectRefused(await methods('amount=100&currency=USD&__proto__=x'), 'unknown_parameter', '__proto__');
  });
});

describe('lists that name a thing twice are refused', () => {
  const admin = (path: string, body: unknown) => call<ErrorEnvelope>(path, { key: env.TILL_ADMIN_KEY, body });

  it('a channel listed twice when creating a merchant', async () => {
    expectRefused(
      await admin('/v1/admin/merchants', { name: 'Twice', channels: ['sandbox', 'sandbox'] }),
      'invalid_parameter',
      'channels',
    );
  });

  it('an allowed origin listed twice, on creation and on both updates', async () => {
    const origins = ['https://shop.test', 'https://shop.test'];
    expectRefused(
      await admin('/v1/admin/merchants', { name: 'Twice', allowed_origins: origins }),
      'invalid_parameter',
      'allowed_origins',
    );
    expectRefused(
      await admin(`/v1/admin/merchants/${merchant.id}`, { allowed_origins: origins }),
      'invalid_parameter',
      'allowed_origins',
    );
    expectRefused(
      await call('/v1/merchant', { key: merchant.secret_key, body: { allowed_origins: origins } }),
      'invalid_parameter',
      'allowed_origins',
    );
  });

  it('two signing keys under one kid, which would make the kid name either', async () => {
    const keys = [
      { kid: 'k1', x: 'A'.repeat(43) },
      { kid: 'k1', x: 'B'.repeat(43) },
    ];
    expectRefused(
      await call('/v1/merchant', { key: merchant.secret_key, body: { signing_public_keys: keys } }),
      'invalid_parameter',
      'signing_public_keys',
    );
    const after = await call<Merchant>('/v1/merchant', { key: merchant.secret_key });
    expect(after.body.signing_public_keys).toEqual([]);
  });
});

describe('sandbox pages answer a form they cannot use with their own 400 page, and change nothing', () => {
  async function openTrade(kind: 'scan' | 'challenge') {
    const order = await newOrder(merchant.secret_key);
    const started = await pay(order, kind === 'scan' ? { channel: 'sandbox', method: 'qr' } : card('4000000000003220'));
    const attemptId = started.body.attempt!.id;
    expect((await sandboxStub(attemptId).getTrade())?.status).toBe('requires_action');
    return attemptId;
  }

  const post = (path: string, contentType: string, body: string) =>
    call<string>(path, { method: 'POST', rawBody: body, headers: { 'content-type': contentType } });

  for (const kind of ['scan', 'challenge'] as const) {
    it(`POST /sandbox/${kind}/:attempt`, async () => {
      const attemptId = await openTrade(kind);
      const path = `/sandbox/${kind}/${attemptId}`;
      const bad = [
        post(path, 'multipart/form-data; boundary=zz', 'not multipart at all'),
        post(path, 'multipart/form-data', '--x\r\n'),
        post(path, 'application/x-www-form-urlencoded', 'action=maybe'),
        post(path, 'application/x-www-form-urlencoded', ''),
        post(path, 'text/plain', 'action=succeed'),
      ];
      for (const response of await Promise.all(bad)) {
        expect(response.status).toBe(400);
        expect(response.headers.get('content-type')).toMatch(/^text\/html/);
        expect(response.body).toContain('could not be read');
      }
      const huge = await post(path, 'application/x-www-form-urlencoded', `action=succeed&pad=${'x'.repeat(70_000)}`);
      expect(huge.status).toBe(413);
      expect(huge.headers.get('content-type')).toMatch(/^text\/html/);
      expect((await sandboxStub(attemptId).getTrade())?.status).toBe('requires_action');

      const multipart = new FormData();
      multipart.set('action', 'fail');
      const declined = await SELF.fetch(`${ORIGIN}${path}`, { method: 'POST', body: multipart, redirect: 'manual' });
      // The challenge sends the shopper back to the attempt's return URL; the wallet shows its outcome page.
      expect(declined.status).toBe(kind === 'challenge' ? 303 : 200);
      expect((await sandboxStub(attemptId).getTrade())?.status).toBe('failed');
    });
  }
});
