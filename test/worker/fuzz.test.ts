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
        card: fc.oneof(fc.jsonValue(), fc.record({ number: fc.string(), exp_month: fc.integer(), exp_year: fc.integer(), cvc: fc.string() })),
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
});
