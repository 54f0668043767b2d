/**
 * What an order is, as stored (the order and its timeline), and what must hold of it across a
 * crash: unchanged, kept, consistent, and in the D1 index.
 */
import { expect } from 'vitest';
import type { Attempt, List, Order, OrderEventEntry, OrderListItem, WebhookEvent } from '../../../shared/schemas.ts';
import { listAll, merchantGet, until } from './requests.ts';

/** An event as stored: what it is, not how its webhook deliveries are going (that moves on). */
interface StoredEvent {
  seq: number;
  id: string;
  type: string;
  created_at: number;
  event: WebhookEvent;
}
export interface Seen {
  order: Order;
  events: StoredEvent[];
}

export async function read(id: string): Promise<Seen> {
  const [order, events] = await Promise.all([
    merchantGet<Order>(`/v1/orders/${id}`),
    merchantGet<List<OrderEventEntry>>(`/v1/orders/${id}/events`),
  ]);
  expect(order.status, `GET /v1/orders/${id}: ${JSON.stringify(order.body)}`).toBe(200);
  expect(events.status, `GET /v1/orders/${id}/events: ${JSON.stringify(events.body)}`).toBe(200);
  return {
    order: order.body,
    events: events.body.data.map(({ seq, id: eventId, type, created_at, event }) => ({
      seq,
      id: eventId,
      type,
      created_at,
      event,
    })),
  };
}

export async function readAll(ids: Iterable<string>): Promise<Map<string, Seen>> {
  const list = [...ids];
  const seen = await Promise.all(list.map((id) => read(id)));
  return new Map(list.map((id, i) => [id, seen[i] as Seen]));
}

/** Nothing moved: the order, its attempts, refunds and events are exactly as they were. */
export function expectUnchanged(before: Seen, after: Seen | undefined, label: string): void {
  expect(after, `${label}: order lost`).toBeDefined();
  expect(after?.order, `${label}: order changed`).toEqual(before.order);
  expect(after?.events, `${label}: timeline changed`).toEqual(before.events);
}

const FINAL_ATTEMPT = new Set(['succeeded', 'failed', 'canceled']);

/** What an order is made with and keeps, whatever happens to it. */
const FIXED_FACTS = [
  'id',
  'merchant_id',
  'mode',
  'amount',
  'currency',
  'description',
  'metadata',
  'created_at',
  'expires_at',
  'client_token',
  'capture_method',
  'return_url',
] as const satisfies ReadonlyArray<keyof Order>;

/**
 * The order may have moved on (a request in flight touched it, a channel answered since), but
 * nothing it had is lost or rewritten: same facts, every attempt and refund still there with its
 * id and amount, the old timeline an unchanged prefix of the new one.
 */
export function expectKept(before: Seen, after: Seen | undefined, label: string): void {
  expect(after, `${label}: order lost`).toBeDefined();
  if (!after) return;
  const fixed = (order: Order) => Object.fromEntries(FIXED_FACTS.map((fact) => [fact, order[fact]]));
  expect(fixed(after.order), `${label}: order facts changed`).toEqual(fixed(before.order));
  expect(after.events.slice(0, before.events.length), `${label}: timeline rewritten or shortened`).toEqual(
    before.events,
  );
  if (before.order.status === 'paid') {
    expect(after.order.status, `${label}: a paid order stopped being paid`).toBe('paid');
    expect(after.order.paid_attempt_id).toBe(before.order.paid_attempt_id);
    expect(after.order.paid_at).toBe(before.order.paid_at);
    expect(after.order.receipt).toBe(before.order.receipt);
  }
  for (const attempt of before.order.attempts) {
    const now = after.order.attempts.find((candidate) => candidate.id === attempt.id);
    expect(now, `${label}: attempt ${attempt.id} lost`).toBeDefined();
    const facts = ({ id, channel, method, amount, currency, created_at }: Attempt) => ({
      id,
      channel,
      method,
      amount,
      currency,
      created_at,
    });
    expect(now && facts(now)).toEqual(facts(attempt));
    if (attempt.status === 'succeeded') expect(now?.status, `${label}: attempt ${attempt.id}`).toBe('succeeded');
    else if (FINAL_ATTEMPT.has(attempt.status)) expect(now, `${label}: attempt ${attempt.id}`).toEqual(attempt);
  }
  for (const refund of before.order.refunds) {
    const now = after.order.refunds.find((candidate) => candidate.id === refund.id);
    expect(now, `${label}: refund ${refund.id} lost`).toBeDefined();
    if (refund.status !== 'pending') expect(now, `${label}: refund ${refund.id}`).toEqual(refund);
    else expect({ ...now, status: 'pending', failure: null, updated_at: refund.updated_at }).toEqual(refund);
  }
}

