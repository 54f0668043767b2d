/**
 * What disabling a merchant means for its open orders (docs/decisions.md, "A disabled merchant"):
 * no new payment starts, but money already moving is still accounted for, refunded where it must
 * be, and reported to the merchant.
 */
import { env, runDurableObjectAlarm } from 'cloudflare:test';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { ErrorEnvelope } from '../../shared/errors.ts';
import type { MerchantWithKeys, Order, Refund } from '../../shared/schemas.ts';
import { unwrap } from '../../worker/base/result.ts';
import { alipayMerchant, cnyOrder, start } from './alipay-helpers.ts';
import {
  call,
  card,
  createMerchant,
  newOrder,
  orderStub,
  paidNote,
  pay,
  sandboxNotify,
  settleTradeSilently,
  summary,
} from './helpers.ts';
import { createEndpoint, HOOKS, receivers } from './webhook-helpers.ts';

afterEach(() => vi.restoreAllMocks());

const setDisabled = async (merchant: MerchantWithKeys, disabled: boolean) => {
  const answer = await call(`/v1/admin/merchants/${merchant.id}`, { key: env.TILL_ADMIN_KEY, body: { disabled } });
  expect(answer.status).toBe(200);
};

/** The order as it is stored (the merchant's own keys are refused while it is disabled). */
const stored = async (merchant: MerchantWithKeys, orderId: string): Promise<Order> =>
  unwrap(await orderStub(orderId).retrieve({ id: merchant.id, mode: 'test' }));

describe('a disabled merchant', () => {
  it('takes no new payment on an open order: the attempt is refused and nothing changes', async () => {
    const merchant = await createMerchant();
    const order = await newOrder(merchant.secret_key);
    await setDisabled(merchant, true);
    const before = await stored(merchant, order.id);

    const refused = await pay(order, card('4242424242424242'));
    expect(refused.status).toBe(403);
    expect(refused.body.error).toMatchObject({ type: 'permission_error', code: 'merchant_disabled' });
    expect(await stored(merchant, order.id)).toEqual(before);
    expect(before).toMatchObject({ status: 'open', attempts: [] });
    // The checkout still opens (its summary costs no call to the merchant object).
    expect((await summary(order)).status).toBe(200);

    // Enabled again, the same order takes the payment.
    await setDisabled(merchant, false);
    expect((await pay(order, card('4242424242424242'))).body.order.status).toBe('paid');
  });

  it('refuses a wallet payment the same way, with no trade opened at the channel', async () => {
    const { merchant } = await alipayMerchant();
    const order = await cnyOrder(merchant);
    await setDisabled(merchant, true);
    const refused = await start(order, 'qr');
    expect([refused.status, refused.body.error.code]).toEqual([403, 'merchant_disabled']);
    expect(await stored(merchant, order.id)).toMatchObject({ status: 'open', attempts: [] });
  });

  it('still takes in money already moving, refunds a second payment, and tells the merchant', async () => {
    const merchant = await createMerchant();
    const hooks = receivers(() => 200);
    await createEndpoint(merchant.secret_key, { url: `${HOOKS}/disabled` });
    const order = await newOrder(merchant.secret_key);
    // Two QR codes were shown before the merchant was disabled; the shopper pays both.
    const first = (await pay(order, { channel: 'sandbox', method: 'qr' })).body.attempt!;
    const second = (await pay(order, { channel: 'sandbox', method: 'qr' })).body.attempt!;
    await setDisabled(merchant, true);

    await settleTradeSilently(second.id, 'succeeded');
    expect((await sandboxNotify(paidNote(order.id, second.id))).body).toBe('ok');
    await settleTradeSilently(first.id, 'succeeded');
    expect((await sandboxNotify(paidNote(order.id, first.id))).body).toBe('ok');

    const after = await stored(merchant, order.id);
    expect(after).toMatchObject({ status: 'paid', paid_attempt_id: second.id });
    // Till's own refund of the second payment is made: that money is the shopper's.
    expect(after.refunds).toEqual([
      expect.objectContaining({
        attempt_id: first.id,
        automatic: true,
        reason: 'duplicate_payment',
        status: 'succeeded',
      }),
    ]);
    // The merchant's keys stay refused, refunds included; nothing changes.
    const byHand = await call<Refund & ErrorEnvelope>(`/v1/orders/${order.id}/refunds`, {
      key: merchant.secret_key,
      body: { amount: 100 },
    });
    expect([byHand.status, byHand.body.error.code]).toEqual([403, 'merchant_disabled']);
    expect((await stored(merchant, order.id)).refunds).toEqual(after.refunds);

    // The merchant still hears of all of it.
    await runDurableObjectAlarm(orderStub(order.id));
    const heard = hooks.filter((hook) => hook.event.data.object.id === order.id).map((hook) => hook.event.type);
    expect(heard).toEqual(expect.arrayContaining(['order.paid', 'refund.created', 'refund.succeeded']));
  });
});
