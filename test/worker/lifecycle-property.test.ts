/**
 * Random sequences of shopper attempts, channel notifications (duplicated, late, out of order,
 * contradicting each other), merchant actions and alarm runs, thrown at one order each; after
 * every step the order must still hold its invariants.
 */
import { runDurableObjectAlarm, runInDurableObject } from 'cloudflare:test';
import fc from 'fast-check';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { isTerminal } from '../../shared/order-model.ts';
import type { Order, OrderEventEntry } from '../../shared/schemas.ts';
import { advanceClock, now, resetClock } from '../../worker/base/clock.ts';
import type { OrderObject } from '../../worker/orders/order-object.ts';
import {
  call,
  card,
  createMerchant,
  newOrder,
  orderStub,
  pay,
  retrieve,
  sandboxNotify,
  settleTradeSilently,
} from './helpers.ts';
import { createEndpoint, HOOKS, receivers } from './webhook-helpers.ts';

const merchant = await createMerchant();
const AMOUNT = 1000;
// Two endpoints: one takes everything, one only the money events.
const received = receivers(() => 200);
const everything = await createEndpoint(merchant.secret_key, { url: `${HOOKS}/all` });
const MONEY_EVENTS = ['order.paid', 'refund.succeeded', 'refund.failed'] as const;
const money = await createEndpoint(merchant.secret_key, { url: `${HOOKS}/money`, enabled_events: [...MONEY_EVENTS] });
afterAll(() => {
  vi.restoreAllMocks();
  resetClock();
});

type Step =
  | { kind: 'qr' }
  | { kind: 'card'; number: '4242424242424242' | '4000000000000002' | '4000000000003220' }
  | { kind: 'notify'; attempt: number; status: 'succeeded' | 'failed' | 'canceled'; copy: number }
  | { kind: 'merchant'; action: 'cancel' | 'capture' | 'void' }
  | { kind: 'refund'; amount: number }
  | { kind: 'alarm'; warp: 'queries' | 'refunds' | 'expiry' | 'none' };

const step: fc.Arbitrary<Step> = fc.oneof(
  fc.constant<Step>({ kind: 'qr' }),
  fc
    .constantFrom('4242424242424242', '4000000000000002', '4000000000003220')
    .map((number): Step => ({ kind: 'card', number })),
  fc
    .record({ attempt: fc.nat(4), status: fc.constantFrom('succeeded', 'failed', 'canceled'), copy: fc.nat(1) })
    .map((note): Step => ({ kind: 'notify', ...note }) as Step),
  fc.constantFrom('cancel', 'capture', 'void').map((action): Step => ({ kind: 'merchant', action }) as Step),
  fc.integer({ min: 1, max: AMOUNT }).map((amount): Step => ({ kind: 'refund', amount })),
  fc.constantFrom('queries', 'refunds', 'expiry', 'none').map((warp): Step => ({ kind: 'alarm', warp }) as Step),
);

/** How far an alarm step lets time pass: until the next question to a channel, the next refund call, or the expiry. */
const WARPS = {
  queries: 'SELECT MIN(next_query_at) AS at FROM attempts',
  refunds: "SELECT MIN(next_call_at) AS at FROM refunds WHERE status = 'pending'",
  expiry: 'SELECT expires_at AS at FROM orders',
  none: 'SELECT NULL AS at',
} as const;

const retrieveOrder = (id: string) => retrieve(merchant.secret_key, id);

async function run(order: Order, s: Step): Promise<void> {
  const current = await retrieveOrder(order.id);
  switch (s.kind) {
    case 'qr':
      await pay(order, { channel: 'sandbox', method: 'qr' });
      return;
    case 'card':
      await pay(order, card(s.number));
      return;
    case 'notify': {
      const attempt = current.attempts[s.attempt % Math.max(current.attempts.length, 1)];
      if (!attempt) return;
      // A success is the channel's truth first: the money is there to refund.
      if (s.status === 'succeeded') await settleTradeSilently(attempt.id, 'succeeded');
      const note = {
        order_id: order.id,
        attempt_id: attempt.id,
        amount: AMOUNT,
        currency: 'USD' as const,
        status: s.status,
      };
      await sandboxNotify({
        ...note,
        event_id: `${s.status}-${attempt.id}-${s.copy}`,
        failure: s.status === 'failed' ? { code: 'declined', message: 'Declined.' } : null,
      });
      return;
    }
    case 'merchant':
      await call(`/v1/orders/${order.id}/${s.action}`, { key: merchant.secret_key, method: 'POST', rawBody: '' });
      return;
    case 'refund': {
      const answer = await call(`/v1/orders/${order.id}/refunds`, {
        key: merchant.secret_key,
        body: { amount: s.amount },
      });
      if (answer.status !== 201) return;
      // Till itself accepted it only if it fit: the channel is not the one saying no.
      const held = current.refunds.filter((r) => r.attempt_id === current.paid_attempt_id && r.status !== 'failed');
      expect(
        held.reduce((sum, r) => sum + r.amount, 0) + s.amount,
        'an accepted refund fits what is left',
      ).toBeLessThanOrEqual(current.amount);
      return;
    }
    case 'alarm': {
      const at = await runInDurableObject(
        orderStub(order.id),
        (_i: OrderObject, state) => state.storage.sql.exec<{ at: number | null }>(WARPS[s.warp]).one().at,
      );
      if (at !== null && at > now()) advanceClock(at - now());
      await runDurableObjectAlarm(orderStub(order.id));
    }
  }
}

