/** The demo shop's server side, which uses the SDK: creating orders and verifying webhooks. */
import { env } from 'cloudflare:test';
import { describe, expect, it } from 'vitest';
import type { ErrorEnvelope } from '../../shared/errors.ts';
import type { Order, OrderEventEntry } from '../../shared/schemas.ts';
import { signPayload } from '../../shared/signature.ts';
import { call, createMerchant } from './helpers.ts';

const merchant = await createMerchant();

async function setup(secretKey = merchant.secret_key) {
  const { status } = await call('/demo/setup', {
    key: env.TILL_ADMIN_KEY,
    body: {
      merchant_id: merchant.id,
      publishable_key: merchant.publishable_key,
      secret_key: secretKey,
      webhook_secret: merchant.webhook_secret,
    },
  });
  expect(status).toBe(200);
}

async function checkout(): Promise<{ order_id: string; client_token: string }> {
  const { status, body } = await call<{ order_id: string; client_token: string }>('/demo/api/orders', {
    method: 'POST',
  });
  expect(status).toBe(201);
  return body;
}

describe('demo shop', () => {
  it('creates the cart’s order through the SDK', async () => {
    await setup();
    const { order_id, client_token } = await checkout();
    const { body: order } = await call<Order>(`/v1/orders/${order_id}`, { key: merchant.secret_key });
    expect(order).toMatchObject({
      amount: 2900,
      currency: 'USD',
      description: 'Till tote bag ×1 + shipping',
      metadata: { cart: 'demo' },
    });
    expect(client_token).toBe(order.client_token);
  });

  it('passes the API’s error envelope on with its status', async () => {
    await setup(`sk_test_${merchant.id.slice(4)}_${'z'.repeat(32)}`);
    try {
      const { status, body } = await call<ErrorEnvelope>('/demo/api/orders', { method: 'POST' });
      expect(status).toBe(401);
      expect(body.error).toMatchObject({
        type: 'authentication_error',
        code: 'invalid_api_key',
        request_id: expect.stringMatching(/^req_/),
      });
    } finally {
      await setup();
    }
  });

  it('records a webhook whose signature verifies, and refuses the others', async () => {
    await setup();
    const { order_id } = await checkout();
    const { body: timeline } = await call<{ data: OrderEventEntry[] }>(`/v1/orders/${order_id}/events`, {
      key: merchant.secret_key,
    });
    const event = timeline.data[0]?.event;
    const body = JSON.stringify(event);
    const deliver = async (payload: string, signature: string) =>
      call<string>('/demo/webhooks', {
        rawBody: payload,
        headers: { 'content-type': 'application/json', 'Till-Signature': signature },
      });

    expect(await deliver(body.replace('2900', '2901'), await signPayload(body, merchant.webhook_secret))).toMatchObject(
      { status: 400, body: 'bad signature' },
    );
    const notEvent = '{"id":"evt_x"}';
    expect(await deliver(notEvent, await signPayload(notEvent, merchant.webhook_secret))).toMatchObject({
      status: 400,
      body: 'bad payload',
    });
    expect(await deliver(body, await signPayload(body, merchant.webhook_secret))).toMatchObject({
      status: 200,
      body: 'ok',
    });

    const { body: received } = await call<{ data: unknown[] }>(`/demo/api/events?order=${order_id}`);
    expect(received.data).toEqual([
      {
        id: event?.id,
        type: 'order.created',
        order_id,
        order_status: 'open',
        received_at: expect.any(Number),
        signature_verified: true,
      },
    ]);
  });
});
