/**
 * Disputes: Stripe's `charge.dispute.*` (naming only the PaymentIntent, found through the index of
 * paid attempts) and Adyen's chargeback stages, each verified by the order's object, kept on the
 * order and told to the merchant as `dispute.*` events.
 */
import { runDurableObjectAlarm } from 'cloudflare:test';
import { describe, expect, it } from 'vitest';
import type { Dispute, Order } from '../../shared/schemas.ts';
import { adyenControl, adyenMerchant, deliverAdyenWebhook, payWithAdyen } from './adyen-helpers.ts';
import { call, eventTypes, newOrder, notificationLog, orderStub, retrieve } from './helpers.ts';
import { deliverStripeEvent, fakeControl, intentsOf, payWithStripe, STRIPE, stripeMerchant } from './stripe-helpers.ts';

interface Opened {
  dispute: { id: string };
  event: string;
}

/** The order's `dispute.*` events with the dispute each carries, oldest first. */
async function disputeEvents(secretKey: string, orderId: string) {
  const { body } = await call<{ data: Array<{ event: { type: string; data: { dispute?: Dispute } } }> }>(
    `/v1/orders/${orderId}/events`,
    { key: secretKey },
  );
  return body.data
    .filter(({ event }) => event.type.startsWith('dispute.'))
    .map(({ event }) => ({ type: event.type, status: event.data.dispute?.status }));
}

/**
 * A Stripe merchant's order paid with 4242 and written to the index by its alarm (with the paid
 * attempt's PaymentIntent, which is how a dispute finds the order); answers the intent too.
 */
async function paidWithStripe(amount = 2900) {
  const { merchant, account } = await stripeMerchant();
  const order = await newOrder(merchant.secret_key, { amount });
  const paid = await payWithStripe(order, '4242424242424242');
  expect(paid.body.order.status).toBe('paid');
  await runDurableObjectAlarm(orderStub(order.id));
  const [intent] = await intentsOf(account);
  return { merchant, account, order, attempt: paid.body.attempt!, intentId: intent!.id };
}

describe('Stripe disputes', () => {
  it('finds a chargeback by its PaymentIntent, keeps it on the order, and follows it to won', async () => {
    const { merchant, order, attempt, intentId } = await paidWithStripe(5000);
    const opened = await fakeControl<Opened>(`/_fake/payment_intents/${intentId}/dispute`, {
      reason: 'product_not_received',
      amount: 3000,
    });
    const delivered = await deliverStripeEvent(opened.event);
    expect(delivered.status).toBe(200);
    const disputed = await retrieve(merchant.secret_key, order.id);
    expect(disputed.status).toBe('paid');
    expect(disputed.disputes).toEqual([
      expect.objectContaining({
        object: 'dispute',
        order_id: order.id,
        attempt_id: attempt.id,
        amount: 3000,
        currency: 'USD',
        status: 'needs_response',
        reason: 'product_not_received',
        processor: 'stripe',
        processor_reason: 'product_not_received',
        processor_dispute_id: opened.dispute.id,
        evidence_due_by: expect.any(Number),
      }),
    ]);
    // Stripe resends until answered 2xx: recognised, nothing changes.
    expect((await deliverStripeEvent(opened.event)).status).toBe(200);
    const closed = await fakeControl<Opened>(`/_fake/disputes/${opened.dispute.id}/close`, { status: 'won' });
    expect((await deliverStripeEvent(closed.event)).status).toBe(200);
    expect((await retrieve(merchant.secret_key, order.id)).disputes.map((each) => each.status)).toEqual(['won']);
    expect(await disputeEvents(merchant.secret_key, order.id)).toEqual([
      { type: 'dispute.created', status: 'needs_response' },
      { type: 'dispute.closed', status: 'won' },
    ]);
    const log = await notificationLog(merchant.id, order.id);
    expect(log.filter((note) => note.outcome === 'duplicate')).toHaveLength(1);
  });

  it('keeps the later stage when Stripe delivers a dispute’s events out of order', async () => {
    const { merchant, order, intentId } = await paidWithStripe();
    const opened = await fakeControl<Opened>(`/_fake/payment_intents/${intentId}/dispute`, {});
    const closed = await fakeControl<Opened>(`/_fake/disputes/${opened.dispute.id}/close`, { status: 'lost' });
    expect((await deliverStripeEvent(closed.event)).status).toBe(200);
    expect((await deliverStripeEvent(opened.event)).status).toBe(200);
    expect((await retrieve(merchant.secret_key, order.id)).disputes.map((each) => each.status)).toEqual(['lost']);
    expect(await disputeEvents(merchant.secret_key, order.id)).toEqual([{ type: 'dispute.closed', status: 'lost' }]);
  });

  it('refuses a forged dispute, and takes an inquiry that closes without a chargeback', async () => {
    const { merchant, order, intentId } = await paidWithStripe();
    const opened = await fakeControl<Opened>(`/_fake/payment_intents/${intentId}/dispute`, {
      reason: 'fraudulent',
      status: 'warning_needs_response',
    });
    const forged = await deliverStripeEvent(opened.event, (body) => body.replace('"fraudulent"', '"general"'));
    expect(forged.status).toBe(401);
    expect((await retrieve(merchant.secret_key, order.id)).disputes).toEqual([]);
    await deliverStripeEvent(opened.event);
    const closed = await fakeControl<Opened>(`/_fake/disputes/${opened.dispute.id}/close`, {
      status: 'warning_closed',
    });
    await deliverStripeEvent(closed.event);
    expect(await disputeEvents(merchant.secret_key, order.id)).toEqual([
      { type: 'dispute.created', status: 'inquiry' },
      { type: 'dispute.closed', status: 'inquiry_closed' },
    ]);
  });

  it('acknowledges a dispute of a payment Till never made, changing nothing', async () => {
    const { merchant, account, order } = await paidWithStripe();
    // The account's other business: a payment made at Stripe without Till.
    const form = new URLSearchParams({
      amount: '1500',
      currency: 'usd',
      confirm: 'true',
      'payment_method_types[]': 'card',
      'payment_method_data[type]': 'card',
      'payment_method_data[card][number]': '4242424242424242',
      'payment_method_data[card][exp_month]': '12',
      'payment_method_data[card][exp_year]': '2040',
      'payment_method_data[card][cvc]': '123',
    });
    const made = await fetch(`${STRIPE}/v1/payment_intents`, {
      method: 'POST',
      headers: { authorization: `Bearer ${account.secret_key}`, 'content-type': 'application/x-www-form-urlencoded' },
      body: form,
    });
    const other = (await made.json()) as { id: string; status: string };
    expect(other.status).toBe('succeeded');
    const opened = await fakeControl<Opened>(`/_fake/payment_intents/${other.id}/dispute`, {});
    const delivered = await deliverStripeEvent(opened.event);
    expect(delivered.status).toBe(200);
    expect((await retrieve(merchant.secret_key, order.id)).disputes).toEqual([]);
    expect(await notificationLog(merchant.id, order.id)).toEqual([]);
  });
});

