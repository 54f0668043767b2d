import { env } from 'cloudflare:test';
import { describe, expect, it } from 'vitest';
import type { ErrorEnvelope } from '../../shared/errors.ts';
import type { ApiKey, CreatedApiKey, List, Merchant, Order } from '../../shared/schemas.ts';
import { call, createMerchant, createOrder, newOrder } from './helpers.ts';

const admin = env.TILL_ADMIN_KEY;

function errorOf(response: { status: number; body: unknown }) {
  return {
    status: response.status,
    code: (response.body as ErrorEnvelope).error?.code,
    message: (response.body as ErrorEnvelope).error?.message,
  };
}

describe('API key authentication', () => {
  it('refuses a missing, malformed or unknown key, saying which', async () => {
    const merchant = await createMerchant();
    expect(errorOf(await call('/v1/orders'))).toMatchObject({ status: 401, code: 'missing_api_key' });
    expect(errorOf(await call('/v1/orders', { key: 'sk_test_nope' }))).toMatchObject({
      status: 401,
      code: 'invalid_api_key',
      message: expect.stringContaining('malformed'),
    });
    const forged = `${merchant.secret_key.slice(0, -4)}AAAA`;
    expect(errorOf(await call('/v1/orders', { key: forged }))).toMatchObject({
      status: 401,
      code: 'invalid_api_key',
      message: 'The API key is unknown',
    });
    expect(errorOf(await call('/v1/orders', { headers: { authorization: 'Basic abc' } }))).toMatchObject({
      status: 401,
      code: 'invalid_api_key',
    });
  });

  it('refuses a revoked key at once and a rolled key after its grace period', async () => {
    const merchant = await createMerchant();
    const keys = await call<List<ApiKey>>('/v1/keys', { key: merchant.secret_key });
    const secret = keys.body.data.find((key) => key.kind === 'secret' && key.mode === 'test')!;
    expect(secret.prefix).toMatch(/^sk_test_…[0-9A-Za-z]{4}$/);
    expect(JSON.stringify(keys.body)).not.toContain(merchant.secret_key);

    const rolled = await call<CreatedApiKey>(`/v1/keys/${secret.id}/roll`, {
      key: merchant.secret_key,
      body: { expires_in: 2 },
    });
    expect(rolled.status).toBe(200);
    expect(rolled.body.secret).toMatch(/^sk_test_/);
    // Inside the grace period both keys work. Expiry is kept in whole seconds, so 2 s leaves at
    // least 1 s of grace even on a loaded machine.
    expect((await createOrder(merchant.secret_key)).status).toBe(201);
    expect((await createOrder(rolled.body.secret)).status).toBe(201);
    await new Promise((resolve) => setTimeout(resolve, 2100));
    expect(errorOf(await createOrder(merchant.secret_key))).toMatchObject({ status: 401, code: 'expired_api_key' });
    expect((await createOrder(rolled.body.secret)).status).toBe(201);

    const revoked = await call<ApiKey>(`/v1/keys/${rolled.body.id}/revoke`, {
      key: rolled.body.secret,
      method: 'POST',
    });
    expect(revoked.body.revoked_at).toEqual(expect.any(Number));
    expect(errorOf(await createOrder(rolled.body.secret))).toMatchObject({
      status: 401,
      code: 'invalid_api_key',
      message: 'This API key was revoked',
    });
  });

  it('keeps test and live apart: live keys wait for activation, and a key sees only its own mode', async () => {
    const merchant = await createMerchant();
    expect(errorOf(await createOrder(merchant.live_secret_key))).toMatchObject({
      status: 403,
      code: 'live_mode_not_enabled',
    });
    await call<Merchant>(`/v1/admin/merchants/${merchant.id}`, { key: admin, body: { live_enabled: true } });
    const live = await newOrder(merchant.live_secret_key);
    expect(live.mode).toBe('live');
    const crossed = await call(`/v1/orders/${live.id}`, { key: merchant.secret_key });
    expect(errorOf(crossed)).toMatchObject({
      status: 404,
      code: 'order_not_found',
      message: expect.stringContaining('live mode'),
    });
    expect((await call<Order>(`/v1/orders/${live.id}`, { key: merchant.live_secret_key })).status).toBe(200);
  });

  it('never lets a test key see or touch live keys, nor settings live mode shares once it is on', async () => {
    const merchant = await createMerchant();
    const testKeys = await call<List<ApiKey>>('/v1/keys', { key: merchant.secret_key });
    expect(new Set(testKeys.body.data.map((key) => key.mode))).toEqual(new Set(['test']));
    await call(`/v1/admin/merchants/${merchant.id}`, { key: admin, body: { live_enabled: true } });
    const live = await call<List<ApiKey>>('/v1/keys', { key: merchant.live_secret_key });
    const liveSecret = live.body.data.find((key) => key.kind === 'secret')!;
    expect(liveSecret.mode).toBe('live');
    const roll = await call(`/v1/keys/${liveSecret.id}/roll`, { key: merchant.secret_key, body: { expires_in: 3600 } });
    expect(errorOf(roll)).toMatchObject({ status: 404, code: 'api_key_not_found' });
    const revoke = await call(`/v1/keys/${liveSecret.id}/revoke`, { key: merchant.secret_key, method: 'POST' });
    expect(errorOf(revoke)).toMatchObject({ status: 404, code: 'api_key_not_found' });
    const created = await call<CreatedApiKey>('/v1/keys', { key: merchant.secret_key, body: { kind: 'restricted' } });
    expect(created.body.secret).toMatch(/^rk_test_/);
    expect(
      errorOf(await call('/v1/keys', { key: merchant.secret_key, body: { kind: 'restricted', mode: 'live' } })),
    ).toMatchObject({ status: 400, code: 'invalid_parameter' });
    expect(
      (await call('/v1/keys', { key: merchant.secret_key, body: { kind: 'restricted', mode: 'test' } })).status,
    ).toBe(201);
    const hijack = await call('/v1/merchant', {
      key: merchant.secret_key,
      body: { webhook_url: 'https://attacker.example/hook' },
    });
    expect(errorOf(hijack)).toMatchObject({
      status: 403,
      code: 'forbidden',
      message: expect.stringContaining('live secret key'),
    });
    expect(
      (
        await call('/v1/merchant', {
          key: merchant.live_secret_key,
          body: { allowed_origins: ['https://shop.example'] },
        })
      ).status,
    ).toBe(200);
  });

  it('rolls a key once: its replacement is what rolls next', async () => {
    const merchant = await createMerchant();
    const secret = (await call<List<ApiKey>>('/v1/keys', { key: merchant.secret_key })).body.data.find(
      (key) => key.kind === 'secret',
    )!;
    const first = await call<CreatedApiKey>(`/v1/keys/${secret.id}/roll`, {
      key: merchant.secret_key,
      body: { expires_in: 600 },
    });
    expect(first.status).toBe(200);
    const again = await call(`/v1/keys/${secret.id}/roll`, { key: merchant.secret_key, body: { expires_in: 600 } });
    expect(errorOf(again)).toMatchObject({ status: 409, code: 'api_key_not_active' });
  });

  it('refuses every key of a disabled merchant', async () => {
    const merchant = await createMerchant();
    await call(`/v1/admin/merchants/${merchant.id}`, { key: admin, body: { disabled: true } });
    expect(errorOf(await createOrder(merchant.secret_key))).toMatchObject({ status: 403, code: 'merchant_disabled' });
    await call(`/v1/admin/merchants/${merchant.id}`, { key: admin, body: { disabled: false } });
    expect((await createOrder(merchant.secret_key)).status).toBe(201);
  });

  it('lets a restricted key read but never write', async () => {
    const merchant = await createMerchant();
    const order = await newOrder(merchant.secret_key);
    const restricted = await call<CreatedApiKey>('/v1/keys', {
      key: merchant.secret_key,
      body: { kind: 'restricted' },
    });
    expect(restricted.status).toBe(201);
    const rk = restricted.body.secret;
    expect(rk).toMatch(/^rk_test_/);
    expect((await call(`/v1/orders/${order.id}`, { key: rk })).status).toBe(200);
    expect((await call('/v1/orders', { key: rk })).status).toBe(200);
    expect(errorOf(await createOrder(rk))).toMatchObject({ status: 403, code: 'forbidden' });
    expect(errorOf(await call(`/v1/orders/${order.id}/cancel`, { key: rk, method: 'POST' }))).toMatchObject({
      status: 403,
      code: 'forbidden',
    });
  });

  it('enforces the merchant limits on order amounts', async () => {
    const merchant = await createMerchant();
    await call(`/v1/admin/merchants/${merchant.id}`, {
      key: admin,
      body: { limits: { max_order_amount: { USD: 5000 } } },
    });
    expect((await createOrder(merchant.secret_key, { amount: 5000 })).status).toBe(201);
    expect(errorOf(await createOrder(merchant.secret_key, { amount: 5001 }))).toMatchObject({
      status: 400,
      code: 'amount_over_limit',
    });
    expect((await createOrder(merchant.secret_key, { amount: 9000, currency: 'EUR' })).status).toBe(201);
  });
});

