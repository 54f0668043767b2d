/**
 * WeChat Pay after the payment: refunds (partial, full, pending until WeChat's refund callback,
 * refused, answer lost and retried), closing trades Till gives up on, reconciliation by query
 * when a callback never arrives, and certificate-mode signatures.
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { ErrorEnvelope } from '../../shared/errors.ts';
import type { Order, Refund } from '../../shared/schemas.ts';
import { resetClock } from '../../worker/base/clock.ts';
import { QUERY_FIRST_AFTER_SECONDS } from '../../worker/orders/reconciliation.ts';
import { REFUND_CALL_RETRY_SECONDS } from '../../worker/orders/refunds.ts';
import { FAKE_WECHAT_CERTIFICATE_MODE, FAKE_WECHAT_PUBLIC_KEY_MODE } from '../fakes/keys.ts';
import { alarmAfter, call, eventTypes, retrieve } from './helpers.ts';
import {
  armFault,
  cnyOrder,
  deliver,
  type FakeCallback,
  fakeControl,
  fakeMerchantId,
  fakeTrade,
  payAtFake,
  startWechat,
  wechatMerchant,
} from './wechatpay-helpers.ts';

const mchid = await fakeMerchantId(11);
const merchant = await wechatMerchant(mchid);

afterEach(() => resetClock());

// Time moves by the order's own schedule, and never past the fake's 300 s timestamp window.

const refund = (orderId: string, body: unknown) =>
  call<Refund & ErrorEnvelope>(`/v1/orders/${orderId}/refunds`, { key: merchant.secret_key, body });

/** An order paid by WeChat Pay (Native), its callback applied. */
async function paidOrder(): Promise<{ order: Order; attemptId: string }> {
  const order = await cnyOrder(merchant.secret_key);
  const attemptId = (await startWechat(order, 'native')).body.attempt!.id;
  expect((await deliver(await payAtFake(attemptId))).status).toBe(204);
  expect((await retrieve(merchant.secret_key, order.id)).status).toBe('paid');
  return { order, attemptId };
}

