/**
 * Channel notifications that are signed correctly but can never apply (another amount, currency
 * or order, an unknown attempt, a field the channel never sends, JSON that does not parse): the
 * channel is told to stop, the order does not change, and the order's notification log says why.
 * Failures on Till's side (the merchant object unreachable, storage failing) still ask the channel
 * to send again.
 */
import { env, runInDurableObject } from 'cloudflare:test';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { ChannelNotificationList, Order } from '../../shared/schemas.ts';
import { advanceClock, resetClock } from '../../worker/base/clock.ts';
import { MerchantObject } from '../../worker/merchants/merchant-object.ts';
import {
  alipayMerchant,
  cnyOrder as alipayOrder,
  type FakeNotification,
  fake,
  notify,
  start,
} from './alipay-helpers.ts';
import {
  call,
  createMerchant,
  eventTypes,
  newOrder,
  notificationLog,
  orderStub,
  paidNote,
  pay,
  retrieve,
  sandboxNotify,
  sandboxNotifyRaw,
} from './helpers.ts';
import {
  armFault,
  deliver,
  fakeMerchantId,
  payAtFake,
  startWechat,
  wechatMerchant,
  cnyOrder as wechatOrder,
} from './wechatpay-helpers.ts';

const sandboxShop = await createMerchant();
const { merchant: alipayShop } = await alipayMerchant();
const wechatShop = await wechatMerchant(await fakeMerchantId(21));

afterEach(() => {
  vi.restoreAllMocks();
  resetClock();
});

/** What the merchant can see of an order: the order with its attempts and refunds, and its events. */
const snapshot = async (secretKey: string, orderId: string) => ({
  order: await retrieve(secretKey, orderId),
  events: await eventTypes(secretKey, orderId),
});

async function qrOrder(): Promise<{ order: Order; attemptId: string }> {
  const order = await newOrder(sandboxShop.secret_key);
  const started = await pay(order, { channel: 'sandbox', method: 'qr' });
  return { order, attemptId: started.body.attempt!.id };
}

