/**
 * Alipay after the start: refunds (partial, full, lost answers, refusals), reconciliation by
 * query when a notification never comes, and closing trades at expiry or when the shopper
 * switches method. Against the fake Alipay gateway (test/fakes/alipay).
 */
import { env, runDurableObjectAlarm } from 'cloudflare:test';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { MerchantWithKeys, Refund } from '../../shared/schemas.ts';
import { resetClock } from '../../worker/base/clock.ts';
import { alipay } from '../../worker/channels/alipay/index.ts';
import { QUERY_FIRST_AFTER_SECONDS, QUERY_GAPS_SECONDS } from '../../worker/orders/reconciliation.ts';
import { REFUND_CALL_RETRY_SECONDS } from '../../worker/orders/refunds.ts';
import {
  alipayMerchant,
  cnyOrder,
  credentialsFor,
  FAKE,
  type FakeTrade,
  fake,
  notify,
  notifyUrlOf,
  paidOrder,
  refund,
  start,
} from './alipay-helpers.ts';
import { alarmAfter, call, eventTypes, ORIGIN, orderStub, retrieve } from './helpers.ts';

let merchant: MerchantWithKeys;
let appId: string;

beforeAll(async () => {
  ({ merchant, appId } = await alipayMerchant());
});

afterEach(() => resetClock());

// Time moves by the order's own schedule, and never past the fake's 15-minute timestamp window.
const FIRST_QUERY = QUERY_FIRST_AFTER_SECONDS;
const SECOND_QUERY = QUERY_GAPS_SECONDS[0];
const REFUND_RETRY = REFUND_CALL_RETRY_SECONDS[0];

