import { env } from 'cloudflare:test';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { ErrorEnvelope } from '../../shared/errors.ts';
import { call, createMerchant, newOrder } from './helpers.ts';

const merchant = await createMerchant();
const order = await newOrder(merchant.secret_key);

/** Any JSON at all, and objects shaped almost like the real body. */
const bodies = fc.oneof(
  fc.jsonValue(),
  fc.record(
    {
      amount: fc.oneof(fc.integer(), fc.double(), fc.string(), fc.constant(null)),
      currency: fc.oneof(fc.constantFrom('USD', 'CNY', 'JPY', 'usd', ''), fc.string()),
      description: fc.oneof(fc.string(), fc.integer()),
      metadata: fc.oneof(fc.dictionary(fc.string(), fc.jsonValue()), fc.string()),
      return_url: fc.oneof(fc.webUrl(), fc.string()),
      expires_in: fc.oneof(fc.integer(), fc.double()),
    },
    { requiredKeys: [] },
  ),
);

function expectEnvelope(status: number, body: unknown) {
  expect(status).toBeGreaterThanOrEqual(400);
  expect(status).toBeLessThan(500);
  expect((body as ErrorEnvelope).error.request_id).toMatch(/^req_/);
}

describe('random bodies get a 4xx envelope, never a 5xx', () => {
  it('POST /v1/orders', async () => {
    await fc.assert(
      fc.asyncProperty(bodies, async (body) => {
        const response = await call('/v1/orders', { key: merchant.secret_key, body });
        if (response.status === 201) return; // a random body may be a valid order
        expectEnvelope(response.status, response.body);
      }),
      { numRuns: 60 },
    );
  });

  it('POST /v1/checkout/:id/attempts', async () => {
    const attemptBodies = fc.oneof(
      fc.jsonValue(),
      fc.record({
        channel: fc.constantFrom('sandbox', 'alipay', ''),
        method: fc.constantFrom('card', 'qr', 'x'),
        card: fc.oneof(
          fc.jsonValue(),
          fc.record({ number: fc.string(), exp_month: fc.integer(), exp_year: fc.integer(), cvc: fc.string() }),
        ),
      }),
    );
    await fc.assert(
      fc.asyncProperty(attemptBodies, async (body) => {
        const response = await call(`/v1/checkout/${order.id}/attempts`, { key: order.client_token, body });
        expectEnvelope(response.status, response.body);
      }),
      { numRuns: 60 },
    );
  });

  /** Bodies near each settings endpoint's shape, plus arbitrary JSON. */
  const settingsBodies = fc.oneof(
    fc.jsonValue(),
    fc.record(
      {
        name: fc.oneof(fc.string(), fc.integer()),
        webhook_url: fc.oneof(fc.webUrl(), fc.string(), fc.constant(null)),
        allowed_origins: fc.oneof(fc.array(fc.oneof(fc.webUrl(), fc.string())), fc.string()),
        require_signed_requests: fc.oneof(fc.boolean(), fc.string()),
        signing_public_keys: fc.array(fc.record({ kid: fc.string(), x: fc.string() })),
        limits: fc.oneof(
          fc.jsonValue(),
          fc.record({ max_order_amount: fc.dictionary(fc.string(), fc.oneof(fc.integer(), fc.double())) }),
        ),
        enabled: fc.oneof(fc.boolean(), fc.string()),
        credentials: fc.oneof(fc.jsonValue(), fc.record({ account_id: fc.string(), secret_key: fc.string() })),
        kind: fc.constantFrom('secret', 'restricted', 'publishable', ''),
        mode: fc.constantFrom('test', 'live', 'x'),
        expires_in: fc.oneof(fc.integer(), fc.double(), fc.string()),
      },
      { requiredKeys: [] },
    ),
  );

  const settingsRoutes: Array<[string, string]> = [
    ['/v1/merchant', merchant.secret_key],
    ['/v1/merchant/channels/sandbox', merchant.secret_key],
    ['/v1/keys', merchant.secret_key],
    ['/v1/keys/key_00000000000000000000/roll', merchant.secret_key],
    [`/v1/admin/merchants/${merchant.id}`, env.TILL_ADMIN_KEY],
    [`/v1/admin/merchants/${merchant.id}/channels/sandbox`, env.TILL_ADMIN_KEY],
    [`/v1/admin/merchants/${merchant.id}/keys`, env.TILL_ADMIN_KEY],
  ];

  for (const [path, key] of settingsRoutes) {
    it(`POST ${path.replace(merchant.id, ':id')}`, async () => {
      await fc.assert(
        fc.asyncProperty(settingsBodies, async (body) => {
          // Never lock the shared merchant out of the runs that follow, nor point its webhooks at the internet.
          const risky = ['disabled', 'require_signed_requests', 'webhook_url'];
          if (typeof body === 'object' && body !== null && risky.some((field) => field in body)) return;
          const response = await call(path, { key, body });
          if (response.status === 200 || response.status === 201) return; // a random body may be valid
          expectEnvelope(response.status, response.body);
        }),
        { numRuns: 40 },
      );
    });
  }

  it('GET /v1/orders with random query strings', async () => {
    const params = fc.dictionary(
      fc.constantFrom(
        'limit',
        'starting_after',
        'ending_before',
        'status',
        'currency',
        'channel',
        'created[gt]',
        'metadata[k]',
        'x',
        'metadata[a"b]',
      ),
      fc.oneof(fc.string(), fc.integer().map(String), fc.constantFrom('paid', 'USD', 'sandbox', order.id)),
    );
    await fc.assert(
      fc.asyncProperty(params, async (query) => {
        const response = await call(`/v1/orders?${new URLSearchParams(query)}`, { key: merchant.secret_key });
        if (response.status === 200) return;
        expectEnvelope(response.status, response.body);
      }),
      { numRuns: 60 },
    );
  });
});
