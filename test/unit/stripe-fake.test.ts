/**
 * The Stripe fake driven by the official `stripe` client: payments with raw card data (automatic
 * and manual capture), Stripe's decline cards, 3-D Secure through the challenge page, idempotency,
 * refunds, cancel and the 7-day lapse of authorizations. Webhooks and faults: stripe-fake-webhooks.test.ts.
 */
import Stripe from 'stripe';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CARD, stripeFake } from '../helpers/stripe-fake.ts';

let harness: Awaited<ReturnType<typeof stripeFake>>;
let stripe: Stripe;
let secretKey: string;

beforeAll(async () => {
  harness = await stripeFake();
  secretKey = (await harness.account()).secret_key;
  stripe = harness.client(secretKey);
});
afterAll(() => harness.fake.close());

const pay = (number: string, extra: Partial<Stripe.PaymentIntentCreateParams> = {}) =>
  stripe.paymentIntents.create({
    amount: 2500,
    currency: 'usd',
    confirm: true,
    payment_method_data: CARD(number),
    ...extra,
  } as Stripe.PaymentIntentCreateParams);

async function cardError(promise: Promise<unknown>): Promise<Stripe.errors.StripeCardError> {
  const error = await promise.then(
    () => null,
    (caught: unknown) => caught,
  );
  expect(error).toBeInstanceOf(Stripe.errors.StripeCardError);
  return error as Stripe.errors.StripeCardError;
}

describe('payments', () => {
  it('charges 4242 at once and shows the card, never its number', async () => {
    const intent = await pay('4242424242424242', { metadata: { order: 'ord_1' }, description: 'Tote bag' });
    expect(intent).toMatchObject({ status: 'succeeded', amount_received: 2500, livemode: false, currency: 'usd' });
    expect(intent.id).toMatch(/^pi_/);
    expect(intent.payment_method).toMatch(/^pm_/);
    expect(intent.client_secret).toMatch(new RegExp(`^${intent.id}_secret_`));
    const read = await stripe.paymentIntents.retrieve(intent.id, { expand: ['latest_charge'] });
    const charge = read.latest_charge as Stripe.Charge;
    expect(charge.id).toMatch(/^ch_/);
    expect(charge.payment_method_details?.card).toMatchObject({ brand: 'visa', last4: '4242', exp_month: 12 });
    expect(JSON.stringify(read)).not.toContain('4242424242424242');
    expect(read.metadata).toEqual({ order: 'ord_1' });
  });

  it('authorizes with manual capture, then captures part and releases the rest', async () => {
    const held = await pay('5555555555554444', { capture_method: 'manual' });
    expect(held).toMatchObject({ status: 'requires_capture', amount_capturable: 2500, amount_received: 0 });
    await expect(stripe.paymentIntents.capture(held.id, { amount_to_capture: 2600 })).rejects.toThrow(
      /amount_to_capture/,
    );
    const captured = await stripe.paymentIntents.capture(held.id, { amount_to_capture: 1500 });
    expect(captured).toMatchObject({ status: 'succeeded', amount_received: 1500, amount_capturable: 0 });
    const again = stripe.paymentIntents.capture(held.id);
    await expect(again).rejects.toMatchObject({ code: 'payment_intent_unexpected_state' });
    const charge = await stripe.charges.retrieve(captured.latest_charge as string);
    expect(charge).toMatchObject({ captured: true, amount_captured: 1500 });
  });

  it.each([
    ['4000000000000002', 'card_declined', 'generic_decline'],
    ['4000000000009995', 'card_declined', 'insufficient_funds'],
    ['4000000000009987', 'card_declined', 'lost_card'],
    ['4000000000009979', 'card_declined', 'stolen_card'],
    ['4100000000000019', 'card_declined', 'fraudulent'],
    ['4000000000000069', 'expired_card', undefined],
    ['4000000000000127', 'incorrect_cvc', undefined],
    ['4000000000000119', 'processing_error', undefined],
    ['4242424242424241', 'incorrect_number', undefined],
  ])('declines %s with %s / %s and leaves the intent for another card', async (number, code, declineCode) => {
    const error = await cardError(pay(number));
    expect(error.code).toBe(code);
    expect((error.raw as { decline_code?: string }).decline_code).toBe(declineCode);
    expect(error.statusCode).toBe(402);
    const intent = error.payment_intent!;
    expect(intent.status).toBe('requires_payment_method');
    expect(intent.last_payment_error).toMatchObject({ type: 'card_error', code });
    const retried = await stripe.paymentIntents.confirm(intent.id, { payment_method_data: CARD('4242424242424242') });
    expect(retried).toMatchObject({ status: 'succeeded', last_payment_error: null });
  });

  it('refuses an expiry in the past the way Stripe does', async () => {
    const year = new Date().getUTCFullYear();
    const pastYear = await cardError(
      pay('4242424242424242', { payment_method_data: CARD('4242424242424242', { exp_year: year - 1 }) }),
    );
    expect(pastYear).toMatchObject({ code: 'invalid_expiry_year', param: 'exp_year' });
    const month = new Date().getUTCMonth() + 1;
    if (month > 1) {
      const pastMonth = await cardError(
        pay('4242424242424242', {
          payment_method_data: CARD('4242424242424242', { exp_year: year, exp_month: month - 1 }),
        }),
      );
      expect(pastMonth.code).toBe('invalid_expiry_month');
    }
  });

  it('validates parameters with param names and changes nothing', async () => {
    const before = (await harness.control<{ data: unknown[] }>(`/_fake/accounts/${secretKey}/payment_intents`)).data
      .length;
    const missing = stripe.paymentIntents.create({ currency: 'usd' } as Stripe.PaymentIntentCreateParams);
    await expect(missing).rejects.toMatchObject({ type: 'StripeInvalidRequestError', param: 'amount' });
    const unknown = stripe.paymentIntents.create({
      amount: 100,
      currency: 'usd',
      colour: 'red',
    } as Stripe.PaymentIntentCreateParams);
    await expect(unknown).rejects.toMatchObject({ code: 'parameter_unknown', param: 'colour' });
    await expect(pay('4000002760003184')).rejects.toMatchObject({ param: 'return_url' });
    const after = (await harness.control<{ data: unknown[] }>(`/_fake/accounts/${secretKey}/payment_intents`)).data
      .length;
    expect(after).toBe(before);
  });

  it('refuses unknown and live keys with a masked key', async () => {
    const stranger = harness.client('sk_test_unknown0000000000000000000001234');
    await expect(stranger.paymentIntents.list()).rejects.toMatchObject({
      type: 'StripeAuthenticationError',
      message: 'Invalid API Key provided: sk_test_****1234',
    });
    await expect(
      harness.client('sk_live_abcd9876').paymentIntents.create({ amount: 1, currency: 'usd' }),
    ).rejects.toMatchObject({
      statusCode: 401,
    });
  });
});

