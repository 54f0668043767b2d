/**
 * Cards through Stripe, end to end against the Stripe stand-in (itself checked by the `stripe`
 * package): the PaymentIntent created and confirmed with the card, declines in Till's words with
 * Stripe's code kept for the merchant, 3-D Secure decided from the intent Till fetches (never from
 * the return's parameters), manual capture, refunds and account-wide webhooks.
 */
import { describe, expect, it } from 'vitest';
import type { Order } from '../../shared/schemas.ts';
import { call, newOrder, retrieve, summary } from './helpers.ts';
import {
  answerChallenge,
  deliverStripeEvent,
  FRAME,
  intentReport,
  intentsOf,
  payWithStripe,
  stripeMerchant,
} from './stripe-helpers.ts';

describe('Stripe', () => {
  it('pays with 4242: one PaymentIntent, confirmed with the card, tagged with the order and attempt', async () => {
    const { merchant, account } = await stripeMerchant();
    const order = await newOrder(merchant.secret_key, { amount: 4500, currency: 'EUR' });
    const paid = await payWithStripe(order, '4242 4242 4242 4242');
    expect(paid.status).toBe(201);
    expect(paid.body.order.status).toBe('paid');
    const attempt = paid.body.attempt!;
    expect([attempt.channel, attempt.status, attempt.instrument]).toEqual([
      'stripe',
      'succeeded',
      { brand: 'visa', last4: '4242' },
    ]);
    const [intent, ...others] = await intentsOf(account);
    expect(others).toEqual([]);
    expect(intent).toMatchObject({
      status: 'succeeded',
      amount: 4500,
      currency: 'eur',
      capture_method: 'automatic',
      metadata: { till_order: order.id, till_attempt: attempt.id, till_merchant: merchant.id },
    });
    expect((await retrieve(merchant.secret_key, order.id)).receipt).toBeTruthy();
  });

  it('declines in Till’s words, keeps Stripe’s code for the merchant, and lets the shopper try again', async () => {
    const { merchant } = await stripeMerchant();
    const order = await newOrder(merchant.secret_key);
    const declined = await payWithStripe(order, '4000000000009995');
    expect(declined.body.order.status).toBe('open');
    expect(declined.body.attempt?.failure).toEqual({
      code: 'insufficient_funds',
      message: 'Your card has insufficient funds.',
    });
    const forMerchant = await retrieve(merchant.secret_key, order.id);
    expect(forMerchant.attempts[0]?.failure?.processor_code).toBe('card_declined/insufficient_funds');
    // The fraud codes reach the shopper as the generic decline.
    const stolen = await payWithStripe(order, '4000000000009979');
    expect(stolen.body.attempt?.failure).toEqual({ code: 'card_declined', message: 'Your card was declined.' });
    const cvc = await payWithStripe(order, '4000000000000127');
    expect(cvc.body.attempt?.failure?.code).toBe('incorrect_cvc');
    const paid = await payWithStripe(order, '5555555555554444');
    expect(paid.body.order.status).toBe('paid');
  });

  it('takes 3-D Secure through Stripe’s redirect and decides from the PaymentIntent, not the return', async () => {
    const { merchant } = await stripeMerchant();
    const order = await newOrder(merchant.secret_key);
    const started = await payWithStripe(order, '4000002760003184');
    expect(started.body.order.status).toBe('requires_action');
    const action = started.body.attempt?.next_action as { type: string; url: string };
    expect(action.type).toBe('three_ds');
    const attemptId = started.body.attempt!.id;

    // A forged return claiming success changes nothing: Stripe still waits for the shopper.
    const ownReturn = `/v1/checkout/${order.id}/attempts/${attemptId}/return`;
    const forged = await call(`${ownReturn}?to=${encodeURIComponent(FRAME)}&redirect_status=succeeded`);
    expect([forged.status, forged.headers.get('location')]).toEqual([303, FRAME]);
    expect((await summary(order)).body.order.status).toBe('requires_action');

    // The shopper completes the challenge; Stripe sends them to Till's return route, which asks Stripe.
    const back = new URL(await answerChallenge(action.url, 'complete'));
    expect(back.pathname).toBe(ownReturn);
    expect(back.searchParams.get('redirect_status')).toBe('succeeded');
    const returned = await call(back.pathname + back.search);
    expect([returned.status, returned.headers.get('location')]).toEqual([303, FRAME]);
    expect((await summary(order)).body.order.status).toBe('paid');
  });

  it('fails a failed challenge as authentication_required; a stranger’s `to` leads to the checkout', async () => {
    const { merchant } = await stripeMerchant();
    const order = await newOrder(merchant.secret_key);
    const started = await payWithStripe(order, '4000000000003220');
    const action = started.body.attempt?.next_action as { url: string };
    const back = new URL(await answerChallenge(action.url, 'fail'));
    back.searchParams.set('to', 'https://evil.example/steal');
    const returned = await call(back.pathname + back.search);
    expect(returned.headers.get('location')).toBe(`https://till.test/v1/frame?order=${order.id}`);
    const after = await summary(order);
    expect(after.body.order.status).toBe('open');
    expect(after.body.attempt?.failure?.code).toBe('authentication_required');
  });

  it('authorizes with manual capture, captures, and refunds in part and in full', async () => {
    const { merchant, account } = await stripeMerchant();
    const order = await newOrder(merchant.secret_key, { capture_method: 'manual', amount: 10_000 });
    const authorized = await payWithStripe(order, '4242424242424242');
    expect(authorized.body.order.status).toBe('authorized');
    expect((await intentsOf(account))[0]?.status).toBe('requires_capture');
    const captured = await call<Order>(`/v1/orders/${order.id}/capture`, { key: merchant.secret_key, method: 'POST' });
    expect([captured.status, captured.body.status]).toEqual([200, 'paid']);
    expect((await intentsOf(account))[0]).toMatchObject({ status: 'succeeded', amount_received: 10_000 });
    const refund = (amount?: number) =>
      call<{ status: string; amount: number }>(`/v1/orders/${order.id}/refunds`, {
        key: merchant.secret_key,
        body: amount === undefined ? {} : { amount },
      });
    expect((await refund(2500)).body).toMatchObject({ status: 'succeeded', amount: 2500 });
    expect((await refund()).body).toMatchObject({ status: 'succeeded', amount: 7500 });
    expect((await retrieve(merchant.secret_key, order.id)).amount_refunded).toBe(10_000);
    // Stripe holds both refunds, under the keys Till gave them: a retry never refunds twice.
    expect((await intentsOf(account))[0]).toMatchObject({ status: 'succeeded' });
    // Nothing is left to refund: refused before Stripe is asked.
    expect((await refund(1)).status).toBe(409);
  });

  it('captures part of an authorization: Stripe releases the rest, refunds stop at what it took', async () => {
    const { merchant, account } = await stripeMerchant();
    const order = await newOrder(merchant.secret_key, { capture_method: 'manual', amount: 10_000 });
    expect((await payWithStripe(order, '4242424242424242')).body.order.status).toBe('authorized');
    const captured = await call<Order>(`/v1/orders/${order.id}/capture`, {
      key: merchant.secret_key,
      body: { amount: 6000 },
    });
    expect([captured.status, captured.body.status, captured.body.amount_captured]).toEqual([200, 'paid', 6000]);
    expect((await intentsOf(account))[0]).toMatchObject({
      status: 'succeeded',
      amount_received: 6000,
      amount_capturable: 0,
    });
    const refund = (amount?: number) =>
      call<{ status: string; amount: number }>(`/v1/orders/${order.id}/refunds`, {
        key: merchant.secret_key,
        body: amount === undefined ? {} : { amount },
      });
    expect((await refund(6001)).status).toBe(400);
    expect((await refund()).body).toMatchObject({ status: 'succeeded', amount: 6000 });
    expect(await retrieve(merchant.secret_key, order.id)).toMatchObject({
      amount_captured: 6000,
      amount_refunded: 6000,
    });
  });

  it('applies Stripe’s signed webhooks at the account-wide endpoint, and refuses a forged one', async () => {
    const { merchant, account } = await stripeMerchant();
    const order = await newOrder(merchant.secret_key);
    const started = await payWithStripe(order, '4000002760003184');
    const attempt = started.body.attempt!;
    // The shopper finishes the challenge but never comes back: the webhook tells Till.
    await answerChallenge((attempt.next_action as { url: string }).url, 'complete');
    const intent = (await intentsOf(account)).find((each) => each.metadata.till_attempt === attempt.id);
    const report = await intentReport(intent!.id);
    const succeeded = report.events.find((event) => event.type === 'payment_intent.succeeded')!;
    const forged = await deliverStripeEvent(succeeded.id, (body) => body.replace('"succeeded"', '"succeeded" '));
    expect(forged.status).toBe(401);
    expect((await summary(order)).body.order.status).toBe('requires_action');
    const delivered = await deliverStripeEvent(succeeded.id);
    expect(delivered.status).toBe(200);
    expect((await summary(order)).body.order.status).toBe('paid');
    // Delivered again (Stripe retries): recognised, nothing changes.
    expect((await deliverStripeEvent(succeeded.id)).status).toBe(200);
    // An event about no order of Till's is acknowledged and ignored.
    const foreign = await call('/v1/channels/stripe/events', {
      rawBody: JSON.stringify({ id: 'evt_1', type: 'customer.created', data: { object: { id: 'cus_1' } } }),
    });
    expect(foreign.status).toBe(200);
  });
});