describe('a signed sandbox notification that can never apply', () => {
  const faults: Array<[string, (order: Order, attemptId: string, other: Order) => string, string]> = [
    ['another amount', (o, a) => JSON.stringify({ ...paidNote(o.id, a), amount: 1 }), 'amount_mismatch'],
    ['another currency', (o, a) => JSON.stringify({ ...paidNote(o.id, a), currency: 'EUR' }), 'currency_mismatch'],
    ['another order', (o, a, other) => JSON.stringify({ ...paidNote(o.id, a), order_id: other.id }), 'order_mismatch'],
    [
      'an attempt the order does not have',
      (o) => JSON.stringify(paidNote(o.id, 'att_00000000000000000000')),
      'unknown_attempt',
    ],
    [
      'a field the sandbox never sends',
      (o, a) => JSON.stringify({ ...paidNote(o.id, a), surprise: 1 }),
      'invalid_content',
    ],
    ['a body that is not JSON', (o, a) => `${JSON.stringify(paidNote(o.id, a)).slice(0, -1)},`, 'invalid_json'],
  ];

  it.each(faults)('with %s is acknowledged, changes nothing and is logged as rejected', async (_what, body, reason) => {
    const { order, attemptId } = await qrOrder();
    const other = await newOrder(sandboxShop.secret_key);
    const before = await snapshot(sandboxShop.secret_key, order.id);
    const warn = vi.spyOn(console, 'warn');
    const text = body(order, attemptId, other);

    const answer = await sandboxNotifyRaw(order.id, text);
    // The sandbox's "received, do not send again".
    expect([answer.status, answer.body]).toEqual([200, 'ok']);
    expect(await snapshot(sandboxShop.secret_key, order.id)).toEqual(before);
    const [entry, ...more] = await notificationLog(sandboxShop.id, order.id);
    expect(more).toEqual([]);
    expect(entry).toMatchObject({ order_id: order.id, channel: 'sandbox', outcome: 'rejected', reason_code: reason });
    expect(entry!.reason).toEqual(expect.any(String));
    // The operator's log line names the order and the reason, never the body.
    const line = warn.mock.calls.find(([message]) => message === 'channel notification rejected');
    expect(line?.[1]).toMatchObject({ order: order.id, channel: 'sandbox', reason_code: reason });
    expect(JSON.stringify(warn.mock.calls)).not.toContain(text);

    // The true news still applies afterwards.
    expect((await sandboxNotify(paidNote(order.id, attemptId))).body).toBe('ok');
    expect((await retrieve(sandboxShop.secret_key, order.id)).status).toBe('paid');
    expect((await notificationLog(sandboxShop.id, order.id)).map((e) => e.outcome)).toEqual(['rejected', 'applied']);
  });

  it('shows the log to the merchant and the operator through the API, and to no other merchant', async () => {
    const { order, attemptId } = await qrOrder();
    await sandboxNotifyRaw(order.id, JSON.stringify({ ...paidNote(order.id, attemptId), amount: 1 }));
    const merchant = await call<ChannelNotificationList>(`/v1/orders/${order.id}/notifications`, {
      key: sandboxShop.secret_key,
    });
    expect(merchant.status).toBe(200);
    expect(merchant.body.data).toEqual(await notificationLog(sandboxShop.id, order.id));
    expect(merchant.body.data[0]).toMatchObject({ outcome: 'rejected', reason_code: 'amount_mismatch' });
    const operator = await call<ChannelNotificationList>(`/v1/admin/orders/${order.id}/notifications`, {
      key: env.TILL_ADMIN_KEY,
    });
    expect(operator.body).toEqual(merchant.body);
    const stranger = await createMerchant();
    const refused = await call(`/v1/orders/${order.id}/notifications`, { key: stranger.secret_key });
    expect(refused.status).toBe(404);
  });

  it('logs what it applied and what it had already heard, with the event ids', async () => {
    const { order, attemptId } = await qrOrder();
    const note = paidNote(order.id, attemptId);
    await sandboxNotify(note);
    await sandboxNotify(note);
    const log = await notificationLog(sandboxShop.id, order.id);
    expect(log).toMatchObject([
      { outcome: 'applied', event_id: note.event_id, attempt_id: attemptId, reason_code: null },
      { outcome: 'duplicate', event_id: note.event_id, attempt_id: attemptId, reason_code: 'already_received' },
    ]);
    expect(log[0]!.received_at).toBeLessThanOrEqual(log[1]!.received_at);
  });

  it('is not logged for a bad signature, which stays a 401', async () => {
    const { order, attemptId } = await qrOrder();
    const forged = await sandboxNotify(paidNote(order.id, attemptId), 'not-the-sandbox-secret-at-all');
    expect(forged.status).toBe(401);
    expect(await notificationLog(sandboxShop.id, order.id)).toEqual([]);
  });
});

describe('a signed Alipay notification that can never apply', () => {
  it('naming another total is answered success, changes nothing and is logged', async () => {
    const order = await alipayOrder(alipayShop);
    const attemptId = (await start(order, 'qr')).body.attempt!.id;
    const before = await snapshot(alipayShop.secret_key, order.id);
    await fake('faults', { next: 'misstate_amount', out_trade_no: attemptId });
    const misstated = await fake<FakeNotification>(`trades/${attemptId}/pay`, {});
    expect(new URLSearchParams(misstated.body).get('total_amount')).toBe('88.89');
    expect((await notify(misstated.notify_url, misstated.body)).body).toBe('success');
    expect(await snapshot(alipayShop.secret_key, order.id)).toEqual(before);
    expect(await notificationLog(alipayShop.id, order.id)).toMatchObject([
      { channel: 'alipay', outcome: 'rejected', reason_code: 'amount_mismatch', attempt_id: attemptId },
    ]);
  });

  it('posted to another order’s URL is answered success there and changes nothing', async () => {
    const paid = await alipayOrder(alipayShop);
    const attemptId = (await start(paid, 'qr')).body.attempt!.id;
    const bystander = await alipayOrder(alipayShop);
    await start(bystander, 'qr');
    const before = await snapshot(alipayShop.secret_key, bystander.id);
    const news = await fake<FakeNotification>(`trades/${attemptId}/pay`, {});
    const misdirected = news.notify_url.replace(paid.id, bystander.id);
    expect((await notify(misdirected, news.body)).body).toBe('success');
    expect(await snapshot(alipayShop.secret_key, bystander.id)).toEqual(before);
    expect(await notificationLog(alipayShop.id, bystander.id)).toMatchObject([
      { outcome: 'rejected', reason_code: 'unknown_attempt', attempt_id: null },
    ]);
    expect((await notify(news.notify_url, news.body)).body).toBe('success');
    expect((await retrieve(alipayShop.secret_key, paid.id)).status).toBe('paid');
  });
});

