import { env, runDurableObjectAlarm, runInDurableObject } from 'cloudflare:test';
import { describe, expect, it } from 'vitest';
import type { Order } from '../../shared/schemas.ts';
import type { OrderObject } from '../../worker/orders/order-object.ts';
import { card, createMerchant, newOrder, orderStub, pay } from './helpers.ts';

const merchant = await createMerchant();

const indexed = (id: string) =>
  env.DB.prepare('SELECT status, amount, currency, paid_channel, version FROM orders WHERE id = ?').bind(id).first();

describe('orders index (D1 projection)', () => {
  it('follows the order object through its changes', async () => {
    const order = await newOrder(merchant.secret_key, { metadata: { cart: '7' } });
    await runDurableObjectAlarm(orderStub(order.id));
    expect(await indexed(order.id)).toMatchObject({
      status: 'open',
      amount: 2900,
      currency: 'USD',
      paid_channel: null,
    });
    await pay(order, card('4242424242424242'));
    await runDurableObjectAlarm(orderStub(order.id));
    expect(await indexed(order.id)).toMatchObject({ status: 'paid', paid_channel: 'sandbox' });
  });

  it('never lets an older version overwrite a newer one', async () => {
    const order = await newOrder(merchant.secret_key);
    await pay(order, card('4242424242424242'));
    await runDurableObjectAlarm(orderStub(order.id));
    const current = (await indexed(order.id)) as { version: number };
    await env.DB.prepare("UPDATE orders SET status = 'open', version = ? WHERE id = ?")
      .bind(current.version + 5, order.id)
      .run();
    // The object re-sends its (older) version: the index keeps the newer row.
    await runInDurableObject(orderStub(order.id), (_instance: OrderObject, state) => {
      state.storage.sql.exec('UPDATE orders SET indexed_version = 0');
    });
    await runDurableObjectAlarm(orderStub(order.id));
    expect(await indexed(order.id)).toMatchObject({ status: 'open', version: current.version + 5 });
  });

  it('creates the order even when the index is down, and retries the index write on a later alarm', async () => {
    await env.DB.prepare('ALTER TABLE orders RENAME TO orders_away').run();
    let order: Order;
    try {
      order = await newOrder(merchant.secret_key);
      await runDurableObjectAlarm(orderStub(order.id));
      const pending = await runInDurableObject(orderStub(order.id), (_instance: OrderObject, state) =>
        state.storage.sql
          .exec<{ version: number; indexed_version: number }>('SELECT version, indexed_version FROM orders')
          .one(),
      );
      expect(pending.indexed_version).toBeLessThan(pending.version);
    } finally {
      await env.DB.prepare('ALTER TABLE orders_away RENAME TO orders').run();
    }
    await runInDurableObject(orderStub(order.id), (instance: OrderObject) => {
      (instance as unknown as { index: { retryAt: number } }).index.retryAt = 0;
    });
    await runDurableObjectAlarm(orderStub(order.id));
    expect(await indexed(order.id)).toMatchObject({ status: 'open' });
  });
});