function checkInvariants(order: Order, before: Order | null): void {
  const kept = order.attempts.filter((a) => a.status === 'succeeded' && !a.needs_refund);
  expect(kept.length, 'at most one attempt keeps its money').toBeLessThanOrEqual(1);
  if (order.status === 'paid') {
    expect(kept.map((a) => a.id)).toEqual([order.paid_attempt_id]);
    expect(order.receipt).toEqual(expect.any(String));
  } else {
    expect(order.paid_attempt_id).toBeNull();
  }
  for (const attempt of order.attempts) {
    const refunds = order.refunds.filter((r) => r.attempt_id === attempt.id);
    const held = refunds.filter((r) => r.status !== 'failed').reduce((sum, r) => sum + r.amount, 0);
    expect(held, `refunds of ${attempt.id} stay within what it took`).toBeLessThanOrEqual(attempt.amount);
    expect(refunds.filter((r) => r.automatic).length).toBeLessThanOrEqual(1);
    if (attempt.needs_refund)
      expect(
        refunds.some((r) => r.automatic),
        'money taken twice goes back',
      ).toBe(true);
    if (refunds.length > 0) expect(attempt.status).toBe('succeeded');
  }
  expect(order.amount_refunded).toBeLessThanOrEqual(order.amount);
  if (before && isTerminal(before.status)) expect(order.status, 'a final status is final').toBe(before.status);
  if (before?.paid_attempt_id) expect(order.paid_attempt_id).toBe(before.paid_attempt_id);
}

/** Runs the order's alarm until every event is delivered; the timeline, oldest first. */
async function deliveredTimeline(orderId: string): Promise<OrderEventEntry[]> {
  for (let round = 0; round < 20; round++) {
    const { body } = await call<{ data: OrderEventEntry[] }>(`/v1/orders/${orderId}/events`, {
      key: merchant.secret_key,
    });
    if (body.data.every((event) => event.state === 'delivered')) return body.data;
    await runDurableObjectAlarm(orderStub(orderId));
  }
  throw new Error(`events of ${orderId} not delivered`);
}

describe('order lifecycle under random events', () => {
  it('holds its invariants whatever happens, in whatever order', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom('automatic', 'manual'),
        fc.array(step, { minLength: 1, maxLength: 14 }),
        async (captureMethod, steps) => {
          // Each run is a new order, on the platform's time again.
          resetClock();
          const order = await newOrder(merchant.secret_key, { amount: AMOUNT, capture_method: captureMethod });
          let before: Order | null = null;
          for (const s of steps) {
            await run(order, s);
            const after = await retrieveOrder(order.id);
            checkInvariants(after, before);
            before = after;
          }
          const timeline = await deliveredTimeline(order.id);
          const ids = timeline.map((event) => event.id);
          expect(new Set(ids).size, 'every event has its own stable id').toBe(ids.length);
          expect(timeline.filter((event) => event.type === 'order.paid').length).toBeLessThanOrEqual(1);
          // Each endpoint got exactly its events, each once, in the order they happened.
          const got = (path: string) =>
            received
              .filter((r) => r.url === `${HOOKS}${path}` && r.event.data.object.id === order.id)
              .map((r) => r.event.id);
          expect(got('/all')).toEqual(ids);
          expect(got('/money')).toEqual(
            timeline
              .filter((event) => (MONEY_EVENTS as readonly string[]).includes(event.type))
              .map((event) => event.id),
          );
          for (const event of timeline) {
            const to = event.deliveries.map((delivery) => delivery.endpoint_id);
            expect(to).toEqual(expect.arrayContaining([everything.id]));
            expect(to.includes(money.id)).toBe((MONEY_EVENTS as readonly string[]).includes(event.type));
          }
        },
      ),
      { numRuns: 40 },
    );
  }, 120_000);
});
