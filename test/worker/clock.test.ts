/**
 * The clock seam (worker/base/clock.ts) reaches the Durable Objects: the pool runs them in the
 * test's isolate, in the same module graph, so moving the test's clock moves theirs.
 */
import { runDurableObjectAlarm } from 'cloudflare:test';
import { afterEach, describe, expect, it } from 'vitest';
import { advanceClock, now, resetClock } from '../../worker/base/clock.ts';
import { createMerchant, newOrder, orderStub, retrieve } from './helpers.ts';

const merchant = await createMerchant();

afterEach(() => resetClock());

describe('the clock seam', () => {
  it('moves time for the order object as for the test', async () => {
    const before = Math.floor(Date.now() / 1000);
    advanceClock(3 * 3600);
    const order = await newOrder(merchant.secret_key, { expires_in: 600 });
    // Made by the order object: its clock is three hours ahead of the platform's, as the test's is.
    expect(order.created_at).toBeGreaterThanOrEqual(before + 3 * 3600);
    expect(order.created_at).toBeLessThanOrEqual(now());
    expect(Math.floor(Date.now() / 1000)).toBeLessThan(order.created_at);
  });

  it('lets time pass for the order: an order expires once its expiry is behind the clock', async () => {
    const order = await newOrder(merchant.secret_key, { expires_in: 600 });
    await runDurableObjectAlarm(orderStub(order.id));
    expect((await retrieve(merchant.secret_key, order.id)).status).toBe('open');
    advanceClock(601);
    await runDurableObjectAlarm(orderStub(order.id));
    expect((await retrieve(merchant.secret_key, order.id)).status).toBe('expired');
  });

  it('only moves forward', () => {
    expect(() => advanceClock(-1)).toThrow(RangeError);
  });
});
