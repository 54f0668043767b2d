/**
 * Till's card router against the Stripe stand-in and the sandbox: the merchant's routing steps
 * (currency, brand, amount), failover when Stripe is down or declines with processing_error, a
 * lost call's authorization canceled before the next processor starts (never two live
 * authorizations), and the circuit that stops sending cards to a processor that keeps failing.
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { CheckoutSummary, Order } from '../../shared/schemas.ts';
import { advanceClock, resetClock } from '../../worker/base/clock.ts';
import { OPEN_FOR_MS, resetCircuits } from '../../worker/channels/card/health.ts';
import { configureAdyen, paymentsOf } from './adyen-helpers.ts';
import { call, newOrder, ORIGIN, retrieve } from './helpers.ts';
import { fakeControl, intentsOf, type StripeAccount, stripeMerchant } from './stripe-helpers.ts';

afterEach(() => {
  resetCircuits();
  resetClock();
});

const routed = (number: string) => ({
  channel: 'card',
  method: 'card',
  card: { number, exp_month: 12, exp_year: 2031, cvc: number.startsWith('37') ? '1234' : '123' },
  return_url: `${ORIGIN}/v1/frame?order=x`,
});

const payRouted = (order: Order, number: string) =>
  call<CheckoutSummary>(`/v1/checkout/${order.id}/attempts`, { key: order.client_token, body: routed(number) });

const triesOf = async (secretKey: string, order: Order) =>
  ((await retrieve(secretKey, order.id)).attempts.at(-1)?.tries ?? []).map((each) => [each.processor, each.result]);

/** A merchant with Stripe, and (by its routing steps) the sandbox to fail over to in test mode. */
async function routedMerchant(steps: unknown[] = [{ processor: 'stripe' }, { processor: 'sandbox' }]) {
  const { merchant, account } = await stripeMerchant();
  const set = await call(`/v1/merchant`, { key: merchant.secret_key, body: { card_routing: { test: steps } } });
  expect(set.status, JSON.stringify(set.body)).toBe(200);
  return { merchant, account };
}

const fault = (account: StripeAccount, kind: string, extra: Record<string, unknown> = {}) =>
  fakeControl('/_fake/faults', { secret_key: account.secret_key, kind, ...extra });

