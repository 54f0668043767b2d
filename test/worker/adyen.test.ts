/**
 * Cards through Adyen, end to end against the Adyen stand-in (itself checked by @adyen/api-library):
 * the payment authorised with the card, refusals in Till's words with Adyen's code kept for the
 * merchant, 3-D Secure 2 decided by Adyen redeeming the return's redirectResult (never by the
 * return itself), manual capture, refunds completed by webhook, and the account-wide webhook.
 */
import { describe, expect, it } from 'vitest';
import type { ErrorEnvelope } from '../../shared/errors.ts';
import type { Order } from '../../shared/schemas.ts';
import {
  adyenMerchant,
  answerChallenge,
  deliverAdyenWebhook,
  FRAME,
  paymentsOf,
  payWithAdyen,
} from './adyen-helpers.ts';
import { call, newOrder, retrieve, summary } from './helpers.ts';

describe('Adyen', () => {
  it('pays with 4111 and 4242: one payment per attempt, referenced by the order and attempt', async () => {
    const { merchant, account } = await adyenMerchant();
    const order = await newOrder(merchant.secret_key, { amount: 4500, currency: 'EUR' });
    const paid = await payWithAdyen(order, '4111 1111 4555 1142');
    expect(paid.status).toBe(201);
    expect(paid.body.order.status).toBe('paid');
    const attempt = paid.body.attempt!;
    expect([attempt.channel, attempt.status, attempt.instrument]).toEqual([
      'adyen',
      'succeeded',
      { brand: 'visa', last4: '1142' },
    ]);
    const [payment, ...others] = await paymentsOf(account);
    expect(others).toEqual([]);
    expect(payment).toMatchObject({
      reference: `${order.id}-${attempt.id}`,
      amount: { value: 4500, currency: 'EUR' },
      status: 'authorised',
      manualCapture: false,
      captured: 4500,
    });
    expect((await retrieve(merchant.secret_key, order.id)).receipt).toBeTruthy();

    const other = await newOrder(merchant.secret_key, { amount: 1200, currency: 'USD' });
    expect((await payWithAdyen(other, '4242 4242 4242 4242')).body.order.status).toBe('paid');
  });

  it('refuses in Till’s words, keeps Adyen’s refusal code for the merchant, and lets the shopper retry', async () => {
    const { merchant } = await adyenMerchant();
    const order = await newOrder(merchant.secret_key);
    const refused = await payWithAdyen(order, '4111111145551142', { name: 'NOT_ENOUGH_BALANCE' });
    expect(refused.body.order.status).toBe('open');
    expect(refused.body.attempt?.failure).toEqual({
      code: 'insufficient_funds',
      message: 'Your card has insufficient funds.',
    });
    expect((await retrieve(merchant.secret_key, order.id)).attempts[0]?.failure?.processor_code).toBe('12');
    // Fraud reaches the shopper as the generic decline.
    const fraud = await payWithAdyen(order, '4111111145551142', { name: 'FRAUD' });
    expect(fraud.body.attempt?.failure).toEqual({ code: 'card_declined', message: 'Your card was declined.' });
    const cvc = await payWithAdyen(order, '5555341244441115', { name: 'CVC_DECLINED' });
    expect(cvc.body.attempt?.failure?.code).toBe('incorrect_cvc');
    const error = await payWithAdyen(order, '5555341244441115', { name: 'ERROR' });
    expect(error.body.attempt?.failure?.code).toBe('processing_error');
    const paid = await payWithAdyen(order, '5555341244441115', { name: 'Jo Shopper' });
    expect(paid.body.order.status).toBe('paid');
  });

  it('takes 3-D Secure 2 through Adyen’s page and decides by Adyen’s answer to the redirectResult', async () => {
    const { merchant } = await adyenMerchant();
    const order = await newOrder(merchant.secret_key);
    const started = await payWithAdyen(order, '4917 6100 0000 0000');
    expect(started.body.order.status).toBe('requires_action');
    const action = started.body.attempt?.next_action as { type: string; url: string };
    expect(action.type).toBe('three_ds');
    const attemptId = started.body.attempt!.id;

    // A forged redirectResult changes nothing: Adyen refuses to redeem it.
    const ownReturn = `/v1/checkout/${order.id}/attempts/${attemptId}/return`;
    const forged = await call(`${ownReturn}?to=${encodeURIComponent(FRAME)}&redirectResult=forged-result`);
    expect([forged.status, forged.headers.get('location')]).toEqual([303, FRAME]);
    expect((await summary(order)).body.order.status).toBe('requires_action');

    // The shopper completes the challenge; Adyen sends them to Till's return route, which asks Adyen.
    const back = new URL(await answerChallenge(action.url, 'complete'));
    expect(back.pathname).toBe(ownReturn);
    expect(back.searchParams.get('redirectResult')).toBeTruthy();
    const returned = await call(back.pathname + back.search);
    expect([returned.status, returned.headers.get('location')]).toEqual([303, FRAME]);
    expect((await summary(order)).body.order.status).toBe('paid');
  });

  it('fails a failed challenge as authentication_required, keeping Adyen’s code 11', async () => {
    const { merchant } = await adyenMerchant();
    const order = await newOrder(merchant.secret_key);
    const started = await payWithAdyen(order, '5454545454545454');
    const action = started.body.attempt!.next_action as { url: string };
    const back = new URL(await answerChallenge(action.url, 'fail'));
    await call(back.pathname + back.search);
    const after = await summary(order);
    expect(after.body.order.status).toBe('open');
    expect(after.body.attempt?.failure?.code).toBe('authentication_required');
    expect((await retrieve(merchant.secret_key, order.id)).attempts[0]?.failure?.processor_code).toBe('11');
  });

  it('authorizes for manual capture, captures, and refunds once Adyen’s REFUND webhook confirms', async () => {
    const { merchant, account } = await adyenMerchant();
    const order = await newOrder(merchant.secret_key, { capture_method: 'manual', amount: 10_000, currency: 'EUR' });
    const authorized = await payWithAdyen(order, '4111111145551142');
    expect(authorized.body.order.status).toBe('authorized');
    const attemptId = authorized.body.attempt!.id;
    expect((await paymentsOf(account))[0]).toMatchObject({
      reference: `${order.id}-${attemptId}-manual`,
      manualCapture: true,
      captured: 0,
    });
    const captured = await call<Order>(`/v1/orders/${order.id}/capture`, { key: merchant.secret_key, method: 'POST' });
    expect([captured.status, captured.body.status]).toEqual([200, 'paid']);
    expect((await paymentsOf(account))[0]?.captured).toBe(10_000);

    const refund = await call<{ id: string; status: string; amount: number }>(`/v1/orders/${order.id}/refunds`, {
      key: merchant.secret_key,
      body: { amount: 2500 },
    });
    expect(refund.body).toMatchObject({ status: 'pending', amount: 2500 });
    const [payment] = await paymentsOf(account);
    expect(payment?.refunded).toBe(2500);
    const adyenRefund = payment!.modifications.find((each) => each.kind === 'REFUND')!;
    expect(adyenRefund.reference).toBe(`${order.id}-${attemptId}-${refund.body.id.replace('re_', 're')}`);
    const delivered = await deliverAdyenWebhook(adyenRefund.pspReference, 'REFUND');
    expect([delivered.status, delivered.body]).toEqual([200, '[accepted]']);
    const after = await retrieve(merchant.secret_key, order.id);
    expect(after.refunds.find((each) => each.id === refund.body.id)?.status).toBe('succeeded');
    expect(after.amount_refunded).toBe(2500);
  });

  it('captures part of an authorization; a REFUND webhook naming only the payment still applies', async () => {
    const { merchant, account } = await adyenMerchant();
    const order = await newOrder(merchant.secret_key, { capture_method: 'manual', amount: 10_000, currency: 'EUR' });
    expect((await payWithAdyen(order, '4111111145551142')).body.order.status).toBe('authorized');
    const captured = await call<Order>(`/v1/orders/${order.id}/capture`, {
      key: merchant.secret_key,
      body: { amount: 7000 },
    });
    expect([captured.status, captured.body.status, captured.body.amount_captured]).toEqual([200, 'paid', 7000]);
    const [payment] = await paymentsOf(account);
    expect(payment?.captured).toBe(7000);
    const capture = payment!.modifications.find((each) => each.kind === 'CAPTURE')!;
    const delivered = await deliverAdyenWebhook(capture.pspReference, 'CAPTURE');
    expect([delivered.status, delivered.body]).toEqual([200, '[accepted]']);
    const notes = await call<{ data: Array<{ outcome: string }> }>(`/v1/orders/${order.id}/notifications`, {
      key: merchant.secret_key,
    });
    expect(notes.body.data.map((note) => note.outcome)).toEqual(['applied']);

    const tooMuch = await call<ErrorEnvelope>(`/v1/orders/${order.id}/refunds`, {
      key: merchant.secret_key,
      body: { amount: 7001 },
    });
    expect(tooMuch.body.error.code).toBe('refund_exceeds_payment');
    const refund = await call<{ id: string; status: string }>(`/v1/orders/${order.id}/refunds`, {
      key: merchant.secret_key,
      body: {},
    });
    expect(refund.body.status).toBe('pending');
    const adyenRefund = (await paymentsOf(account))[0]!.modifications.find((each) => each.kind === 'REFUND')!;
    // Sent carrying the payment's reference rather than the refund's: matched by Adyen's pspReference.
    const confirmed = await deliverAdyenWebhook(adyenRefund.pspReference, 'REFUND', undefined, {
      paymentReference: true,
    });
    expect([confirmed.status, confirmed.body]).toEqual([200, '[accepted]']);
    const after = await retrieve(merchant.secret_key, order.id);
    expect(after.refunds[0]).toMatchObject({ id: refund.body.id, status: 'succeeded', amount: 7000 });
    expect(after).toMatchObject({ amount_captured: 7000, amount_refunded: 7000 });
  });

  it('refuses a part of a payment Adyen cannot move exactly (IDR cents) before asking it', async () => {
    const { merchant } = await adyenMerchant();
    const order = await newOrder(merchant.secret_key, { capture_method: 'manual', amount: 1_000_000, currency: 'IDR' });
    expect((await payWithAdyen(order, '4111111145551142')).body.order.status).toBe('authorized');
    const part = (path: string, amount: number) =>
      call<Order & ErrorEnvelope>(`/v1/orders/${order.id}/${path}`, { key: merchant.secret_key, body: { amount } });
    expect((await part('capture', 500_050)).body.error).toMatchObject({
      code: 'invalid_parameter',
      param: 'amount',
      message: expect.stringContaining('Adyen cannot move'),
    });
    expect((await part('capture', 500_000)).body).toMatchObject({ status: 'paid', amount_captured: 500_000 });
    expect((await part('refunds', 50)).body.error).toMatchObject({ code: 'invalid_parameter', param: 'amount' });
  });

  it('voids an authorization by its pspReference, and takes Adyen’s CANCELLATION webhook as no news', async () => {
    const { merchant, account } = await adyenMerchant();
    const order = await newOrder(merchant.secret_key, { capture_method: 'manual' });
    expect((await payWithAdyen(order, '4111111145551142')).body.order.status).toBe('authorized');
    const voided = await call<Order>(`/v1/orders/${order.id}/void`, { key: merchant.secret_key, method: 'POST' });
    expect([voided.status, voided.body.status]).toEqual([200, 'voided']);
    const [payment] = await paymentsOf(account);
    expect(payment?.cancelled).toBe(true);
    const cancellation = payment!.modifications.find((each) => each.kind === 'CANCELLATION')!;
    expect(cancellation.success).toBe(true);
    const delivered = await deliverAdyenWebhook(cancellation.pspReference, 'CANCELLATION');
    expect([delivered.status, delivered.body]).toEqual([200, '[accepted]']);
    expect((await retrieve(merchant.secret_key, order.id)).status).toBe('voided');
  });

  it('applies Adyen’s HMAC-signed webhooks at the account-wide endpoint, and refuses a tampered one', async () => {
    const { merchant, account } = await adyenMerchant();
    const order = await newOrder(merchant.secret_key);
    const started = await payWithAdyen(order, '4917610000000000');
    // The shopper finishes the challenge but never comes back: the webhook tells Till.
    await answerChallenge((started.body.attempt!.next_action as { url: string }).url, 'complete');
    const [payment] = await paymentsOf(account);
    const tampered = await deliverAdyenWebhook(payment!.pspReference, 'AUTHORISATION', (body) =>
      body.replace('"value":2900', '"value":1'),
    );
    expect(tampered.status).toBe(401);
    expect((await summary(order)).body.order.status).toBe('requires_action');
    const delivered = await deliverAdyenWebhook(payment!.pspReference, 'AUTHORISATION');
    expect([delivered.status, delivered.body]).toEqual([200, '[accepted]']);
    expect((await summary(order)).body.order.status).toBe('paid');
    // Delivered again (Adyen retries until `[accepted]`): recognised, nothing changes.
    expect((await deliverAdyenWebhook(payment!.pspReference, 'AUTHORISATION')).body).toBe('[accepted]');
    // An item about no order of Till's (the account's other business) is accepted and ignored.
    const foreign = await call('/v1/channels/adyen/events', {
      rawBody: JSON.stringify({
        live: 'false',
        notificationItems: [{ NotificationRequestItem: { eventCode: 'REPORT_AVAILABLE', merchantReference: 'x' } }],
      }),
    });
    expect([foreign.status, foreign.body]).toEqual([200, '[accepted]']);
  });
});