describe('Adyen disputes', () => {
  async function paidWithAdyen(
    amount = 4000,
  ): Promise<{ order: Order; secretKey: string; merchantId: string; psp: string }> {
    const { merchant, account } = await adyenMerchant();
    const order = await newOrder(merchant.secret_key, { amount, currency: 'EUR' });
    expect((await payWithAdyen(order, '4111111145551142')).body.order.status).toBe('paid');
    const { payments } = await adyenControl<{ payments: Array<{ pspReference: string }> }>(
      `/_fake/payments?api_key=${encodeURIComponent(account.api_key)}`,
    );
    return { order, secretKey: merchant.secret_key, merchantId: merchant.id, psp: payments[0]!.pspReference };
  }

  const stage = async (psp: string, eventCode: string, extra: Record<string, unknown> = {}) => {
    const sent = await adyenControl<{ pspReference: string }>(`/_fake/payments/${psp}/dispute`, {
      eventCode,
      ...extra,
    });
    return deliverAdyenWebhook(sent.pspReference, eventCode);
  };

  it('follows one payment’s chargeback from notification to reversal as one dispute', async () => {
    const { order, secretKey, psp } = await paidWithAdyen();
    const notified = await stage(psp, 'NOTIFICATION_OF_CHARGEBACK', { reasonCode: ' 4855' });
    expect([notified.status, notified.body]).toEqual([200, '[accepted]']);
    expect((await retrieve(secretKey, order.id)).disputes).toEqual([
      expect.objectContaining({
        amount: 4000,
        currency: 'EUR',
        status: 'needs_response',
        reason: 'product_not_received',
        processor: 'adyen',
        processor_reason: 'NOTIFICATION_OF_CHARGEBACK 4855',
        processor_dispute_id: psp,
        evidence_due_by: expect.any(Number),
      }),
    ]);
    // The chargeback itself, still defendable: the same dispute, where it was.
    expect((await stage(psp, 'CHARGEBACK', { reasonCode: '4855' })).body).toBe('[accepted]');
    expect((await stage(psp, 'CHARGEBACK_REVERSED')).body).toBe('[accepted]');
    const after = await retrieve(secretKey, order.id);
    expect(after.disputes.map((each) => each.status)).toEqual(['won']);
    expect(await disputeEvents(secretKey, order.id)).toEqual([
      { type: 'dispute.created', status: 'needs_response' },
      { type: 'dispute.closed', status: 'won' },
    ]);
    expect(await eventTypes(secretKey, order.id)).toContain('order.paid');
  });

  it('shows an undefendable chargeback without deciding on it, and refuses one for more than was paid', async () => {
    const { order, secretKey, merchantId, psp } = await paidWithAdyen(2000);
    const tooMuch = await stage(psp, 'CHARGEBACK', { value: 2001 });
    // Signed by Adyen, but it can never apply: acknowledged so Adyen stops, logged as rejected.
    expect(tooMuch.body).toBe('[accepted]');
    const log = await notificationLog(merchantId, order.id);
    expect(log.at(-1)).toMatchObject({ outcome: 'rejected', reason_code: 'amount_mismatch' });
    // `defendable` is not signed: shown in the processor's words, the status is the signed stage's.
    expect((await stage(psp, 'CHARGEBACK', { defendable: false, reasonCode: '10.4' })).body).toBe('[accepted]');
    expect((await retrieve(secretKey, order.id)).disputes).toEqual([
      expect.objectContaining({
        status: 'needs_response',
        reason: 'fraudulent',
        processor_reason: 'CHARGEBACK 10.4 (not defendable)',
        amount: 2000,
      }),
    ]);
    // A later stage ends it; news of an earlier stage arriving late changes nothing.
    await stage(psp, 'SECOND_CHARGEBACK');
    expect((await stage(psp, 'NOTIFICATION_OF_CHARGEBACK')).body).toBe('[accepted]');
    expect((await retrieve(secretKey, order.id)).disputes.map((each) => each.status)).toEqual(['lost']);
    expect(await disputeEvents(secretKey, order.id)).toEqual([
      { type: 'dispute.created', status: 'needs_response' },
      { type: 'dispute.closed', status: 'lost' },
    ]);
  });
});
