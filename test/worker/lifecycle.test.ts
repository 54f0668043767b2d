/** Capture and void, expiry, the automatic refund of a second payment, and reconciliation by query. */
import { runDurableObjectAlarm, runInDurableObject } from 'cloudflare:test';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { ErrorEnvelope } from '../../shared/errors.ts';
import type { PublicJwk } from '../../shared/jws.ts';
import type { Order } from '../../shared/schemas.ts';
import { verifyReceipt } from '../../shared/tokens.ts';
import { advanceClock, now, resetClock } from '../../worker/base/clock.ts';
import { sandbox } from '../../worker/channels/sandbox/index.ts';
import type { OrderObject } from '../../worker/orders/order-object.ts';
import {
  AUTHORIZATION_VALID_SECONDS,
  QUERY_FIRST_AFTER_SECONDS,
  QUERY_GAPS_SECONDS,
  RECONCILE_GRACE_SECONDS,
} from '../../worker/orders/reconciliation.ts';
import {
  alarmAfter,
  call,
  card,
  createMerchant,
  eventTypes,
  newOrder,
  orderStub,
  paidNote,
  pay,
  retrieve,
  sandboxNotify,
  sandboxStub,
  settleTradeSilently,
  summary,
} from './helpers.ts';

const merchant = await createMerchant();
const HOUR = 3600;
const DAY = 24 * HOUR;

const action = (orderId: string, verb: 'capture' | 'void' | 'cancel') =>
  call<Order & ErrorEnvelope>(`/v1/orders/${orderId}/${verb}`, {
    key: merchant.secret_key,
    method: 'POST',
    rawBody: '',
  });
const retrieveOrder = (orderId: string) => retrieve(merchant.secret_key, orderId);
const typesOf = (orderId: string) => eventTypes(merchant.secret_key, orderId);

afterEach(() => {
  vi.restoreAllMocks();
  resetClock();
});