describe('3-D Secure', () => {
  it.each([
    ['4000002760003184', 'complete', 'succeeded', 'succeeded'],
    ['4000000000003220', 'fail', 'requires_payment_method', 'failed'],
  ])(
    '%s: the challenge page (%s) moves the intent and sends the shopper back',
    async (number, result, status, redirect) => {
      const intent = await pay(number, { return_url: 'https://shop.example/back?cart=7' });
      expect(intent.status).toBe('requires_action');
      const url = intent.next_action?.redirect_to_url?.url ?? '';
      expect(intent.next_action?.redirect_to_url?.return_url).toBe('https://shop.example/back?cart=7');
      const page = await (await fetch(url)).text();
      expect(page).toContain('Complete authentication');
      expect(page).toContain('Fail authentication');
      const answer = await fetch(url, { method: 'POST', body: new URLSearchParams({ result }), redirect: 'manual' });
      expect(answer.status).toBe(303);
      const back = new URL(answer.headers.get('location') ?? '');
      expect(back.origin + back.pathname).toBe('https://shop.example/back');
      expect(Object.fromEntries(back.searchParams)).toEqual({
        cart: '7',
        payment_intent: intent.id,
        payment_intent_client_secret: intent.client_secret,
        redirect_status: redirect,
      });
      const after = await stripe.paymentIntents.retrieve(intent.id);
      expect(after.status).toBe(status);
      if (result === 'fail') expect(after.last_payment_error?.code).toBe('payment_intent_authentication_failure');
      expect((await fetch(url, { method: 'POST', body: new URLSearchParams({ result }) })).status).toBe(409);
    },
  );

  it('authorizes after the challenge when capture is manual', async () => {
    const intent = await pay('4000002760003184', { return_url: 'https://shop.example/back', capture_method: 'manual' });
    await fetch(intent.next_action!.redirect_to_url!.url!, {
      method: 'POST',
      body: new URLSearchParams({ result: 'complete' }),
      redirect: 'manual',
    });
    expect((await stripe.paymentIntents.retrieve(intent.id)).status).toBe('requires_capture');
  });
});