describe('WeChat Pay refunds', () => {
  it('refunds in part, then the rest, naming the trade’s total each time; never beyond what was paid', async () => {
    const { order, attemptId } = await paidOrder();
    const first = await refund(order.id, { amount: 1000 });
    expect(first.status).toBe(201);
    expect(first.body).toMatchObject({ amount: 1000, currency: 'CNY', status: 'succeeded' });
    const rest = await refund(order.id, {});
    expect(rest.body).toMatchObject({ amount: 1900, status: 'succeeded' });
    const trade = await fakeTrade(attemptId);
    expect(trade).toMatchObject({ state: 'REFUND', refundable: 0 });
    expect(trade.refunds.map((r) => [r.out_refund_no, r.amount.refund, r.status])).toEqual([
      [first.body.id, 1000, 'SUCCESS'],
      [rest.body.id, 1900, 'SUCCESS'],
    ]);
    expect((await retrieve(merchant.secret_key, order.id)).amount_refunded).toBe(2900);
  });

  it('keeps a PROCESSING refund pending until WeChat’s refund callback settles it', async () => {
    const { order, attemptId } = await paidOrder();
    await armFault({ kind: 'refund_processing', match: attemptId });
    const pending = await refund(order.id, { amount: 500 });
    expect(pending.body).toMatchObject({ amount: 500, status: 'pending' });
    const settled = await fakeControl<FakeCallback>(`/_fake/refunds/${pending.body.id}/notify`, { status: 'SUCCESS' });
    expect(settled.status).toBe(200);
    expect(JSON.parse(settled.body.body)).toMatchObject({
      event_type: 'REFUND.SUCCESS',
      resource: { associated_data: 'refund' },
    });
    expect((await deliver(settled.body)).status).toBe(204);
    expect((await deliver(settled.body)).status).toBe(204);
    const after = await retrieve(merchant.secret_key, order.id);
    expect(after.refunds).toEqual([expect.objectContaining({ id: pending.body.id, status: 'succeeded' })]);
    expect(after.amount_refunded).toBe(500);
  });

  it('learns a PROCESSING refund’s end by calling again with its out_refund_no when no callback comes', async () => {
    const { order, attemptId } = await paidOrder();
    await armFault({ kind: 'refund_processing', match: attemptId });
    const pending = await refund(order.id, { amount: 300 });
    expect(pending.body.status).toBe('pending');
    // WeChat finishes the refund; its callback is lost.
    await fakeControl(`/_fake/refunds/${pending.body.id}/notify`, { status: 'SUCCESS' });
    await alarmAfter(order.id, REFUND_CALL_RETRY_SECONDS[0]);
    expect((await retrieve(merchant.secret_key, order.id)).refunds).toEqual([
      expect.objectContaining({ id: pending.body.id, status: 'succeeded' }),
    ]);
    expect((await fakeTrade(attemptId)).refunds).toHaveLength(1);
  });

  it(
    'keeps a refund that turns ABNORMAL pending, its amount held, ' + 'until WeChat’s REFUND.SUCCESS callback',
    async () => {
      const { order, attemptId } = await paidOrder();
      await armFault({ kind: 'refund_processing', match: attemptId });
      const pending = await refund(order.id, { amount: 700 });
      // The payer's bank refuses the money back: not an end, the merchant can still have it paid out.
      const abnormal = await fakeControl<FakeCallback>(`/_fake/refunds/${pending.body.id}/notify`, {
        status: 'ABNORMAL',
      });
      expect(JSON.parse(abnormal.body.body)).toMatchObject({ event_type: 'REFUND.ABNORMAL' });
      expect((await deliver(abnormal.body)).status).toBe(204);
      let after = await retrieve(merchant.secret_key, order.id);
      expect(after.refunds[0]).toMatchObject({ id: pending.body.id, status: 'pending', failure: null });
      // The ABNORMAL refund's amount is not free to refund again.
      expect((await refund(order.id, {})).body).toMatchObject({ amount: 2200, status: 'succeeded' });

      // The merchant resolves it at WeChat; the refund ends SUCCESS.
      const settled = await fakeControl<FakeCallback>(`/_fake/refunds/${pending.body.id}/notify`, {
        status: 'SUCCESS',
      });
      expect(JSON.parse(settled.body.body)).toMatchObject({ event_type: 'REFUND.SUCCESS' });
      expect((await deliver(settled.body)).status).toBe(204);
      after = await retrieve(merchant.secret_key, order.id);
      expect(after.refunds.find((r) => r.id === pending.body.id)).toMatchObject({ status: 'succeeded', failure: null });
      expect(after.amount_refunded).toBe(2900);
      expect((await eventTypes(merchant.secret_key, order.id)).filter((type) => type.startsWith('refund.'))).toEqual([
        'refund.created',
        'refund.created',
        'refund.succeeded',
        'refund.succeeded',
      ]);
    },
  );

  it(
    'keeps a refund WeChat answers ABNORMAL pending when it calls again, ' +
      'and succeeds it once WeChat answers SUCCESS',
    async () => {
      const { order, attemptId } = await paidOrder();
      await armFault({ kind: 'refund_processing', match: attemptId });
      const pending = await refund(order.id, { amount: 400 });
      // Its callbacks are lost: Till learns each state from calling again with the same out_refund_no.
      expect((await fakeControl(`/_fake/refunds/${pending.body.id}/notify`, { status: 'ABNORMAL' })).status).toBe(200);
      await alarmAfter(order.id, REFUND_CALL_RETRY_SECONDS[0]);
      expect((await retrieve(merchant.secret_key, order.id)).refunds[0]).toMatchObject({
        id: pending.body.id,
        status: 'pending',
      });
      expect((await fakeControl(`/_fake/refunds/${pending.body.id}/notify`, { status: 'SUCCESS' })).status).toBe(200);
      await alarmAfter(order.id, REFUND_CALL_RETRY_SECONDS[1]);
      expect((await retrieve(merchant.secret_key, order.id)).refunds[0]).toMatchObject({
        id: pending.body.id,
        status: 'succeeded',
      });
      expect((await fakeTrade(attemptId)).refunds).toEqual([
        expect.objectContaining({ out_refund_no: pending.body.id, status: 'SUCCESS' }),
      ]);
    },
  );

  it('records a refund WeChat closes as failed, with WeChat’s reason, and frees its amount', async () => {
    const { order, attemptId } = await paidOrder();
    await armFault({ kind: 'refund_processing', match: attemptId });
    const pending = await refund(order.id, { amount: 700 });
    const closed = await fakeControl<FakeCallback>(`/_fake/refunds/${pending.body.id}/notify`, { status: 'CLOSED' });
    expect((await deliver(closed.body)).status).toBe(204);
    const shown = await call<Refund>(`/v1/orders/${order.id}/refunds/${pending.body.id}`, { key: merchant.secret_key });
    expect(shown.body).toMatchObject({
      status: 'failed',
      failure: { code: 'refund_declined', message: expect.stringContaining('(CLOSED)') },
    });
    expect((await refund(order.id, {})).body).toMatchObject({ amount: 2900, status: 'succeeded' });
  });

  it('records a refund WeChat refuses (NOT_ENOUGH) as failed with WeChat’s code, having moved no money', async () => {
    const { order, attemptId } = await paidOrder();
    await armFault({ kind: 'refund_refused', match: attemptId, code: 'NOT_ENOUGH' });
    const refused = await refund(order.id, { amount: 800 });
    expect(refused.body).toMatchObject({ amount: 800, status: 'failed' });
    expect((await fakeTrade(attemptId)).refunds).toEqual([]);
    const shown = await call<Refund>(`/v1/orders/${order.id}/refunds/${refused.body.id}`, { key: merchant.secret_key });
    expect(shown.status).toBe(200);
    expect(shown.body.failure).toEqual({
      code: 'refund_declined',
      message: expect.stringMatching(/^WeChat Pay refused the refund \(NOT_ENOUGH\)/),
    });
  });

  it('calls again with the same out_refund_no when an answer is lost, and WeChat refunds once', async () => {
    const { order, attemptId } = await paidOrder();
    await armFault({ kind: 'lose_answer', match: attemptId });
    const lost = await refund(order.id, { amount: 1200 });
    expect(lost.body).toMatchObject({ status: 'pending' });
    // WeChat did refund; Till does not know yet.
    expect((await fakeTrade(attemptId)).refunds).toEqual([
      expect.objectContaining({ out_refund_no: lost.body.id, status: 'SUCCESS' }),
    ]);
    await alarmAfter(order.id, REFUND_CALL_RETRY_SECONDS[0]);
    const after = await retrieve(merchant.secret_key, order.id);
    expect(after.refunds).toEqual([expect.objectContaining({ id: lost.body.id, status: 'succeeded' })]);
    expect((await fakeTrade(attemptId)).refunds).toHaveLength(1);
    expect((await fakeTrade(attemptId)).refundable).toBe(1700);
  });
});