describe('manual capture', () => {
  it('authorizes, then captures in full: the order is paid once', async () => {
    const order = await newOrder(merchant.secret_key, { capture_method: 'manual' });
    expect(order.capture_method).toBe('manual');
    expect((await summary(order)).body.methods.map((method) => method.method)).toEqual(['card']);
    const authorized = await pay(order, card('4242424242424242'));
    expect(authorized.body.order.status).toBe('authorized');
    expect(authorized.body.receipt).toBeNull();

    const captured = await action(order.id, 'capture');
    expect(captured.status).toBe(200);
    expect(captured.body).toMatchObject({ status: 'paid', paid_attempt_id: authorized.body.attempt!.id });
    expect(captured.body.receipt).toEqual(expect.any(String));
    expect((await action(order.id, 'capture')).body.error.code).toBe('order_not_capturable');
    expect((await action(order.id, 'void')).body.error.code).toBe('order_not_voidable');
    expect(await typesOf(order.id)).toEqual(['order.created', 'order.processing', 'order.authorized', 'order.paid']);
  });

  it('voids an authorization: the order is voided and the channel releases it', async () => {
    const order = await newOrder(merchant.secret_key, { capture_method: 'manual' });
    const authorized = await pay(order, card('4242424242424242'));
    expect((await action(order.id, 'cancel')).body.error).toMatchObject({
      code: 'order_not_cancelable',
      message: expect.stringContaining('void it'),
    });
    const voided = await action(order.id, 'void');
    expect(voided.body.status).toBe('voided');
    expect((await action(order.id, 'void')).body.status).toBe('voided');
    expect((await sandboxStub(authorized.body.attempt!.id).getTrade())?.status).toBe('canceled');
    expect((await action(order.id, 'capture')).body.error.code).toBe('order_not_capturable');
    expect(await typesOf(order.id)).toEqual(['order.created', 'order.processing', 'order.authorized', 'order.voided']);
  });

  it('refuses capture and void of an automatic order, and a body with fields', async () => {
    const order = await newOrder(merchant.secret_key);
    const capture = await action(order.id, 'capture');
    expect(capture.body.error).toMatchObject({
      code: 'order_not_capturable',
      message: expect.stringContaining('automatic capture'),
    });
    expect((await action(order.id, 'void')).body.error.code).toBe('order_not_voidable');
    const withBody = await call<ErrorEnvelope>(`/v1/orders/${order.id}/capture`, {
      key: merchant.secret_key,
      body: { amount: 5, final: true },
    });
    expect(withBody.body.error.code).toBe('unknown_parameter');
  });

  it('captures part of an authorization: the receipt and refunds name what it took, the rest is released', async () => {
    const order = await newOrder(merchant.secret_key, { capture_method: 'manual', amount: 2900 });
    const attempt = (await pay(order, card('4242424242424242'))).body.attempt!;
    const capture = (body: unknown) =>
      call<Order & ErrorEnvelope>(`/v1/orders/${order.id}/capture`, { key: merchant.secret_key, body });
    // Refused at the edge, and nothing changes: more than authorized, zero, a fraction.
    const tooMuch = await capture({ amount: 2901 });
    expect([tooMuch.status, tooMuch.body.error]).toEqual([
      400,
      expect.objectContaining({
        code: 'capture_exceeds_authorization',
        param: 'amount',
        message: expect.stringContaining('$29.00'),
      }),
    ]);
    expect((await capture({ amount: 0 })).body.error).toMatchObject({ code: 'invalid_parameter', param: 'amount' });
    expect((await capture({ amount: 12.5 })).body.error).toMatchObject({ code: 'invalid_parameter', param: 'amount' });
    expect((await retrieveOrder(order.id)).status).toBe('authorized');

    const captured = await capture({ amount: 2400 });
    expect(captured.status).toBe(200);
    expect(captured.body).toMatchObject({ status: 'paid', amount: 2900, amount_captured: 2400 });
    const jwks = (await call<{ keys: PublicJwk[] }>('/.well-known/jwks.json')).body.keys;
    expect(verifyReceipt(captured.body.receipt!, jwks)).toMatchObject({ amt: 2400, att: attempt.id });
    expect(await sandboxStub(attempt.id).getTrade()).toMatchObject({ status: 'succeeded', captured: 2400 });
    // The capture's own notification names 24.00: taken, not refused as a mismatch.
    await runDurableObjectAlarm(sandboxStub(attempt.id));
    const notes = await call<{ data: Array<{ outcome: string; reason_code: string | null }> }>(
      `/v1/orders/${order.id}/notifications`,
      { key: merchant.secret_key },
    );
    expect(notes.body.data.map((note) => note.outcome)).toEqual(['applied']);

    const refund = (amount?: number) =>
      call<{ status: string; amount: number } & ErrorEnvelope>(`/v1/orders/${order.id}/refunds`, {
        key: merchant.secret_key,
        body: amount === undefined ? {} : { amount },
      });
    expect((await refund(2401)).body.error).toMatchObject({
      code: 'refund_exceeds_payment',
      message: expect.stringContaining('paid $24.00'),
    });
    expect((await refund()).body).toMatchObject({ status: 'succeeded', amount: 2400 });
    expect(await retrieveOrder(order.id)).toMatchObject({
      status: 'paid',
      amount_captured: 2400,
      amount_refunded: 2400,
    });
  });

  it('refunds exactly what a capture took when its answer was lost and the order voided meanwhile', async () => {
    const order = await newOrder(merchant.secret_key, { capture_method: 'manual', amount: 2900 });
    const attempt = (await pay(order, card('4242424242424242'))).body.attempt!;
    const capture = sandbox.capture.bind(sandbox);
    // The processor takes 10.00; its answer never reaches Till.
    vi.spyOn(sandbox, 'capture').mockImplementationOnce(async (ctx, trade, amount) => {
      await capture(ctx, trade, amount);
      throw new TypeError('network connection lost');
    });
    const lost = await call<Order & ErrorEnvelope>(`/v1/orders/${order.id}/capture`, {
      key: merchant.secret_key,
      body: { amount: 1000 },
    });
    expect(lost.body.error.code).toBe('channel_error');
    expect((await action(order.id, 'void')).body.status).toBe('voided');
    await alarmAfter(order.id, QUERY_FIRST_AFTER_SECONDS);
    const after = await retrieveOrder(order.id);
    expect(after.status).toBe('voided');
    expect(after.refunds).toEqual([
      expect.objectContaining({ attempt_id: attempt.id, amount: 1000, automatic: true, status: 'succeeded' }),
    ]);
    expect(await sandboxStub(attempt.id).getTrade()).toMatchObject({ captured: 1000, refunded: 1000 });
  });

  it('after a capture went unanswered, takes a retry of that amount only', async () => {
    const order = await newOrder(merchant.secret_key, { capture_method: 'manual', amount: 2900 });
    await pay(order, card('4242424242424242'));
    vi.spyOn(sandbox, 'capture').mockRejectedValueOnce(new TypeError('network connection lost'));
    const capture = (amount: number) =>
      call<Order & ErrorEnvelope>(`/v1/orders/${order.id}/capture`, { key: merchant.secret_key, body: { amount } });
    expect((await capture(1000)).body.error.code).toBe('channel_error');
    const other = await capture(1500);
    expect([other.status, other.body.error]).toEqual([
      409,
      expect.objectContaining({
        code: 'capture_in_progress',
        param: 'amount',
        message: expect.stringContaining('$10.00'),
      }),
    ]);
    expect((await capture(1000)).body).toMatchObject({ status: 'paid', amount_captured: 1000 });
  });

  it(
    'keeps the authorization when the channel does not answer a capture, ' + 'and learns the outcome by query',
    async () => {
      const order = await newOrder(merchant.secret_key, { capture_method: 'manual' });
      const attempt = (await pay(order, card('4242424242424242'))).body.attempt!;
      vi.spyOn(sandbox, 'capture').mockRejectedValueOnce(new TypeError('network connection lost'));
      const lost = await action(order.id, 'capture');
      expect(lost.body.error.code).toBe('channel_error');
      expect((await retrieveOrder(order.id)).status).toBe('authorized');
      // The capture did reach the processor after all; no notification comes.
      await settleTradeSilently(attempt.id, 'succeeded');
      await alarmAfter(order.id, QUERY_FIRST_AFTER_SECONDS);
      expect((await retrieveOrder(order.id)).status).toBe('paid');
    },
  );

  it('does not release an authorization under a capture in flight', async () => {
    const order = await newOrder(merchant.secret_key, { capture_method: 'manual' });
    await pay(order, card('4242424242424242'));
    // Eight days later the merchant captures at last; the release is due meanwhile.
    advanceClock(8 * DAY);
    // The channel holds the capture until the test lets go (polled: a promise resolved from the
    // test's context could not wake the order object's).
    let released = false;
    vi.spyOn(sandbox, 'capture').mockImplementationOnce(async () => {
      while (!released) await new Promise((resolve) => setTimeout(resolve, 5));
      return { status: 'succeeded' };
    });
    const capturing = action(order.id, 'capture');
    await vi.waitFor(() => expect(sandbox.capture).toHaveBeenCalled());
    await runDurableObjectAlarm(orderStub(order.id));
    expect((await retrieveOrder(order.id)).status).toBe('authorized');
    released = true;
    expect((await capturing).body.status).toBe('paid');
  });

  it('voids the order when the channel itself releases the authorization', async () => {
    const order = await newOrder(merchant.secret_key, { capture_method: 'manual' });
    const attempt = (await pay(order, card('4242424242424242'))).body.attempt!;
    await sandboxNotify({
      event_id: `reversed-${attempt.id}`,
      order_id: order.id,
      attempt_id: attempt.id,
      amount: 2900,
      currency: 'USD',
      status: 'canceled',
      failure: null,
    });
    const after = await retrieveOrder(order.id);
    expect(after.status).toBe('voided');
    expect(after.attempts[0]?.status).toBe('canceled');
    expect((await action(order.id, 'capture')).body.error.code).toBe('order_not_capturable');
  });

  it('releases an authorization left for seven days', async () => {
    const order = await newOrder(merchant.secret_key, { capture_method: 'manual' });
    await pay(order, card('4242424242424242'));
    await alarmAfter(order.id, AUTHORIZATION_VALID_SECONDS);
    expect((await retrieveOrder(order.id)).status).toBe('voided');
  });
});

