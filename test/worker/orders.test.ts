import { env, listDurableObjectIds } from 'cloudflare:test';
import { describe, expect, it } from 'vitest';
import type { ErrorEnvelope } from '../../shared/errors.ts';
import type { PublicJwk } from '../../shared/jws.ts';
import { JwksSchema, OrderEventListSchema, OrderSchema } from '../../shared/schemas.ts';
import { verifyClientToken } from '../../shared/tokens.ts';
import { call, createMerchant, createOrder, newOrder } from './helpers.ts';

const merchant = await createMerchant();

async function orderCount(): Promise<number> {
  return (await listDurableObjectIds(env.ORDERS)).length;
}

describe('merchant API: orders', () => {
  it('creates an open order with a client token verifiable through the JWKS', async () => {
    const { status, body, headers } = await createOrder(merchant.secret_key, { metadata: { cart: '42' } });
    expect(status).toBe(201);
    expect(headers.get('request-id')).toMatch(/^req_/);
    expect(body).toMatchObject({
      object: 'order',
      status: 'open',
      amount: 2900,
      currency: 'USD',
      metadata: { cart: '42' },
    });
    expect(body.id).toMatch(/^ord_[0-9A-Za-z]{24}$/);
    const jwks = await call<{ keys: PublicJwk[] }>('/.well-known/jwks.json');
    const claims = verifyClientToken(body.client_token, jwks.body.keys);
    expect(claims).toMatchObject({
      sub: body.id,
      mer: merchant.id,
      amt: 2900,
      cur: 'USD',
      mode: 'test',
      exp: body.expires_at,
    });
  });

  it('answers in the shapes its schemas document', async () => {
    const created = await createOrder(merchant.secret_key);
    expect(OrderSchema.safeParse(created.body).success).toBe(true);
    const retrieved = await call(`/v1/orders/${created.body.id}`, { key: merchant.secret_key });
    expect(OrderSchema.safeParse(retrieved.body).success).toBe(true);
    const events = await call(`/v1/orders/${created.body.id}/events`, { key: merchant.secret_key });
    expect(OrderEventListSchema.parse(events.body).data[0]?.event.type).toBe('order.created');
    expect(JwksSchema.safeParse((await call('/.well-known/jwks.json')).body).success).toBe(true);
  });

  it('retrieves and cancels its own orders, and no one else’s', async () => {
    const order = await newOrder(merchant.secret_key);
    const other = await createMerchant();
    expect((await call(`/v1/orders/${order.id}`, { key: merchant.secret_key })).status).toBe(200);
    const foreign = await call<ErrorEnvelope>(`/v1/orders/${order.id}`, { key: other.secret_key });
    expect(foreign.status).toBe(404);
    expect(foreign.body.error.code).toBe('order_not_found');
    expect((await call(`/v1/orders/${order.id}/cancel`, { key: other.secret_key, method: 'POST' })).status).toBe(404);
    const canceled = await call<{ status: string; canceled_at: number }>(`/v1/orders/${order.id}/cancel`, {
      key: merchant.secret_key,
      method: 'POST',
    });
    expect(canceled.status).toBe(200);
    expect(canceled.body.status).toBe('canceled');
    expect(canceled.body.canceled_at).toBeGreaterThan(0);
  });

  it('replays the same answer for the same Idempotency-Key and body, 409 for another body', async () => {
    const key = `idem-${crypto.randomUUID()}`;
    const first = await createOrder(merchant.secret_key, {}, key);
    const again = await createOrder(merchant.secret_key, {}, key);
    expect(first.status).toBe(201);
    expect(again.status).toBe(201);
    expect(again.headers.get('idempotent-replayed')).toBe('true');
    expect(again.body.id).toBe(first.body.id);
    expect(again.body.client_token).toBe(first.body.client_token);
    const reused = await createOrder(merchant.secret_key, { amount: 1 }, key);
    expect(reused.status).toBe(409);
    expect(reused.body.error.code).toBe('idempotency_key_reused');
  });

  const badRequests: Array<[string, Parameters<typeof call>[1], number, string, string?]> = [
    [
      'a float amount',
      { body: { amount: 12.5, currency: 'USD', description: 'x' } },
      400,
      'invalid_parameter',
      'amount',
    ],
    [
      'a string amount',
      { body: { amount: '1250', currency: 'USD', description: 'x' } },
      400,
      'invalid_parameter',
      'amount',
    ],
    ['a zero amount', { body: { amount: 0, currency: 'USD', description: 'x' } }, 400, 'invalid_parameter', 'amount'],
    [
      'an unknown currency',
      { body: { amount: 100, currency: 'usd', description: 'x' } },
      400,
      'invalid_parameter',
      'currency',
    ],
    ['a missing description', { body: { amount: 100, currency: 'USD' } }, 400, 'missing_parameter', 'description'],
    [
      'an unknown field',
      { body: { amount: 100, currency: 'USD', description: 'x', colour: 'red' } },
      400,
      'unknown_parameter',
      'colour',
    ],
    [
      'a bad return_url',
      { body: { amount: 100, currency: 'USD', description: 'x', return_url: 'javascript:alert(1)' } },
      400,
      'invalid_parameter',
      'return_url',
    ],
    ['broken JSON', { rawBody: '{"amount":', headers: { 'content-type': 'application/json' } }, 400, 'invalid_json'],
    [
      'form encoding',
      { rawBody: 'amount=100', headers: { 'content-type': 'application/x-www-form-urlencoded' } },
      415,
      'unsupported_media_type',
    ],
    [
      'a body over 64 KB',
      { body: { amount: 100, currency: 'USD', description: 'x'.repeat(70_000) } },
      413,
      'body_too_large',
    ],
  ];

  for (const [name, options, status, code, param] of badRequests) {
    it(`refuses ${name} with the envelope and creates nothing`, async () => {
      const before = await orderCount();
      const response = await call<ErrorEnvelope>('/v1/orders', { key: merchant.secret_key, ...options });
      expect(response.status).toBe(status);
      expect(response.body.error).toMatchObject({ code, request_id: response.headers.get('request-id') });
      if (param) expect(response.body.error.param).toBe(param);
      expect(await orderCount()).toBe(before);
    });
  }

  it('refuses missing, malformed, unknown and publishable keys', async () => {
    const body = { amount: 100, currency: 'USD', description: 'x' };
    const cases: Array<[string | undefined, number, string]> = [
      [undefined, 401, 'missing_api_key'],
      ['sk_test_nope', 401, 'invalid_api_key'],
      [`${merchant.secret_key.slice(0, -4)}AAAA`, 401, 'invalid_api_key'],
      [merchant.publishable_key, 403, 'forbidden'],
    ];
    for (const [key, status, code] of cases) {
      const response = await call<ErrorEnvelope>('/v1/orders', { ...(key ? { key } : {}), body });
      expect(response.status, code).toBe(status);
      expect(response.body.error.code).toBe(code);
    }
  });

  it('answers unknown routes and ids with the envelope', async () => {
    const missing = await call<ErrorEnvelope>('/v1/nothing-here');
    expect(missing.status).toBe(404);
    expect(missing.body.error.code).toBe('not_found');
    const badId = await call<ErrorEnvelope>('/v1/orders/ord_nope', { key: merchant.secret_key });
    expect(badId.status).toBe(404);
    expect(badId.body.error.code).toBe('order_not_found');
  });
});