describe('closing and reconciling WeChat Pay trades', () => {
  it('closes the trade at WeChat when the order expires, so the payer can no longer pay it', async () => {
    const order = await cnyOrder(merchant.secret_key, { expires_in: 60 });
    const attemptId = (await startWechat(order, 'native')).body.attempt!.id;
    await alarmAfter(order.id, 60);
    expect((await retrieve(merchant.secret_key, order.id)).status).toBe('expired');
    expect(await fakeTrade(attemptId)).toMatchObject({ state: 'CLOSED', closed: true });
    expect((await fakeControl(`/_fake/trades/${attemptId}/pay`, {})).status).toBe(409);
  });

  it('closes the first trade when the shopper switches from the QR code to H5', async () => {
    const order = await cnyOrder(merchant.secret_key);
    const qr = (await startWechat(order, 'native')).body.attempt!.id;
    const h5 = await startWechat(order, 'h5', {
      headers: { 'cf-connecting-ip': '198.51.100.4', 'user-agent': 'Mozilla/5.0 (Linux; Android 14)' },
    });
    expect(h5.body.attempt).toMatchObject({ method: 'h5', status: 'requires_action' });
    expect((await fakeTrade(qr)).state).toBe('CLOSED');
    expect((await fakeTrade(h5.body.attempt!.id)).scene_info).toMatchObject({ h5_info: { type: 'Android' } });
  });

  it('learns of a payment whose callback never came by querying the trade', async () => {
    const order = await cnyOrder(merchant.secret_key);
    const attemptId = (await startWechat(order, 'native')).body.attempt!.id;
    await armFault({ kind: 'drop_callback', match: attemptId });
    const paid = await fakeControl<{ delivery: { dropped: boolean } }>(`/_fake/trades/${attemptId}/pay?deliver=1`, {});
    expect(paid.body.delivery.dropped).toBe(true);
    await alarmAfter(order.id, QUERY_FIRST_AFTER_SECONDS);
    expect(await retrieve(merchant.secret_key, order.id)).toMatchObject({ status: 'paid', paid_attempt_id: attemptId });
  });

  it(
    'refunds a payment made just as the order expired: ' +
      'WeChat refuses to close a paid trade, the query finds the money',
    async () => {
      const order = await cnyOrder(merchant.secret_key, { expires_in: 60 });
      const attemptId = (await startWechat(order, 'native')).body.attempt!.id;
      await payAtFake(attemptId);
      await alarmAfter(order.id, 60);
      expect((await retrieve(merchant.secret_key, order.id)).status).toBe('expired');
      expect((await fakeTrade(attemptId)).state).toBe('SUCCESS');
      await alarmAfter(order.id, QUERY_FIRST_AFTER_SECONDS);
      const after = await retrieve(merchant.secret_key, order.id);
      expect(after.status).toBe('expired');
      expect(after.refunds).toEqual([
        expect.objectContaining({ amount: 2900, status: 'succeeded', automatic: true, reason: 'order_closed' }),
      ]);
      expect(await fakeTrade(attemptId)).toMatchObject({ state: 'REFUND', refundable: 0 });
    },
  );
});