describe('idempotency', () => {
  it('replays the stored answer for the same key and parameters, refuses other parameters', async () => {
    const params = { amount: 900, currency: 'eur', confirm: true, payment_method_data: CARD('4242424242424242') };
    const first = await stripe.paymentIntents.create(params, { idempotencyKey: 'order-42' });
    const replay = await stripe.paymentIntents.create(params, { idempotencyKey: 'order-42' });
    expect(replay.id).toBe(first.id);
    expect(replay.lastResponse.headers['idempotent-replayed']).toBe('true');
    const declined = { ...params, payment_method_data: CARD('4000000000000002') };
    await cardError(stripe.paymentIntents.create(declined, { idempotencyKey: 'order-43' }));
    const replayedDecline = await cardError(stripe.paymentIntents.create(declined, { idempotencyKey: 'order-43' }));
    expect(replayedDecline.headers?.['idempotent-replayed']).toBe('true');
    const other = stripe.paymentIntents.create({ ...params, amount: 901 }, { idempotencyKey: 'order-42' });
    await expect(other).rejects.toBeInstanceOf(Stripe.errors.StripeIdempotencyError);
  });
});

describe('refunds and cancels', () => {
  it('refunds in parts, never more than was captured', async () => {
    const intent = await pay('4242424242424242');
    const part = await stripe.refunds.create({
      payment_intent: intent.id,
      amount: 1000,
      reason: 'requested_by_customer',
    });
    expect(part).toMatchObject({ object: 'refund', amount: 1000, status: 'succeeded', payment_intent: intent.id });
    expect(part.charge).toBe(intent.latest_charge);
    await expect(stripe.refunds.create({ payment_intent: intent.id, amount: 1501 })).rejects.toMatchObject({
      code: 'amount_too_large',
    });
    const rest = await stripe.refunds.create({ payment_intent: intent.id });
    expect(rest.amount).toBe(1500);
    await expect(stripe.refunds.create({ payment_intent: intent.id })).rejects.toMatchObject({
      code: 'charge_already_refunded',
    });
    expect((await stripe.refunds.retrieve(part.id)).amount).toBe(1000);
    const charge = await stripe.charges.retrieve(intent.latest_charge as string);
    expect(charge).toMatchObject({ amount_refunded: 2500, refunded: true });
  });

  it('cancels from the allowed states only', async () => {
    const held = await pay('4242424242424242', { capture_method: 'manual' });
    const canceled = await stripe.paymentIntents.cancel(held.id, { cancellation_reason: 'abandoned' });
    expect(canceled).toMatchObject({ status: 'canceled', cancellation_reason: 'abandoned', amount_capturable: 0 });
    expect(canceled.canceled_at).toBeGreaterThan(0);
    const paid = await pay('4242424242424242');
    await expect(stripe.paymentIntents.cancel(paid.id)).rejects.toMatchObject({
      code: 'payment_intent_unexpected_state',
    });
  });

  it('lets a manual-capture authorization lapse after 7 days on the fake clock', async () => {
    const held = await pay('4242424242424242', { capture_method: 'manual' });
    await harness.control('/_fake/clock', { advance_seconds: 6 * 24 * 3600 });
    expect((await stripe.paymentIntents.retrieve(held.id)).status).toBe('requires_capture');
    await harness.control('/_fake/clock', { advance_seconds: 24 * 3600 });
    const lapsed = await stripe.paymentIntents.retrieve(held.id);
    expect(lapsed).toMatchObject({ status: 'canceled', cancellation_reason: 'automatic' });
    await expect(stripe.paymentIntents.capture(held.id)).rejects.toMatchObject({
      code: 'payment_intent_unexpected_state',
    });
  });
});