describe('expiry', () => {
  it('expires an unpaid order by alarm and closes its trade at the channel', async () => {
    const order = await newOrder(merchant.secret_key);
    const attempt = (await pay(order, { channel: 'sandbox', method: 'qr' })).body.attempt!;
    await alarmAfter(order.id, HOUR);
    const after = await retrieveOrder(order.id);
    expect(after.status).toBe('expired');
    expect(after.attempts[0]?.status).toBe('canceled');
    expect((await sandboxStub(attempt.id).getTrade())?.status).toBe('canceled');
    expect((await sandboxStub(attempt.id).complete('succeed'))?.status).toBe('canceled');
  });
});

describe('a second payment', () => {
  it('is refunded automatically when the shopper paid twice, and the reason is recorded', async () => {
    const order = await newOrder(merchant.secret_key);
    const qr = (await pay(order, { channel: 'sandbox', method: 'qr' })).body.attempt!;
    // The shopper scans and pays the QR in the wallet just as the checkout moves on to the card.
    await settleTradeSilently(qr.id, 'succeeded');
    const byCard = await pay(order, card('4242424242424242'));
    expect(byCard.body.order.status).toBe('paid');
    // The wallet's notification arrives late: that money must go back.
    const note = paidNote(order.id, qr.id, `late-${qr.id}`);
    expect((await sandboxNotify(note)).body).toBe('ok');
    expect((await sandboxNotify(note)).body).toBe('ok');

    const after = await retrieveOrder(order.id);
    expect(after.paid_attempt_id).toBe(byCard.body.attempt!.id);
    expect(after.attempts.find((a) => a.id === qr.id)).toMatchObject({ status: 'succeeded', needs_refund: true });
    expect(after.refunds).toEqual([
      expect.objectContaining({
        attempt_id: qr.id,
        amount: 2900,
        status: 'succeeded',
        automatic: true,
        reason: 'duplicate_payment',
      }),
    ]);
    // The paid attempt's own refundable amount is untouched.
    expect(after.amount_refunded).toBe(0);
    expect((await sandboxStub(qr.id).getTrade())?.refunded).toBe(2900);
    expect((await typesOf(order.id)).filter((type) => type.startsWith('refund.'))).toEqual([
      'refund.created',
      'refund.succeeded',
    ]);
  });

  it('is refunded when it pays an order already expired', async () => {
    const order = await newOrder(merchant.secret_key);
    const qr = (await pay(order, { channel: 'sandbox', method: 'qr' })).body.attempt!;
    await settleTradeSilently(qr.id, 'succeeded');
    await alarmAfter(order.id, HOUR);
    expect((await retrieveOrder(order.id)).status).toBe('expired');
    // Closing failed (the trade had already succeeded); reconciliation finds the money and returns it.
    await alarmAfter(order.id, QUERY_FIRST_AFTER_SECONDS);
    const after = await retrieveOrder(order.id);
    expect(after.status).toBe('expired');
    expect(after.refunds).toEqual([
      expect.objectContaining({ attempt_id: qr.id, reason: 'order_closed', status: 'succeeded', automatic: true }),
    ]);
  });
});