describe('a signed WeChat Pay callback that can never apply', () => {
  const faults: Array<[string, Parameters<typeof armFault>[0]['kind'], string]> = [
    ['another amount', 'tamper_amount', 'amount_mismatch'],
    ['another currency', 'foreign_currency', 'currency_mismatch'],
    ['a resource that is not JSON', 'garbled_resource', 'invalid_json'],
  ];

  it.each(faults)('naming %s is acknowledged (204), changes nothing and is logged', async (_what, kind, reason) => {
    const order = await wechatOrder(wechatShop.secret_key);
    const attemptId = (await startWechat(order, 'native')).body.attempt!.id;
    const before = await snapshot(wechatShop.secret_key, order.id);
    await armFault({ kind, match: attemptId, amount: 1 });
    const answer = await deliver(await payAtFake(attemptId));
    expect(answer.status).toBe(204);
    expect(await snapshot(wechatShop.secret_key, order.id)).toEqual(before);
    expect(await notificationLog(wechatShop.id, order.id)).toMatchObject([
      { channel: 'wechatpay', outcome: 'rejected', reason_code: reason },
    ]);
    // The true callback, with the same event id, still applies.
    expect((await deliver(await payAtFake(attemptId))).status).toBe(204);
    expect((await retrieve(wechatShop.secret_key, order.id)).status).toBe('paid');
  });
});

describe('a failure on Till’s side', () => {
  it('asks WeChat Pay to send again when the merchant object cannot be reached, and applies the resend', async () => {
    const order = await wechatOrder(wechatShop.secret_key);
    const attemptId = (await startWechat(order, 'native')).body.attempt!.id;
    const callback = await payAtFake(attemptId);
    // Past the isolate's 30 s credentials cache, so the order object must ask the merchant object.
    advanceClock(31);
    const unreachable = vi
      .spyOn(MerchantObject.prototype, 'channelAccess')
      .mockRejectedValue(new Error('Network connection lost.'));
    const answer = await deliver(callback);
    expect(unreachable).toHaveBeenCalled();
    expect(answer.status).toBe(500);
    expect(JSON.parse(answer.text)).toEqual({ code: 'FAIL', message: '失败' });
    expect((await retrieve(wechatShop.secret_key, order.id)).status).toBe('requires_action');
    unreachable.mockRestore();
    expect((await deliver(callback)).status).toBe(204);
    expect((await retrieve(wechatShop.secret_key, order.id)).status).toBe('paid');
  });

  it('asks Alipay to send again when the order’s storage fails, and applies the resend', async () => {
    const order = await alipayOrder(alipayShop);
    const attemptId = (await start(order, 'qr')).body.attempt!.id;
    const news = await fake<FakeNotification>(`trades/${attemptId}/pay`, {});
    await runInDurableObject(orderStub(order.id), (_instance, state) => {
      vi.spyOn(state.storage, 'transactionSync').mockImplementationOnce(() => {
        throw new Error('SQLITE_FULL: database or disk is full');
      });
    });
    expect((await notify(news.notify_url, news.body)).body).toBe('fail');
    expect((await retrieve(alipayShop.secret_key, order.id)).status).toBe('requires_action');
    expect((await notify(news.notify_url, news.body)).body).toBe('success');
    expect((await retrieve(alipayShop.secret_key, order.id)).status).toBe('paid');
  });
});
