import { runDurableObjectAlarm, SELF } from 'cloudflare:test';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { Till } from '../../sdk/index.ts';
import type { ErrorEnvelope } from '../../shared/errors.ts';
import type { Order, Refund } from '../../shared/schemas.ts';
import { resetClock } from '../../worker/base/clock.ts';
import { sandbox } from '../../worker/channels/sandbox/index.ts';
import { REFUND_CALL_RETRY_SECONDS } from '../../worker/orders/refunds.ts';
import {
  alarmAfter,
  call,
  card,
  createMerchant,
  eventTypes,
  newOrder,
  ORIGIN,
  orderStub,
  paidNote,
  pay,
  retrieve,
  sandboxNotify,
  sandboxStub,
  settleTradeSilently,
} from './helpers.ts';

const merchant = await createMerchant();

async function paidOrder(amount = 2900): Promise<Order> {
  const order = await newOrder(merchant.secret_key, { amount });
  const paid = await pay(order, card('4242424242424242'));
  expect(paid.body.order.status).toBe('paid');
  return order;
}

const refund = (orderId: string, body: unknown, headers: Record<string, string> = {}) =>
  call<Refund & ErrorEnvelope>(`/v1/orders/${orderId}/refunds`, { key: merchant.secret_key, body, headers });

const retrieveOrder = (orderId: string) => retrieve(merchant.secret_key, orderId);
const typesOf = (orderId: string) => eventTypes(merchant.secret_key, orderId);

afterEach(() => {
  vi.restoreAllMocks();
  resetClock();
});