/** What must hold of every order at any time, crash or no crash. */
function expectConsistent(seen: Seen, label: string): void {
  const { order, events } = seen;
  const paying = order.attempts.filter((attempt) => attempt.status === 'succeeded' && !attempt.needs_refund);
  expect(paying.length, `${label}: more than one attempt paid the order`).toBeLessThanOrEqual(1);
  if (order.status === 'paid') {
    expect(
      paying.map((attempt) => attempt.id),
      `${label}: the paid attempt`,
    ).toEqual([order.paid_attempt_id]);
    expect(order.receipt, `${label}: paid without a receipt`).toEqual(expect.any(String));
  } else {
    expect(paying, `${label}: an attempt succeeded but the order is ${order.status}`).toEqual([]);
  }
  const own = order.refunds.filter((refund) => refund.attempt_id === order.paid_attempt_id);
  const reserved = own.filter((refund) => refund.status !== 'failed').reduce((sum, refund) => sum + refund.amount, 0);
  expect(reserved, `${label}: refunds exceed the payment`).toBeLessThanOrEqual(order.amount);
  const succeeded = own
    .filter((refund) => refund.status === 'succeeded')
    .reduce((sum, refund) => sum + refund.amount, 0);
  expect(order.amount_refunded, `${label}: amount_refunded`).toBe(succeeded);

  expect(events[0]?.type, `${label}: the timeline does not start with order.created`).toBe('order.created');
  for (let i = 1; i < events.length; i++) {
    expect(events[i]!.seq, `${label}: timeline out of order`).toBeGreaterThan(events[i - 1]!.seq);
  }
  for (const entry of events) {
    expect(entry.event.id).toBe(entry.id);
    expect(entry.event.type).toBe(entry.type);
    expect(entry.event.data.object.id).toBe(order.id);
  }
  expect(new Set(events.map((entry) => entry.id)).size, `${label}: an event id twice`).toBe(events.length);
  const count = (type: string) => events.filter((entry) => entry.type === type).length;
  expect(count('order.created'), `${label}: order.created`).toBe(1);
  expect(count('order.paid'), `${label}: order.paid`).toBe(order.status === 'paid' ? 1 : 0);
  for (const refund of order.refunds) {
    const created = events.filter(
      (entry) => entry.type === 'refund.created' && entry.event.data.refund?.id === refund.id,
    );
    expect(created.length, `${label}: refund.created of ${refund.id}`).toBe(1);
    if (refund.status === 'succeeded') {
      expect(
        events.filter((entry) => entry.type === 'refund.succeeded' && entry.event.data.refund?.id === refund.id).length,
      ).toBe(1);
    }
  }
}

export function expectAllConsistent(all: Map<string, Seen>): void {
  const eventIds: string[] = [];
  for (const [id, seen] of all) {
    expectConsistent(seen, id);
    eventIds.push(...seen.events.map((entry) => entry.id));
  }
  expect(new Set(eventIds).size, 'an event id on two orders').toBe(eventIds.length);
}

/**
 * The D1 index lists exactly these orders, each in its object's status, and all their events. An
 * order that moved on since `all` was read (a channel's late answer) is read again.
 */
export async function expectIndexed(all: Map<string, Seen>): Promise<void> {
  const fresh = async (id: string) => {
    const seen = await read(id);
    all.set(id, seen);
    return seen;
  };
  const compare = async () => {
    const listed = await listAll<OrderListItem>('/v1/orders');
    const indexed = new Map(listed.map((item) => [item.id, item.status]));
    for (const [id, seen] of all) {
      if (indexed.has(id) && indexed.get(id) !== seen.order.status) await fresh(id);
    }
    return {
      listed,
      actual: listed.map((item) => [item.id, item.status]).sort(),
      expected: [...all].map(([id, seen]) => [id, seen.order.status]).sort(),
    };
  };
  // The index is a projection written by each order's object: let alarms catch up for a moment.
  const orders = await until(
    'the orders index to match the order objects',
    async () => {
      const result = await compare();
      return JSON.stringify(result.actual) === JSON.stringify(result.expected) ? result : undefined;
    },
    10_000,
  ).catch(() => compare());
  expect(orders.actual, 'GET /v1/orders: every order once, in its status').toEqual(orders.expected);

  const timelines = () => [...all.values()].flatMap((seen) => seen.events);
  const indexedEvents = async () => {
    const events = await listAll<WebhookEvent>('/v1/events');
    const known = new Set(timelines().map((entry) => entry.id));
    // An event newer than the timeline read: read that order's timeline again.
    for (const orderId of new Set(
      events.filter((event) => !known.has(event.id)).map((event) => event.data.object.id),
    )) {
      if (all.has(orderId)) await fresh(orderId);
    }
    return events;
  };
  const events = await until(
    'the events index to hold every event of every timeline',
    async () => {
      const listed = await indexedEvents();
      const want = timelines()
        .map((entry) => entry.id)
        .sort();
      return JSON.stringify(listed.map((event) => event.id).sort()) === JSON.stringify(want) ? listed : undefined;
    },
    10_000,
  ).catch(() => indexedEvents());
  // Whatever the index holds is an event of an order's timeline, exactly as the order keeps it, once.
  const byId = new Map(timelines().map((entry) => [entry.id, entry.event]));
  expect(new Set(events.map((event) => event.id)).size, 'an event twice in the index').toBe(events.length);
  for (const event of events) expect(event, `indexed event ${event.id}`).toEqual(byId.get(event.id));
  // And it holds every one of them.
  const indexed = new Set(events.map((event) => event.id));
  const missing = timelines()
    .filter((entry) => !indexed.has(entry.id))
    .map((entry) => `${entry.event.data.object.id} ${entry.type} (${entry.id})`);
  expect(
    missing,
    "events in the orders' timelines (GET /v1/orders/:id/events) but not in GET /v1/events after 10 s",
  ).toEqual([]);
}