describe('Alipay refunds', () => {
  it('refunds in part and then in full; the full refund closes the trade but the payment stays paid', async () => {
    const { order, attemptId } = await paidOrder(merchant);
    const part = await refund(merchant, order.id, { amount: 1000 });
    expect(part.status).toBe(201);
    expect(part.body).toMatchObject({ amount: 1000, status: 'succeeded' });
    const rest = await refund(merchant, order.id, {});
    expect(rest.body).toMatchObject({ amount: 7888, status: 'succeeded' });

    const trade = await fake<FakeTrade>(`trades/${attemptId}`);
    expect(trade.trade_status).toBe('TRADE_CLOSED');
    expect(trade.refunds).toEqual([
      expect.objectContaining({ out_request_no: part.body.id, amount: 1000 }),
      expect.objectContaining({ out_request_no: rest.body.id, amount: 7888 }),
    ]);
    // Alipay's notifications of both refunds; the full refund's says TRADE_CLOSED and must cancel nothing.
    const [, partial, full] = trade.notifications;
    expect(partial!.form).toMatchObject({
      trade_status: 'TRADE_SUCCESS',
      out_biz_no: part.body.id,
      refund_fee: '10.00',
    });
    expect(full!.form).toMatchObject({ trade_status: 'TRADE_CLOSED', out_biz_no: rest.body.id, refund_fee: '88.88' });
    expect((await notify(trade.notify_url!, partial!.body)).body).toBe('success');
    expect((await notify(trade.notify_url!, full!.body)).body).toBe('success');
    expect((await notify(trade.notify_url!, full!.body)).body).toBe('success');

    const after = await retrieve(merchant.secret_key, order.id);
    expect(after).toMatchObject({ status: 'paid', amount_refunded: 8888 });
    expect(after.attempts.find((a) => a.id === attemptId)?.status).toBe('succeeded');
    expect(after.refunds.map((r) => r.status)).toEqual(['succeeded', 'succeeded']);
    expect(await eventTypes(merchant.secret_key, order.id)).toEqual([
      'order.created',
      'order.processing',
      'order.requires_action',
      'order.paid',
      'refund.created',
      'refund.succeeded',
      'refund.created',
      'refund.succeeded',
    ]);
  });

  it('learns from a refund notification a refund whose answer was lost', async () => {
    const { order, attemptId } = await paidOrder(merchant);
    await fake('faults', { next: 'bad_signature', method: 'alipay.trade.refund', out_trade_no: attemptId });
    const pending = await refund(merchant, order.id, { amount: 300 });
    expect(pending.body.status).toBe('pending');
    const trade = await fake<FakeTrade>(`trades/${attemptId}`);
    expect((await notify(trade.notify_url!, trade.notifications.at(-1)!.body)).body).toBe('success');
    expect((await retrieve(merchant.secret_key, order.id)).refunds[0]).toMatchObject({
      id: pending.body.id,
      status: 'succeeded',
    });
  });

  it('learns a refund whose answer was lost from the refund query, refunding once', async () => {
    const { order, attemptId } = await paidOrder(merchant);
    // Alipay refunds, but its answer does not verify: Till cannot know, and keeps the refund pending.
    await fake('faults', { next: 'bad_signature', method: 'alipay.trade.refund', out_trade_no: attemptId });
    const pending = await refund(merchant, order.id, { amount: 500 });
    expect(pending.body).toMatchObject({ status: 'pending' });
    expect((await fake<FakeTrade>(`trades/${attemptId}`)).refunds).toHaveLength(1);
    // The retry, with the same out_request_no, answers fund_change N; the refund query says REFUND_SUCCESS.
    await alarmAfter(order.id, REFUND_RETRY);
    expect((await retrieve(merchant.secret_key, order.id)).refunds[0]).toMatchObject({
      id: pending.body.id,
      status: 'succeeded',
    });
    expect((await fake<FakeTrade>(`trades/${attemptId}`)).refunds).toEqual([
      expect.objectContaining({ out_request_no: pending.body.id, amount: 500 }),
    ]);
  });

  it('keeps a refund pending on a system error, and fails it when Alipay refuses', async () => {
    const { order, attemptId } = await paidOrder(merchant);
    await fake('faults', { next: 'system_error', method: 'alipay.trade.refund', out_trade_no: attemptId });
    const retried = await refund(merchant, order.id, { amount: 100 });
    expect(retried.body.status).toBe('pending');
    expect((await fake<FakeTrade>(`trades/${attemptId}`)).refunds).toHaveLength(0);
    await alarmAfter(order.id, REFUND_RETRY);
    expect((await retrieve(merchant.secret_key, order.id)).refunds[0]?.status).toBe('succeeded');

    await fake('faults', {
      next: 'business_error',
      method: 'alipay.trade.refund',
      out_trade_no: attemptId,
      sub_code: 'ACQ.SELLER_BALANCE_NOT_ENOUGH',
    });
    const refused = await refund(merchant, order.id, { amount: 200 });
    expect(refused.body.status).toBe('failed');
    expect((await fake<FakeTrade>(`trades/${attemptId}`)).refunds).toHaveLength(1);
    // The merchant learns why from the refund itself.
    const shown = await call<Refund>(`/v1/orders/${order.id}/refunds/${refused.body.id}`, { key: merchant.secret_key });
    expect(shown.status).toBe(200);
    expect(shown.body.failure).toEqual({
      code: 'refund_declined',
      message: expect.stringMatching(/^Alipay refused the refund \(ACQ\.SELLER_BALANCE_NOT_ENOUGH\)/),
    });
  });

  it(
    'asks the refund query before taking a refusal as final: ' +
      'a refund whose answer was lost and whose retry is refused succeeded',
    async () => {
      const { order, attemptId } = await paidOrder(merchant);
      // The first call refunds in full (the trade closes), but its answer does not verify.
      await fake('faults', { next: 'bad_signature', method: 'alipay.trade.refund', out_trade_no: attemptId });
      const pending = await refund(merchant, order.id, {});
      expect(pending.body).toMatchObject({ amount: 8888, status: 'pending' });
      expect((await fake<FakeTrade>(`trades/${attemptId}`)).trade_status).toBe('TRADE_CLOSED');
      // The retry meets a refusal; the refund query says REFUND_SUCCESS for this out_request_no.
      await fake('faults', {
        next: 'business_error',
        method: 'alipay.trade.refund',
        out_trade_no: attemptId,
        sub_code: 'ACQ.TRADE_STATUS_ERROR',
      });
      await alarmAfter(order.id, REFUND_RETRY);
      const after = await retrieve(merchant.secret_key, order.id);
      expect(after.refunds[0]).toMatchObject({ id: pending.body.id, status: 'succeeded', failure: null });
      expect(after.amount_refunded).toBe(8888);
      expect((await fake<FakeTrade>(`trades/${attemptId}`)).refunds).toHaveLength(1);
    },
  );
});