describe('refunds', () => {
  it('refunds partially, several times, up to what was paid and not a unit more', async () => {
    const order = await paidOrder();
    const first = await refund(order.id, {
      amount: 1000,
      reason: 'requested_by_customer',
      metadata: { ticket: 't-1' },
    });
    expect(first.status).toBe(201);
    expect(first.body).toMatchObject({
      object: 'refund',
      order_id: order.id,
      amount: 1000,
      currency: 'USD',
      status: 'succeeded',
      automatic: false,
      metadata: { ticket: 't-1' },
    });

    const tooMuch = await refund(order.id, { amount: 1901 });
    expect(tooMuch.status).toBe(400);
    expect(tooMuch.body.error).toMatchObject({ code: 'refund_exceeds_payment', param: 'amount' });
    expect(tooMuch.body.error.message).toContain('$19.00 left to refund');

    // No amount: all that is left.
    const rest = await refund(order.id, {});
    expect(rest.body).toMatchObject({ amount: 1900, status: 'succeeded' });
    const none = await refund(order.id, { amount: 1 });
    expect(none.body.error?.code).toBe('order_not_refundable');

    const after = await retrieveOrder(order.id);
    expect(after.status).toBe('paid');
    expect(after.amount_refunded).toBe(2900);
    expect(after.refunds.map((r) => [r.amount, r.status])).toEqual([
      [1000, 'succeeded'],
      [1900, 'succeeded'],
    ]);
    expect((await sandboxStub(after.paid_attempt_id!).getTrade())?.refunded).toBe(2900);
    expect(await typesOf(order.id)).toEqual([
      'order.created',
      'order.processing',
      'order.paid',
      'refund.created',
      'refund.succeeded',
      'refund.created',
      'refund.succeeded',
    ]);

    const listed = await call<{ data: Refund[] }>(`/v1/orders/${order.id}/refunds`, { key: merchant.secret_key });
    expect(listed.body.data.map((r) => r.id)).toEqual([first.body.id, rest.body.id]);
    const one = await call<Refund>(`/v1/orders/${order.id}/refunds/${first.body.id}`, { key: merchant.secret_key });
    expect(one.body).toEqual(listed.body.data[0]);
  });

  it('makes a refund once per Idempotency-Key, and refuses the key with another body', async () => {
    const order = await paidOrder();
    const headers = { 'idempotency-key': `refund-${order.id}` };
    const first = await refund(order.id, { amount: 500 }, headers);
    const again = await refund(order.id, { amount: 500 }, headers);
    expect(again.status).toBe(201);
    expect(again.headers.get('idempotent-replayed')).toBe('true');
    expect(again.body.id).toBe(first.body.id);
    const other = await refund(order.id, { amount: 600 }, headers);
    expect(other.status).toBe(409);
    expect(other.body.error.code).toBe('idempotency_key_reused');
    expect((await retrieveOrder(order.id)).refunds).toHaveLength(1);
  });

  it('refuses refunds of unpaid orders and bad input, changing nothing', async () => {
    const open = await newOrder(merchant.secret_key);
    expect((await refund(open.id, { amount: 100 })).body.error.code).toBe('order_not_refundable');
    const order = await paidOrder();
    for (const body of [
      { amount: 0 },
      { amount: 1.5 },
      { amount: -1 },
      { amount: 100, extra: true },
      { reason: 'because' },
    ]) {
      const answer = await refund(order.id, body);
      expect(answer.status, JSON.stringify(body)).toBe(400);
    }
    expect((await retrieveOrder(order.id)).refunds).toEqual([]);
    expect(
      (await call(`/v1/orders/${order.id}/refunds/re_000000000000000000000000`, { key: merchant.secret_key })).status,
    ).toBe(404);
  });

  it('never refunds more than was paid, even with 200 concurrent requests', async () => {
    const order = await paidOrder(100);
    const answers = await Promise.all(Array.from({ length: 200 }, () => refund(order.id, { amount: 1 })));
    const statuses = answers.map((answer) => answer.status);
    expect(statuses.filter((status) => status === 201)).toHaveLength(100);
    expect(statuses.filter((status) => status !== 201).every((status) => status === 409 || status === 400)).toBe(true);

    const after = await retrieveOrder(order.id);
    expect(after.refunds).toHaveLength(100);
    expect(after.refunds.every((r) => r.status === 'succeeded')).toBe(true);
    expect(after.amount_refunded).toBe(100);
    expect((await sandboxStub(after.paid_attempt_id!).getTrade())?.refunded).toBe(100);
    expect(new Set(after.refunds.map((r) => r.id)).size).toBe(100);
    // 200 requests queue on one object: on a loaded 2-core machine that can take longer than the default 5 s.
  }, 30_000);

  it('keeps a refund pending when the channel does not answer, and makes the call again later', async () => {
    const order = await paidOrder();
    vi.spyOn(sandbox, 'refund').mockRejectedValueOnce(new TypeError('network connection lost'));
    const pending = await refund(order.id, { amount: 700 });
    expect(pending.status).toBe(201);
    expect(pending.body.status).toBe('pending');
    // A pending refund holds its amount: only the rest can be refunded meanwhile.
    expect((await refund(order.id, { amount: 2201 })).body.error.code).toBe('refund_exceeds_payment');

    await alarmAfter(order.id, REFUND_CALL_RETRY_SECONDS[0]);
    const after = await retrieveOrder(order.id);
    expect(after.refunds[0]).toMatchObject({ id: pending.body.id, status: 'succeeded' });
    expect((await sandboxStub(after.paid_attempt_id!).getTrade())?.refunded).toBe(700);
  });

  it('records a refund the channel declines as failed, and frees its amount', async () => {
    const order = await paidOrder();
    vi.spyOn(sandbox, 'refund').mockResolvedValueOnce({ status: 'failed', channelRef: 'sbx_declined' });
    const declined = await refund(order.id, { amount: 2900 });
    expect(declined.body).toMatchObject({ status: 'failed', failure: { code: 'refund_declined' } });
    expect(await typesOf(order.id)).toContain('refund.failed');
    expect((await refund(order.id, { amount: 2900 })).body.status).toBe('succeeded');
  });

  it('refunds, captures and voids through the server SDK', async () => {
    const till = new Till({
      secretKey: merchant.secret_key,
      baseUrl: ORIGIN,
      fetch: (url, init) => SELF.fetch(url, init),
    });
    const order = await paidOrder();
    const made = await till.orders.refund(order.id, { amount: 900 }, { idempotencyKey: `sdk-${order.id}` });
    expect(made).toMatchObject({ amount: 900, status: 'succeeded' });
    expect(await till.orders.refund(order.id, { amount: 900 }, { idempotencyKey: `sdk-${order.id}` })).toEqual(made);
    expect((await till.orders.refunds(order.id)).data).toEqual([made]);
    expect(await till.orders.retrieveRefund(order.id, made.id)).toEqual(made);

    const manual = await till.orders.create({
      amount: 500,
      currency: 'USD',
      description: 'Held',
      capture_method: 'manual',
    });
    await pay(manual, card('4242424242424242'));
    expect(await till.orders.capture(manual.id, { amount: 400 })).toMatchObject({
      status: 'paid',
      amount_captured: 400,
    });
    const another = await till.orders.create({
      amount: 500,
      currency: 'USD',
      description: 'Held',
      capture_method: 'manual',
    });
    await pay(another, card('4242424242424242'));
    expect((await till.orders.void(another.id)).status).toBe('voided');
  });

  it('lists refund events made after the order was indexed, so they can be fetched and redelivered', async () => {
    const order = await paidOrder();
    await runDurableObjectAlarm(orderStub(order.id));
    const made = await refund(order.id, { amount: 100 });
    await runDurableObjectAlarm(orderStub(order.id));
    const { body } = await call<{ data: Array<{ id: string; type: string; data: { refund?: Refund } }> }>(
      `/v1/events?order=${order.id}`,
      { key: merchant.secret_key },
    );
    expect(body.data.map((event) => event.type)).toEqual([
      'refund.succeeded',
      'refund.created',
      'order.paid',
      'order.processing',
      'order.created',
    ]);
    expect(body.data[0]?.data.refund?.id).toBe(made.body.id);
    expect((await call(`/v1/events/${body.data[0]!.id}`, { key: merchant.secret_key })).status).toBe(200);
  });

  it('lets the merchant refund by hand a second payment whose automatic refund the channel declined', async () => {
    const order = await newOrder(merchant.secret_key);
    const qr = (await pay(order, { channel: 'sandbox', method: 'qr' })).body.attempt!;
    await settleTradeSilently(qr.id, 'succeeded');
    await pay(order, card('4242424242424242'));
    vi.spyOn(sandbox, 'refund').mockResolvedValueOnce({ status: 'failed', channelRef: 'sbx_declined' });
    await sandboxNotify(paidNote(order.id, qr.id, `late-${qr.id}`));
    expect((await retrieveOrder(order.id)).refunds).toEqual([
      expect.objectContaining({ attempt_id: qr.id, automatic: true, status: 'failed' }),
    ]);

    const byHand = await refund(order.id, { attempt_id: qr.id, reason: 'duplicate' });
    expect(byHand.body).toMatchObject({ attempt_id: qr.id, amount: 2900, status: 'succeeded', automatic: false });
    expect((await sandboxStub(qr.id).getTrade())?.refunded).toBe(2900);
    // The paid attempt is untouched, and an attempt that took nothing cannot be refunded.
    const after = await retrieveOrder(order.id);
    expect(after.amount_refunded).toBe(0);
    expect((await refund(order.id, { attempt_id: qr.id })).body.error.code).toBe('order_not_refundable');
    const other = await newOrder(merchant.secret_key);
    const declined = (await pay(other, card('4000000000000002'))).body.attempt!;
    expect((await refund(other.id, { attempt_id: declined.id })).body.error.code).toBe('order_not_refundable');
    expect((await refund(other.id, { attempt_id: 'att_00000000000000000000' })).body.error).toMatchObject({
      code: 'invalid_parameter',
      param: 'attempt_id',
    });
  });
});
