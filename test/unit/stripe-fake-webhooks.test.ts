/**
 * The Stripe fake's webhooks (checked by stripe-node's constructEvent, during secret rotation
 * too), its events and disputes, and each fault kind seen through the official client.
 */
import Stripe from 'stripe';
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { type RunningFake, serve } from '../fakes/serve.ts';
import { CARD, stripeFake } from '../helpers/stripe-fake.ts';

let harness: Awaited<ReturnType<typeof stripeFake>>;
let receiver: RunningFake;
let received: Array<{ body: string; signature: string }> = [];
let receiverAnswers: number[] = [];
let account: { secret_key: string; webhook_secret: string };
let stripe: Stripe;

beforeAll(async () => {
  harness = await stripeFake();
  receiver = await serve(0, async (request) => {
    received.push({ body: await request.text(), signature: request.headers.get('stripe-signature') ?? '' });
    return new Response(null, { status: receiverAnswers.shift() ?? 200 });
  });
});
afterAll(async () => {
  await harness.fake.close();
  await receiver.close();
});
beforeEach(async () => {
  received = [];
  receiverAnswers = [];
  account = await harness.account();
  stripe = harness.client(account.secret_key);
});

const pay = (number = '4242424242424242', extra: Record<string, unknown> = {}) =>
  stripe.paymentIntents.create({
    amount: 1200,
    currency: 'usd',
    confirm: true,
    payment_method_data: CARD(number),
    ...extra,
  });
const listen = (enabled_events?: string[]) =>
  harness.control('/_fake/webhooks', { secret_key: account.secret_key, url: `${receiver.url}/hooks`, enabled_events });
const arrival = (type: string) =>
  vi.waitFor(
    () => {
      const found = received.find((delivery) => (JSON.parse(delivery.body) as { type: string }).type === type);
      if (!found) throw new Error(`no ${type} yet`);
      return found;
    },
    { timeout: 5000, interval: 20 },
  );
const intentCount = async () =>
  (await harness.control<{ data: unknown[] }>(`/_fake/accounts/${account.secret_key}/payment_intents`)).data.length;

describe('webhooks', () => {
  it('delivers each state change signed with the account secret, as constructEvent checks', async () => {
    await listen();
    const intent = await pay();
    const delivery = await arrival('payment_intent.succeeded');
    const event = stripe.webhooks.constructEvent(delivery.body, delivery.signature, account.webhook_secret);
    expect(event.data.object).toMatchObject({ id: intent.id, status: 'succeeded', object: 'payment_intent' });
    expect(event).toMatchObject({ object: 'event', livemode: false, api_version: Stripe.API_VERSION });
    expect((await stripe.events.retrieve(event.id)).type).toBe('payment_intent.succeeded');
    expect(() => stripe.webhooks.constructEvent(delivery.body, delivery.signature, 'whsec_other')).toThrow();
  });

  it('sends only the enabled events to an endpoint made through the API, with its own secret', async () => {
    const endpoint = await stripe.webhookEndpoints.create({
      url: `${receiver.url}/api`,
      enabled_events: ['charge.refunded'],
    });
    expect(endpoint.secret).toMatch(/^whsec_/);
    const intent = await pay();
    await stripe.refunds.create({ payment_intent: intent.id, amount: 200 });
    const delivery = await arrival('charge.refunded');
    const event = stripe.webhooks.constructEvent(delivery.body, delivery.signature, endpoint.secret!);
    expect(event.data.object).toMatchObject({ amount_refunded: 200, refunds: { data: [{ amount: 200 }] } });
    expect(received.map((item) => (JSON.parse(item.body) as { type: string }).type)).toEqual(['charge.refunded']);
  });

  it('reports the other payment_intent events, and disputes through the control API', async () => {
    await listen([
      'payment_intent.payment_failed',
      'payment_intent.requires_action',
      'payment_intent.amount_capturable_updated',
      'payment_intent.canceled',
      'charge.dispute.created',
    ]);
    await expect(pay('4000000000000002')).rejects.toThrow();
    await pay('4000000000003220', { return_url: 'https://shop.example/back' });
    const held = await pay('4242424242424242', { capture_method: 'manual' });
    await stripe.paymentIntents.cancel(held.id);
    const paid = await pay();
    await harness.control(`/_fake/payment_intents/${paid.id}/dispute`, { reason: 'fraudulent' });
    for (const type of [
      'payment_intent.payment_failed',
      'payment_intent.requires_action',
      'payment_intent.amount_capturable_updated',
      'payment_intent.canceled',
    ])
      await arrival(type);
    const dispute = await arrival('charge.dispute.created');
    expect(JSON.parse(dispute.body).data.object).toMatchObject({
      object: 'dispute',
      payment_intent: paid.id,
      amount: 1200,
      status: 'needs_response',
      evidence_details: { due_by: expect.any(Number), has_evidence: false },
    });
  });

  it('closes a dispute won or lost, each stage signed as Stripe signs it', async () => {
    await listen(['charge.dispute.created', 'charge.dispute.funds_withdrawn', 'charge.dispute.closed']);
    const paid = await pay();
    const opened = await harness.control<{ dispute: { id: string } }>(`/_fake/payment_intents/${paid.id}/dispute`, {
      reason: 'product_not_received',
      amount: 500,
    });
    await harness.control(`/_fake/disputes/${opened.dispute.id}/close`, { status: 'won' });
    const closed = await arrival('charge.dispute.closed');
    const event = stripe.webhooks.constructEvent(closed.body, closed.signature, account.webhook_secret);
    expect(event.data.object).toMatchObject({ id: opened.dispute.id, status: 'won', amount: 500 });
    await arrival('charge.dispute.funds_withdrawn');
    // A closed dispute ends once; an inquiry cannot be won.
    const again = await fetch(`${harness.fake.url}/_fake/disputes/${opened.dispute.id}/close`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ status: 'lost' }),
    });
    expect(again.status).toBe(400);
  });

  it('retries a failed delivery', async () => {
    receiverAnswers = [500];
    await listen(['payment_intent.succeeded']);
    await pay();
    await vi.waitFor(() => expect(received).toHaveLength(2), { timeout: 5000, interval: 20 });
    const log = await harness.control<{ data: Array<{ attempts: number[]; state: string }> }>(
      `/_fake/accounts/${account.secret_key}/deliveries`,
    );
    expect(log.data[0]).toMatchObject({ attempts: [500, 200], state: 'delivered' });
  });

  it('signs with both secrets after a roll, until the old one expires', async () => {
    await listen(['payment_intent.succeeded']);
    const rolled = await harness.control<{ secret: string; previous_secret: string }>('/_fake/webhooks/roll', {
      secret_key: account.secret_key,
      expires_in_seconds: 3600,
    });
    expect(rolled.previous_secret).toBe(account.webhook_secret);
    await pay();
    const during = await arrival('payment_intent.succeeded');
    expect(during.signature.match(/v1=/g)).toHaveLength(2);
    for (const secret of [rolled.secret, rolled.previous_secret])
      stripe.webhooks.constructEvent(during.body, during.signature, secret);
    received = [];
    await harness.control('/_fake/clock', { advance_seconds: 3600 });
    await pay();
    const after = await arrival('payment_intent.succeeded');
    stripe.webhooks.constructEvent(after.body, after.signature, rolled.secret);
    expect(() => stripe.webhooks.constructEvent(after.body, after.signature, rolled.previous_secret)).toThrow();
  });
});

