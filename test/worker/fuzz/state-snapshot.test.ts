/**
 * The fuzzer's "no state change on a 4xx" check is only as good as its snapshots: they must see
 * a change in the order's object, the merchant's object and D1, and see none where nothing moved.
 */
import { describe, expect, it } from 'vitest';
import { call, createMerchant, newOrder } from '../helpers.ts';
import { StateCache, stateChanges } from './state-snapshot.ts';
import { keepOutboundLocal } from './world.ts';

// The endpoint below receives the orders' events: its deliveries must not look for hooks.test in DNS.
keepOutboundLocal();
const merchant = await createMerchant();
const nothingExempt = () => false;

// The refusal comes first: later tests make orders whose alarms write to D1 in the background.
describe('state snapshots', () => {
  it("see nothing when a request is refused, and a merchant's webhook endpoint when one is added", async () => {
    const targets = { merchants: [merchant.id], orders: [] };
    const cache = new StateCache();
    const before = await cache.capture(targets);
    const refused = await call('/v1/webhook_endpoints', { key: merchant.secret_key, body: { url: 'not a url' } });
    expect(refused.status).toBe(400);
    cache.forget();
    const afterRefusal = await cache.capture(targets);
    expect(stateChanges(before, afterRefusal, nothingExempt)).toEqual([]);

    const created = await call('/v1/webhook_endpoints', {
      key: merchant.secret_key,
      body: { url: 'https://hooks.test/snapshot' },
    });
    expect(created.status).toBe(201);
    cache.forget();
    const changes = stateChanges(afterRefusal, await cache.capture(targets), nothingExempt);
    expect(changes.some((line) => line.startsWith(`merchant ${merchant.id} webhook_endpoints: +`))).toBe(true);
  });

  it("see an order created in D1, and its cancellation in the order's object", async () => {
    const cache = new StateCache();
    const before = await cache.capture({ merchants: [merchant.id], orders: [] });
    const order = await newOrder(merchant.secret_key);
    cache.forget();
    const created = stateChanges(before, await cache.capture({ merchants: [merchant.id], orders: [] }), nothingExempt);
    expect(created.some((line) => line.startsWith('D1 orders: +') && line.includes(order.id))).toBe(true);

    const targets = { merchants: [merchant.id], orders: [order.id] };
    cache.forget();
    const open = await cache.capture(targets);
    const canceled = await call(`/v1/orders/${order.id}/cancel`, { key: merchant.secret_key, method: 'POST' });
    expect(canceled.status).toBe(200);
    cache.forget();
    const changes = stateChanges(open, await cache.capture(targets), nothingExempt);
    expect(changes.some((line) => line.startsWith(`order ${order.id} orders: +`) && line.includes('canceled'))).toBe(
      true,
    );
  });
});