describe('card routing', () => {
  it('sends each card where the merchant’s steps say: by currency, brand and amount', async () => {
    const { merchant } = await routedMerchant([
      { processor: 'stripe', currencies: ['EUR'], brands: ['visa', 'mastercard'] },
      { processor: 'sandbox', max_amount: 100_000 },
    ]);
    const shown = await call<{ card_routing: { test: unknown[]; live: unknown[] } }>('/v1/merchant', {
      key: merchant.secret_key,
    });
    expect(shown.body.card_routing.test).toHaveLength(2);
    expect(shown.body.card_routing.live).toEqual([]);
    const euro = await newOrder(merchant.secret_key, { currency: 'EUR' });
    expect((await payRouted(euro, '4242424242424242')).body.attempt?.channel).toBe('stripe');
    const amex = await newOrder(merchant.secret_key, { currency: 'EUR' });
    expect((await payRouted(amex, '378282246310005')).body.attempt?.channel).toBe('sandbox');
    const dollars = await newOrder(merchant.secret_key, { currency: 'USD' });
    expect((await payRouted(dollars, '4242424242424242')).body.attempt?.channel).toBe('sandbox');
    // No step takes a large dollar order: no processor for this card, and nothing changes.
    const large = await newOrder(merchant.secret_key, { currency: 'USD', amount: 200_000 });
    const refused = await call<{ error: { code: string } }>(`/v1/checkout/${large.id}/attempts`, {
      key: large.client_token,
      body: routed('4242424242424242'),
    });
    expect([refused.status, refused.body.error.code]).toEqual([400, 'channel_not_available']);
    expect((await retrieve(merchant.secret_key, large.id)).attempts).toEqual([]);
  });

  it('refuses routing steps naming no card processor or an impossible amount range', async () => {
    const { merchant } = await stripeMerchant();
    const set = (steps: unknown[]) =>
      call<{ error: { param: string } }>('/v1/merchant', {
        key: merchant.secret_key,
        body: { card_routing: { test: steps } },
      });
    expect((await set([{ processor: 'alipay' }])).body.error.param).toBe('card_routing.test.0.processor');
    expect((await set([{ processor: 'stripe', min_amount: 10, max_amount: 5 }])).body.error.param).toBe(
      'card_routing.test.0.min_amount',
    );
  });

  it('fails over when Stripe is down: one payment, through the next processor', async () => {
    const { merchant, account } = await routedMerchant();
    await fault(account, 'down');
    const order = await newOrder(merchant.secret_key);
    const paid = await payRouted(order, '4242424242424242');
    expect(paid.body.order.status).toBe('paid');
    expect(paid.body.attempt?.channel).toBe('sandbox');
    expect(await triesOf(merchant.secret_key, order)).toEqual([
      ['stripe', 'unavailable'],
      ['sandbox', 'succeeded'],
    ]);
    expect(await intentsOf(account)).toEqual([]);
    expect((await retrieve(merchant.secret_key, order.id)).attempts).toHaveLength(1);
  });

  it('fails over on a processing_error decline, and not on a decline another processor would share', async () => {
    const { merchant } = await routedMerchant();
    const order = await newOrder(merchant.secret_key);
    // The sandbox declines this test card the same way: both tried, the shopper told once.
    const failed = await payRouted(order, '4000000000000119');
    expect(failed.body.attempt?.channel).toBe('sandbox');
    expect(failed.body.attempt?.failure?.code).toBe('processing_error');
    expect(await triesOf(merchant.secret_key, order)).toEqual([
      ['stripe', 'failed'],
      ['sandbox', 'failed'],
    ]);
    const other = await newOrder(merchant.secret_key);
    const declined = await payRouted(other, '4000000000009995');
    expect(declined.body.attempt?.failure?.code).toBe('insufficient_funds');
    expect(await triesOf(merchant.secret_key, other)).toEqual([['stripe', 'failed']]);
  });

  it('cancels the authorization a timed-out Stripe made before the next processor takes the card', async () => {
    const { merchant, account } = await routedMerchant();
    // Stripe authorizes, but answers after Till stopped waiting.
    await fault(account, 'slow', { delay_ms: 4000 });
    const order = await newOrder(merchant.secret_key, { capture_method: 'manual' });
    const authorized = await payRouted(order, '4242424242424242');
    expect(authorized.body.order.status).toBe('authorized');
    expect(authorized.body.attempt?.channel).toBe('sandbox');
    const [intent] = await intentsOf(account);
    expect(intent?.status).toBe('canceled');
    const [first, second] = (await retrieve(merchant.secret_key, order.id)).attempts[0]?.tries ?? [];
    expect([first?.processor, first?.result, first?.left_nothing]).toEqual(['stripe', 'unavailable', true]);
    expect(second?.processor).toBe('sandbox');
  });

  it('takes a timed-out Stripe’s payment as the attempt’s when it already captured, and asks nobody else', async () => {
    const { merchant, account } = await routedMerchant();
    await fault(account, 'slow', { delay_ms: 4000 });
    const order = await newOrder(merchant.secret_key);
    const paid = await payRouted(order, '4242424242424242');
    expect(paid.body.order.status).toBe('paid');
    expect(paid.body.attempt?.channel).toBe('stripe');
    expect((await intentsOf(account)).map((each) => each.status)).toEqual(['succeeded']);
    expect(await triesOf(merchant.secret_key, order)).toEqual([['stripe', 'unavailable']]);
    // The payment is Stripe's, found by its metadata: a refund reaches it.
    const refund = await call<{ status: string }>(`/v1/orders/${order.id}/refunds`, {
      key: merchant.secret_key,
      body: {},
    });
    expect(refund.body.status).toBe('succeeded');
  });

  it('with Stripe failing every call, pays a 4242 through Adyen: one payment, one charge', async () => {
    const { merchant, account } = await stripeMerchant();
    const adyen = await configureAdyen(merchant.secret_key);
    await fault(account, 'down');
    const order = await newOrder(merchant.secret_key);
    const paid = await payRouted(order, '4242424242424242');
    expect([paid.body.order.status, paid.body.attempt?.channel]).toEqual(['paid', 'adyen']);
    expect(await triesOf(merchant.secret_key, order)).toEqual([
      ['stripe', 'unavailable'],
      ['adyen', 'succeeded'],
    ]);
    expect(await intentsOf(account)).toEqual([]);
    expect((await paymentsOf(adyen)).map((payment) => payment.status)).toEqual(['authorised']);
  });

  it('with Stripe answering after the timeout, cancels its authorization and has Adyen take the card', async () => {
    const { merchant, account } = await stripeMerchant();
    const adyen = await configureAdyen(merchant.secret_key);
    await fault(account, 'slow', { delay_ms: 4000 });
    const order = await newOrder(merchant.secret_key, { capture_method: 'manual' });
    const authorized = await payRouted(order, '4242424242424242');
    expect([authorized.body.order.status, authorized.body.attempt?.channel]).toEqual(['authorized', 'adyen']);
    expect((await intentsOf(account)).map((intent) => intent.status)).toEqual(['canceled']);
    expect((await paymentsOf(adyen)).map((payment) => [payment.status, payment.manualCapture])).toEqual([
      ['authorised', true],
    ]);
  });

  it('stops sending cards to Stripe once its circuit opens, and tries it again later', async () => {
    const { merchant, account } = await routedMerchant();
    await fault(account, 'down');
    for (let i = 0; i < 3; i++) await payRouted(await newOrder(merchant.secret_key), '4242424242424242');
    const skipped = await newOrder(merchant.secret_key);
    await payRouted(skipped, '4242424242424242');
    expect(await triesOf(merchant.secret_key, skipped)).toEqual([['sandbox', 'succeeded']]);
    // Back up, and the pause over: one payment tries Stripe again, whose answer closes the circuit.
    await fault(account, 'reset');
    advanceClock(OPEN_FOR_MS / 1000 + 1);
    const trial = await newOrder(merchant.secret_key);
    await payRouted(trial, '4242424242424242');
    expect(await triesOf(merchant.secret_key, trial)).toEqual([['stripe', 'succeeded']]);
  });
});