describe('errors at the edges', () => {
  it('answers 405 with Allow for a known path and another method, 404 for an unknown path', async () => {
    const merchant = await createMerchant();
    const wrong = await call('/v1/orders', { key: merchant.secret_key, method: 'DELETE' });
    expect(errorOf(wrong)).toMatchObject({ status: 405, code: 'method_not_allowed' });
    expect(wrong.headers.get('allow')).toBe('POST, GET');
    expect(wrong.headers.get('request-id')).toMatch(/^req_/);
    expect(errorOf(await call('/v1/nothing-here'))).toMatchObject({ status: 404, code: 'not_found' });
  });

  it('refuses a body over 64 KiB in the envelope, creating nothing', async () => {
    const merchant = await createMerchant();
    const big = await createOrder(merchant.secret_key, { description: 'x'.repeat(70 * 1024) });
    expect(errorOf(big)).toMatchObject({ status: 413, code: 'body_too_large' });
    const list = await call<List<Order>>('/v1/orders', { key: merchant.secret_key });
    expect(list.body.data).toHaveLength(0);
  });

  it('answers CORS only to the merchant’s allowed origins, and never on secret-key routes', async () => {
    const merchant = await createMerchant();
    await call(`/v1/admin/merchants/${merchant.id}`, {
      key: admin,
      body: { allowed_origins: ['https://shop.example'] },
    });
    const order = await newOrder(merchant.secret_key);
    const preflight = (origin: string, path: string) =>
      call(path, {
        method: 'OPTIONS',
        headers: { origin, 'access-control-request-method': 'GET', 'access-control-request-headers': 'authorization' },
      });
    const allowed = await preflight('https://shop.example', `/v1/checkout/${order.id}`);
    expect(allowed.status).toBe(204);
    expect(allowed.headers.get('access-control-allow-origin')).toBe('https://shop.example');
    expect(allowed.headers.get('access-control-allow-headers')).toContain('authorization');
    const stranger = await preflight('https://evil.example', `/v1/checkout/${order.id}`);
    expect(stranger.headers.get('access-control-allow-origin')).toBeNull();
    const secretRoute = await preflight('https://shop.example', '/v1/orders');
    expect(secretRoute.headers.get('access-control-allow-origin')).toBeNull();
    const methods = await call(`/v1/payment_methods?key=${merchant.publishable_key}&amount=2900&currency=USD`, {
      headers: { origin: 'https://shop.example' },
    });
    expect(methods.status).toBe(200);
    expect(methods.headers.get('access-control-allow-origin')).toBe('https://shop.example');
    expect((methods.body as { data: Array<{ method: string }> }).data.map((method) => method.method)).toEqual([
      'card',
      'qr',
    ]);
    const summary = await call(`/v1/checkout/${order.id}`, {
      key: order.client_token,
      headers: { origin: 'https://shop.example' },
    });
    expect(summary.headers.get('access-control-allow-origin')).toBe('https://shop.example');
  });

  it('puts the merchant API and the checkout behind their rate limits', async () => {
    const merchant = await createMerchant();
    const order = await newOrder(merchant.secret_key);
    const list = await call('/v1/orders', { key: merchant.secret_key });
    expect(list.headers.get('ratelimit-policy')).toMatch(/^"merchant-key";q=\d+;w=(10|60)$/);
    const checkout = await call(`/v1/checkout/${order.id}`, { key: order.client_token });
    expect(checkout.headers.get('ratelimit-policy')).toMatch(/^"checkout-ip";/);
    const attempt = await call(`/v1/checkout/${order.id}/attempts`, {
      key: order.client_token,
      body: { channel: 'sandbox', method: 'qr' },
    });
    expect(attempt.headers.get('ratelimit-policy')?.split(', ').length).toBe(3);
    const sandboxPage = await call('/sandbox/scan/att_00000000000000000000');
    expect(sandboxPage.headers.get('ratelimit-policy')).toMatch(/^"checkout-ip";/);
  });
});