describe('reconciliation', () => {
  it('learns a payment whose notification never came by querying the channel', async () => {
    const order = await newOrder(merchant.secret_key);
    const qr = (await pay(order, { channel: 'sandbox', method: 'qr' })).body.attempt!;
    // Nothing yet at the channel: the query changes nothing and asks again later.
    await alarmAfter(order.id, QUERY_FIRST_AFTER_SECONDS);
    expect((await retrieveOrder(order.id)).status).toBe('requires_action');
    const queued = await runInDurableObject(orderStub(order.id), (_i: OrderObject, state) =>
      state.storage.sql
        .exec<{ queries: number; next_query_at: number }>('SELECT queries, next_query_at FROM attempts')
        .one(),
    );
    expect(queued.queries).toBe(1);
    expect(queued.next_query_at).toBeGreaterThan(now() + 200);

    await settleTradeSilently(qr.id, 'succeeded');
    await alarmAfter(order.id, QUERY_GAPS_SECONDS[0]);
    const paid = await retrieveOrder(order.id);
    expect(paid.status).toBe('paid');
    // The notification, when it finally comes, changes nothing twice.
    await sandboxNotify(paidNote(order.id, qr.id, `late-${qr.id}`));
    expect(await retrieveOrder(order.id)).toEqual(paid);
    expect(await typesOf(order.id)).toEqual([
      'order.created',
      'order.processing',
      'order.requires_action',
      'order.paid',
    ]);
  });

  it('asks the channel about a start call whose answer was lost, and keeps the money it took', async () => {
    const order = await newOrder(merchant.secret_key);
    const realStart = sandbox.start.bind(sandbox);
    vi.spyOn(sandbox, 'start').mockImplementationOnce(async (...args) => {
      await realStart(...args);
      throw new TypeError('connection reset');
    });
    const started = await pay(order, { channel: 'sandbox', method: 'qr' });
    expect(started.body.attempt).toMatchObject({ status: 'failed', failure: { code: 'channel_error' } });
    expect(started.body.order.status).toBe('open');
    // The trade did open at the channel, and the shopper paid it from the QR they never saw here.
    await settleTradeSilently(started.body.attempt!.id, 'succeeded');
    await alarmAfter(order.id, QUERY_FIRST_AFTER_SECONDS);
    const after = await retrieveOrder(order.id);
    expect(after.status).toBe('paid');
    expect(after.paid_attempt_id).toBe(started.body.attempt!.id);
  });

  it('closes at the channel the other attempts a reconciled payment cancels', async () => {
    const order = await newOrder(merchant.secret_key);
    const first = (await pay(order, { channel: 'sandbox', method: 'qr' })).body.attempt!;
    // The shopper moves on to a second QR; closing the first fails, and it is paid in the wallet, unheard.
    vi.spyOn(sandbox, 'cancel').mockRejectedValueOnce(new TypeError('network connection lost'));
    const second = (await pay(order, { channel: 'sandbox', method: 'qr' })).body.attempt!;
    await settleTradeSilently(first.id, 'succeeded');
    await alarmAfter(order.id, QUERY_FIRST_AFTER_SECONDS);
    const after = await retrieveOrder(order.id);
    expect(after.paid_attempt_id).toBe(first.id);
    expect(after.attempts.find((a) => a.id === second.id)?.status).toBe('canceled');
    expect((await sandboxStub(second.id).getTrade())?.status).toBe('canceled');
  });

  it('stops asking once the channel gave its final answer, or past expiry and grace', async () => {
    const order = await newOrder(merchant.secret_key);
    const qr = (await pay(order, { channel: 'sandbox', method: 'qr' })).body.attempt!;
    await settleTradeSilently(qr.id, 'failed');
    await alarmAfter(order.id, QUERY_FIRST_AFTER_SECONDS);
    const after = await runInDurableObject(orderStub(order.id), (_i: OrderObject, state) =>
      state.storage.sql
        .exec<{ status: string; next_query_at: number | null }>('SELECT status, next_query_at FROM attempts')
        .one(),
    );
    expect(after).toEqual({ status: 'failed', next_query_at: null });
    expect((await retrieveOrder(order.id)).status).toBe('open');

    const second = await newOrder(merchant.secret_key);
    await pay(second, { channel: 'sandbox', method: 'qr' });
    // Nobody looked at the order until well past its expiry and the grace after it.
    await alarmAfter(second.id, HOUR + RECONCILE_GRACE_SECONDS + QUERY_FIRST_AFTER_SECONDS);
    const stopped = await runInDurableObject(orderStub(second.id), (_i: OrderObject, state) =>
      state.storage.sql.exec<{ next_query_at: number | null }>('SELECT next_query_at FROM attempts').one(),
    );
    expect(stopped.next_query_at).toBeNull();
  });
});