describe('faults', () => {
  const fault = (kind: string, extra: Record<string, unknown> = {}) =>
    harness.control('/_fake/faults', { secret_key: account.secret_key, kind, ...extra });

  it('server_error answers 500 without doing anything; the SDK retry with the same key then succeeds', async () => {
    await fault('server_error', { count: 1 });
    await expect(pay()).rejects.toBeInstanceOf(Stripe.errors.StripeAPIError);
    expect(await intentCount()).toBe(0);
    await fault('server_error', { count: 1 });
    const retrying = harness.client(account.secret_key, 2);
    const intent = await retrying.paymentIntents.create({
      amount: 500,
      currency: 'usd',
      confirm: true,
      payment_method_data: CARD('4242424242424242'),
    });
    expect(intent.status).toBe('succeeded');
    expect(await intentCount()).toBe(1);
  });

  it('down answers 500 to every call until reset', async () => {
    await fault('down');
    await expect(pay()).rejects.toMatchObject({ statusCode: 500, type: 'StripeAPIError' });
    await expect(stripe.refunds.retrieve('re_missing')).rejects.toMatchObject({ statusCode: 500 });
    await fault('reset');
    expect((await pay()).status).toBe('succeeded');
  });

  it('slow does the work, then answers late: a timed-out caller finds the intent and replays it by key', async () => {
    await fault('slow', { delay_ms: 1500 });
    const impatient = new Stripe(account.secret_key, {
      host: '127.0.0.1',
      port: Number(new URL(harness.fake.url).port),
      protocol: 'http',
      maxNetworkRetries: 0,
      timeout: 100,
    });
    const params = { amount: 700, currency: 'usd', confirm: true, payment_method_data: CARD('4242424242424242') };
    await expect(impatient.paymentIntents.create(params, { idempotencyKey: 'slow-1' })).rejects.toBeInstanceOf(
      Stripe.errors.StripeConnectionError,
    );
    const list = await harness.control<{ data: Array<{ id: string; status: string }> }>(
      `/_fake/accounts/${account.secret_key}/payment_intents`,
    );
    expect(list.data).toHaveLength(1);
    const replay = await stripe.paymentIntents.create(params, { idempotencyKey: 'slow-1' });
    expect(replay).toMatchObject({ id: list.data[0]!.id, status: 'succeeded' });
  });

  it('drop_webhooks records events but delivers nothing', async () => {
    await listen();
    await fault('drop_webhooks');
    const intent = await pay();
    const report = await harness.control<{ events: Array<{ type: string }> }>(`/_fake/payment_intents/${intent.id}`);
    expect(report.events.map((event) => event.type)).toContain('payment_intent.succeeded');
    const log = await harness.control<{ data: Array<{ state: string }> }>(
      `/_fake/accounts/${account.secret_key}/deliveries`,
    );
    expect(log.data.map((delivery) => delivery.state)).toEqual(['dropped']);
    expect(received).toEqual([]);
  });
});