describe('Alipay reconciliation', () => {
  it('learns a payment whose notification never came by querying the trade', async () => {
    const order = await cnyOrder(merchant);
    const attempt = (await start(order, 'qr')).body.attempt!;
    await fake(`trades/${attempt.id}/scan`, {});
    // Scanned, not paid: Alipay's trade waits for the buyer, and so does Till (the QR code stays).
    await alarmAfter(order.id, FIRST_QUERY);
    expect(await retrieve(merchant.secret_key, order.id)).toMatchObject({
      status: 'requires_action',
      attempts: [expect.objectContaining({ status: 'requires_action' })],
    });
    await fake('faults', { next: 'drop_notification', out_trade_no: attempt.id });
    expect((await fake<{ dropped: boolean }>(`trades/${attempt.id}/pay?deliver=1`, {})).dropped).toBe(true);
    await alarmAfter(order.id, SECOND_QUERY);
    expect(await retrieve(merchant.secret_key, order.id)).toMatchObject({
      status: 'paid',
      paid_attempt_id: attempt.id,
    });
  });

  // Plumbing gap (reported to the lead): reconciliation takes the first `channel_trade_not_found`
  // as "never opened" and stops asking, but an Alipay QR code has no trade until it is scanned,
  // so one scanned after the first query and paid with its notification lost is never learned.
  // This states the wanted behaviour and is expected to fail until reconciliation keeps asking
  // about a trade not found until the attempt's deadline; then drop `.fails`.
  it('keeps asking about a QR code not yet scanned at the first query', async () => {
    const order = await cnyOrder(merchant);
    const attempt = (await start(order, 'qr')).body.attempt!;
    await alarmAfter(order.id, FIRST_QUERY);
    expect((await retrieve(merchant.secret_key, order.id)).status).toBe('requires_action');
    await fake('faults', { next: 'drop_notification', out_trade_no: attempt.id });
    await fake(`trades/${attempt.id}/pay?deliver=1`, {});
    await alarmAfter(order.id, SECOND_QUERY);
    expect((await retrieve(merchant.secret_key, order.id)).status).toBe('paid');
  });

  it('takes a query answer naming another total as no answer', async () => {
    const order = await cnyOrder(merchant);
    const attempt = (await start(order, 'qr')).body.attempt!;
    await fake(`trades/${attempt.id}/pay`, {});
    const ctx = {
      env,
      origin: ORIGIN,
      mode: 'test' as const,
      credentials: credentialsFor(appId),
      notifyUrl: notifyUrlOf(order.id),
    };
    const trade = { attemptId: attempt.id, channelRef: attempt.id, amount: 8888, currency: 'CNY' as const };
    expect(await alipay.query(ctx, trade)).toEqual({ status: 'succeeded' });
    await expect(alipay.query(ctx, { ...trade, amount: 8887 })).rejects.toMatchObject({
      code: 'channel_error',
      message: expect.stringContaining('total_amount'),
    });
  });

  it('closes the trade at Alipay when the order expires; a QR code never scanned needs no closing', async () => {
    const order = await cnyOrder(merchant, { expires_in: 60 });
    const scanned = (await start(order, 'qr')).body.attempt!;
    await fake(`trades/${scanned.id}/scan`, {});
    await alarmAfter(order.id, 60);
    const after = await retrieve(merchant.secret_key, order.id);
    expect(after.status).toBe('expired');
    expect(after.attempts[0]?.status).toBe('canceled');
    expect((await fake<FakeTrade>(`trades/${scanned.id}`)).trade_status).toBe('TRADE_CLOSED');

    const unscanned = await cnyOrder(merchant, { expires_in: 60 });
    const qr = (await start(unscanned, 'qr')).body.attempt!;
    await alarmAfter(unscanned.id, 60);
    expect((await retrieve(merchant.secret_key, unscanned.id)).status).toBe('expired');
    expect((await fake<FakeTrade>(`trades/${qr.id}`)).exists).toBe(false);
  });

  it('closes the old trade when the shopper switches method, and the closed trade cannot be paid', async () => {
    const order = await cnyOrder(merchant);
    const first = (await start(order, 'qr')).body.attempt!;
    await fake(`trades/${first.id}/scan`, {});
    const second = (await start(order, 'page')).body.attempt!;
    expect(second.status).toBe('requires_action');
    await runDurableObjectAlarm(orderStub(order.id));
    expect((await fake<FakeTrade>(`trades/${first.id}`)).trade_status).toBe('TRADE_CLOSED');
    expect((await fetch(`${FAKE}/_fake/trades/${first.id}/pay`, { method: 'POST' })).status).toBe(409);
  });

  it('learns that a trade it was closing had been paid meanwhile, and takes that payment', async () => {
    const order = await cnyOrder(merchant);
    const first = (await start(order, 'qr')).body.attempt!;
    // The shopper pays the QR code just as the checkout moves on; the notification is lost.
    await fake('faults', { next: 'drop_notification', out_trade_no: first.id });
    await fake(`trades/${first.id}/pay?deliver=1`, {});
    await start(order, 'page');
    // The close meets a paid trade (ACQ.TRADE_STATUS_ERROR, and a query says TRADE_SUCCESS): not
    // closed; the query finds the money.
    await alarmAfter(order.id, FIRST_QUERY);
    expect((await fake<FakeTrade>(`trades/${first.id}`)).trade_status).toBe('TRADE_SUCCESS');
    const after = await retrieve(merchant.secret_key, order.id);
    expect(after.attempts.find((a) => a.id === first.id)).toMatchObject({ status: 'succeeded' });
    expect(after).toMatchObject({ status: 'paid', paid_attempt_id: first.id });
  });
});