describe('certificate mode', () => {
  it(
    'verifies answers and callbacks signed with the platform certificate, ' + 'and keeps both keys during a migration',
    async () => {
      const certMchid = await fakeMerchantId(12);
      expect((await fakeControl('/_fake/mode', { signing: 'certificate', mchid: certMchid })).status).toBe(200);
      const certMerchant = await wechatMerchant(certMchid, { platform_keys: [FAKE_WECHAT_CERTIFICATE_MODE] });
      const order = await cnyOrder(certMerchant.secret_key);
      const started = await startWechat(order, 'native');
      expect(started.body.attempt).toMatchObject({ status: 'requires_action' });
      const callback = await payAtFake(started.body.attempt!.id);
      expect(callback.headers['Wechatpay-Serial']).toBe(FAKE_WECHAT_CERTIFICATE_MODE.serial);
      expect((await deliver(callback)).status).toBe(204);
      expect((await retrieve(certMerchant.secret_key, order.id)).status).toBe('paid');

      // A merchant holding only the public key cannot verify certificate-signed answers: the start fails.
      const publicOnly = await wechatMerchant(certMchid, { platform_keys: [FAKE_WECHAT_PUBLIC_KEY_MODE] });
      const refused = await startWechat(await cnyOrder(publicOnly.secret_key), 'native');
      expect(refused.body.attempt).toMatchObject({ status: 'failed', failure: { code: 'channel_error' } });

      // Migrating: both keys configured, callbacks signed by either are accepted.
      const both = await wechatMerchant(certMchid, {
        platform_keys: [FAKE_WECHAT_PUBLIC_KEY_MODE, FAKE_WECHAT_CERTIFICATE_MODE],
      });
      const migrating = await cnyOrder(both.secret_key);
      const attemptId = (await startWechat(migrating, 'native')).body.attempt!.id;
      await fakeControl('/_fake/mode', { signing: 'public_key', mchid: certMchid });
      const signedWithPublicKey = await payAtFake(attemptId);
      expect(signedWithPublicKey.headers['Wechatpay-Serial']).toBe(FAKE_WECHAT_PUBLIC_KEY_MODE.serial);
      expect((await deliver(signedWithPublicKey)).status).toBe(204);
      expect((await retrieve(both.secret_key, migrating.id)).status).toBe('paid');
    },
  );
});
