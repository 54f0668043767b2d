/**
 * Crash safety, over real HTTP against `wrangler dev --persist-to`: the whole process group
 * (wrangler and its workerd) is killed with SIGKILL while orders, payments and refunds are in
 * flight, and started again on the same state.
 *
 * - Whatever Till answered before the kill is there afterwards exactly as answered: orders,
 *   attempts, refunds and events with the same ids and contents.
 * - Requests that were in flight, sent again with the same Idempotency-Key, converge to exactly
 *   one order or refund: none lost, none twice.
 * - The D1 index lists every order (in its current status) and every event of every timeline.
 * - A QR attempt left open across the restart can still be paid, and pays its order.
 * - A second SIGKILL keeps all of that.
 *
 * The kill comes the moment in-flight creates reach their order objects, so some requests die
 * between claiming their Idempotency-Key and answering: sent again, those are refused
 * (409 idempotency_key_in_use) until the claim's lease runs out (LEASE_SECONDS, 60 s), and then
 * converge. That wait is most of this test's run time.
 *
 * Runs its own wrangler dev (port 8793 unless TILL_RESTART_PORT) on its own state directory,
 * independent of the shared e2e server; TILL_RESTART_VERBOSE=1 shows wrangler's output.
 */
import { readdirSync, rmSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, describe, expect, it } from 'vitest';
import { type DevServer, startDevServer } from '../../scripts/dev-server.ts';
import type {
  Attempt,
  CheckoutSummary,
  List,
  Order,
  OrderEventEntry,
  OrderListItem,
  Refund,
  WebhookEvent,
} from '../../shared/schemas.ts';

const PORT = Number(process.env.TILL_RESTART_PORT ?? 8793);
const PERSIST_TO = '.wrangler/restart-state';
const MERCHANT_FILE = `${PERSIST_TO}/merchant.json`;
/** Orders made (and settled) before the first kill; more are created in flight. */
const N = 20;
const RUN = `restart-${Date.now().toString(36)}`;

const servers: DevServer[] = [];
let server: DevServer;

async function start(): Promise<DevServer> {
  const at = Date.now();
  // TILL_RESTART_VERBOSE=1 shows wrangler's own output (the worker's errors) in the test's.
  const inheritOutput = Boolean(process.env.TILL_RESTART_VERBOSE);
  const started = await startDevServer({
    port: PORT,
    persistTo: PERSIST_TO,
    merchantFile: MERCHANT_FILE,
    inheritOutput,
  });
  console.log(`wrangler dev up in ${((Date.now() - at) / 1000).toFixed(1)} s`);
  servers.push(started);
  server = started;
  return started;
}

afterAll(async () => {
  // Even after a failure: no wrangler or workerd of this file outlives it.
  for (const started of servers) await started.kill().catch(() => undefined);
}, 30_000);

// ---- HTTP --------------------------------------------------------------------------------

interface Reply<T = unknown> {
  status: number;
  body: T;
  headers: Headers;
}
type ErrorBody = { error?: { code?: string; message?: string } };

interface CallOptions {
  method?: string;
  auth?: string;
  json?: unknown;
  form?: Record<string, string>;
  headers?: Record<string, string>;
}

async function call<T = unknown>(path: string, options: CallOptions = {}): Promise<Reply<T>> {
  for (let tries = 0; ; tries++) {
    const headers: Record<string, string> = { ...options.headers };
    if (options.auth) headers.authorization = `Bearer ${options.auth}`;
    let body: string | undefined;
    if (options.json !== undefined) {
      body = JSON.stringify(options.json);
      headers['content-type'] = 'application/json';
    } else if (options.form) {
      body = new URLSearchParams(options.form).toString();
      headers['content-type'] = 'application/x-www-form-urlencoded';
    }
    const response = await fetch(`${server.url}${path}`, {
      method: options.method ?? (body === undefined ? 'GET' : 'POST'),
      headers,
      body,
      redirect: 'manual',
    });
    const text = await response.text();
    // A 429 changed nothing: wait as told and send the same request again.
    if (response.status === 429 && tries < 2) {
      console.warn(`429 on ${path}: waiting ${response.headers.get('retry-after')} s`);
      await sleep(Number(response.headers.get('retry-after') ?? 10) * 1000);
      continue;
    }
    let parsed: unknown = text;
    try {
      parsed = JSON.parse(text);
    } catch {
      // an HTML page of the sandbox
    }
    return { status: response.status, body: parsed as T, headers: response.headers };
  }
}

const secretKey = () => server.merchant.secret_key;
/**
 * Restricted (read-only) keys for the many reads that check the state: the merchant API allows
 * 100 requests per 10 s per key, and one client reading every order after each restart needs more.
 */
const readKeys: string[] = [];
let nextReadKey = 0;
const readKey = () => readKeys[nextReadKey++ % readKeys.length] ?? secretKey();
const merchantGet = <T>(path: string) => call<T & ErrorBody>(path, { auth: readKey() });
const merchantPost = <T>(path: string, json: unknown, idempotencyKey: string) =>
  call<T & ErrorBody>(path, { auth: secretKey(), json, headers: { 'idempotency-key': idempotencyKey } });

/** Each order's shopper comes from their own address, as real shoppers do (per-IP limits). */
const shopperIp = (n: number) => `198.51.100.${n + 1}`;

const orderBody = (n: number) => ({
  amount: 2000 + n * 100,
  currency: 'USD',
  description: `Restart test order ${n}`,
  metadata: { run: RUN, n: String(n) },
});
const createOrder = (n: number) => merchantPost<Order>('/v1/orders', orderBody(n), `${RUN}-order-${n}`);
const refundBody = (amount: number, tag: string) => ({ amount, reason: 'requested_by_customer', metadata: { tag } });
const refundOrder = (order: Order, amount: number, tag: string) =>
  merchantPost<Refund>(`/v1/orders/${order.id}/refunds`, refundBody(amount, tag), `${RUN}-refund-${order.id}-${tag}`);

const cardAttempt = (number: string) => ({
  channel: 'sandbox',
  method: 'card',
  card: { number, exp_month: 12, exp_year: 2030, cvc: '123' },
});
const qrAttempt = { channel: 'sandbox', method: 'qr' };

function startAttempt(n: number, order: Order, body: unknown, idempotencyKey: string) {
  return call<CheckoutSummary & ErrorBody>(`/v1/checkout/${order.id}/attempts`, {
    auth: order.client_token,
    json: body,
    headers: { 'idempotency-key': idempotencyKey, 'cf-connecting-ip': shopperIp(n) },
  });
}

/** The shopper's answer on the sandbox's wallet (QR) or bank (3-D Secure) page: a plain form POST. */
function answerSandboxPage(n: number, page: 'scan' | 'challenge', attemptId: string) {
  return call<string>(`/sandbox/${page}/${attemptId}`, {
    form: { action: 'succeed' },
    headers: { 'cf-connecting-ip': shopperIp(n) },
  });
}

async function listAll<T extends { id: string }>(path: string): Promise<T[]> {
  const items: T[] = [];
  let after: string | undefined;
  for (;;) {
    const page = await merchantGet<List<T>>(`${path}?limit=100${after ? `&starting_after=${after}` : ''}`);
    expect(page.status, JSON.stringify(page.body)).toBe(200);
    items.push(...page.body.data);
    if (!page.body.has_more) return items;
    after = page.body.data.at(-1)?.id;
  }
}

async function until<T>(what: string, probe: () => Promise<T | undefined | false>, timeoutMs = 15_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined && value !== false) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(200);
  }
}

// ---- what an order is, as stored ----------------------------------------------------------

/** An event as stored: what it is, not how its webhook deliveries are going (that moves on). */
interface StoredEvent {
  seq: number;
  id: string;
  type: string;
  created_at: number;
  event: WebhookEvent;
}
interface Seen {
  order: Order;
  events: StoredEvent[];
}

async function read(id: string): Promise<Seen> {
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

async function readAll(ids: Iterable<string>): Promise<Map<string, Seen>> {
  const list = [...ids];
  const seen = await Promise.all(list.map((id) => read(id)));
  return new Map(list.map((id, i) => [id, seen[i] as Seen]));
}

/** Nothing moved: the order, its attempts, refunds and events are exactly as they were. */
function expectUnchanged(before: Seen, after: Seen | undefined, label: string): void {
  expect(after, `${label}: order lost`).toBeDefined();
  expect(after?.order, `${label}: order changed`).toEqual(before.order);
  expect(after?.events, `${label}: timeline changed`).toEqual(before.events);
}

const FINAL_ATTEMPT = new Set(['succeeded', 'failed', 'canceled']);

/**
 * The order may have moved on (a request in flight touched it, a channel answered since), but
 * nothing it had is lost or rewritten: same facts, every attempt and refund still there with its
 * id and amount, the old timeline an unchanged prefix of the new one.
 */
function expectKept(before: Seen, after: Seen | undefined, label: string): void {
  expect(after, `${label}: order lost`).toBeDefined();
  if (!after) return;
  const fixed = (order: Order) => {
    const {
      id,
      merchant_id,
      mode,
      amount,
      currency,
      description,
      metadata,
      created_at,
      expires_at,
      client_token,
      capture_method,
      return_url,
    } = order;
    return {
      id,
      merchant_id,
      mode,
      amount,
      currency,
      description,
      metadata,
      created_at,
      expires_at,
      client_token,
      capture_method,
      return_url,
    };
  };
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

function expectAllConsistent(all: Map<string, Seen>): void {
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
async function expectIndexed(all: Map<string, Seen>): Promise<void> {
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

// ---- requests in flight --------------------------------------------------------------------

interface Flight {
  label: string;
  kind: 'create' | 'refund' | 'attempt' | 'page';
  /** The order it acts on (index), for creates the order's number. */
  n: number;
  send: () => Promise<Reply<ErrorBody & Record<string, unknown>>>;
  /** Its answer, when one came back before the kill (a 5xx is no answer). */
  answer?: Reply<ErrorBody & Record<string, unknown>>;
  /** Once sent again after the restart and settled: the one object it made. */
  converged?: Order | Refund;
}

/** Order objects in the local state: a new one appears when a create reaches its object. */
function orderObjectsOnDisk(): number {
  try {
    return readdirSync(`${PERSIST_TO}/v3/do/till-OrderObject`).filter(
      (name) => name.endsWith('.sqlite') && name !== 'metadata.sqlite',
    ).length;
  } catch {
    return 0;
  }
}

/**
 * Sends the flights a few milliseconds apart without waiting for answers, and SIGKILLs the server
 * once `midWay()` says requests are being written (or `first` answers came back): some are
 * answered, some mid-way through the worker and the objects, some never arrived.
 */
async function killMidFlight(
  flights: Flight[],
  options: { first: number; midWay?: () => boolean; gapMs?: number },
): Promise<void> {
  const { first, midWay = () => false, gapMs = 12 } = options;
  let answered = 0;
  const t0 = Date.now();
  const timings: string[] = [];
  const inFlight = flights.map(async (flight, i) => {
    await sleep(i * gapMs);
    const sent = Date.now() - t0;
    try {
      const reply = await flight.send();
      if (reply.status < 500) flight.answer = reply;
      answered++;
      timings.push(`${flight.label} ${sent}→${Date.now() - t0}`);
    } catch {
      // the connection died with the server: no answer
      timings.push(`${flight.label} ${sent}→✕`);
    }
  });
  const deadline = Date.now() + 5_000;
  let why = 'timeout';
  for (;;) {
    if (midWay()) why = 'requests mid-way';
    else if (answered >= first) why = `${answered} answered`;
    else if (Date.now() < deadline) {
      await sleep(1);
      continue;
    }
    break;
  }
  const killed = Date.now() - t0;
  await server.kill();
  await Promise.all(inFlight);
  const lost = flights.filter((flight) => !flight.answer).map((flight) => flight.label);
  console.log(
    `SIGKILL at ${killed} ms (${why}), ${lost.length} of ${flights.length} requests unanswered. ` +
      `Sent→answered (ms): ${timings.join('; ')}`,
  );
}

/**
 * Sends each create and refund again with its Idempotency-Key. Those that answer 201 converged:
 * an answered one must get its first answer again. Returns how many are still refused as in use
 * (the idempotency record of a request killed mid-way is held for its lease).
 */
async function converge(flights: Flight[]): Promise<number> {
  let waiting = 0;
  await Promise.all(
    flights
      .filter((flight) => (flight.kind === 'create' || flight.kind === 'refund') && !flight.converged)
      .map(async (flight) => {
        const reply = await flight.send();
        if (reply.status === 409 && reply.body.error?.code === 'idempotency_key_in_use') {
          waiting++;
          return;
        }
        expect(reply.status, `${flight.label} sent again: ${JSON.stringify(reply.body)}`).toBe(201);
        if (flight.answer) {
          expect(
            reply.headers.get('idempotent-replayed'),
            `${flight.label}: answered before the kill, so replayed`,
          ).toBe('true');
          expect(reply.body, `${flight.label}: the replay differs from the answer before the kill`).toEqual(
            flight.answer.body,
          );
        }
        flight.converged = reply.body as unknown as Order | Refund;
        if (!flight.answer) {
          const replayed = reply.headers.get('idempotent-replayed') === 'true';
          console.log(
            `${flight.label}: unanswered before the kill; sent again, ` +
              `${replayed ? 'it had been made before the kill' : 'made now'}`,
          );
        }
      }),
  );
  return waiting;
}

// ---- the scenario ----------------------------------------------------------------------------

const orders: Order[] = [];
/**
 * Orders by number: 0–7 paid by card (0–3 refunded in part, 4–7 refunded in flight), 8–10 QR open,
 * 11–12 3-D Secure open, 13–15 paid in flight, 16–18 open, 19 canceled.
 */
const PAID = [0, 1, 2, 3, 4, 5, 6, 7];
const REFUNDED = [0, 1, 2, 3];
const REFUNDED_IN_FLIGHT = [4, 5, 6, 7];
const QR = [8, 9, 10];
const THREE_DS = [11, 12];
const PAID_IN_FLIGHT = [13, 14, 15];
const CANCELED = 19;
const CREATED_IN_FLIGHT = [20, 21, 22, 23, 24, 25];

let before: Map<string, Seen>;
let flights: Flight[] = [];
let killedAt = 0;
const qrAttemptOf = new Map<number, string>();
const challengeOf = new Map<number, string>();

describe('SIGKILL of wrangler dev mid-checkout, then a restart on the same state', () => {
  it('takes orders, payments and refunds, and is killed with requests in flight', async () => {
    rmSync(PERSIST_TO, { recursive: true, force: true });
    await start();
    for (let i = 0; i < 4; i++) {
      const key = await merchantPost<{ secret: string }>('/v1/keys', { kind: 'restricted' }, `${RUN}-read-key-${i}`);
      expect(key.status, JSON.stringify(key.body)).toBe(201);
      readKeys.push(key.body.secret);
    }

    const created = await Promise.all(Array.from({ length: N }, (_, n) => createOrder(n)));
    for (const [n, reply] of created.entries()) {
      expect(reply.status, JSON.stringify(reply.body)).toBe(201);
      orders[n] = reply.body;
    }
    // The keys work before any crash: the same key and body answer the same order.
    const again = await createOrder(0);
    expect(again.headers.get('idempotent-replayed')).toBe('true');
    expect(again.body.id).toBe(orders[0]!.id);

    await Promise.all([
      ...PAID.map(async (n) => {
        const paid = await startAttempt(n, orders[n]!, cardAttempt('4242424242424242'), `${RUN}-pay-${n}`);
        expect(paid.status, JSON.stringify(paid.body)).toBe(201);
        expect(paid.body.order.status).toBe('paid');
      }),
      ...QR.map(async (n) => {
        const started = await startAttempt(n, orders[n]!, qrAttempt, `${RUN}-qr-${n}`);
        expect(started.status, JSON.stringify(started.body)).toBe(201);
        expect(started.body.attempt?.status).toBe('requires_action');
        expect(started.body.attempt?.next_action?.type).toBe('qr');
        qrAttemptOf.set(n, started.body.attempt!.id);
      }),
      ...THREE_DS.map(async (n) => {
        const started = await startAttempt(n, orders[n]!, cardAttempt('4000000000003220'), `${RUN}-3ds-${n}`);
        expect(started.status, JSON.stringify(started.body)).toBe(201);
        expect(started.body.attempt?.status).toBe('requires_action');
        expect(started.body.attempt?.next_action?.type).toBe('three_ds');
        challengeOf.set(n, started.body.attempt!.id);
      }),
      (async () => {
        const canceled = await call<Order>(`/v1/orders/${orders[CANCELED]!.id}/cancel`, {
          method: 'POST',
          auth: secretKey(),
          headers: { 'idempotency-key': `${RUN}-cancel` },
        });
        expect(canceled.status, JSON.stringify(canceled.body)).toBe(200);
        expect(canceled.body.status).toBe('canceled');
      })(),
    ]);
    await Promise.all(
      REFUNDED.map(async (n) => {
        const refund = await refundOrder(orders[n]!, 700, 'first');
        expect(refund.status, JSON.stringify(refund.body)).toBe(201);
        expect(refund.body.amount).toBe(700);
        expect(refund.body.order_id).toBe(orders[n]!.id);
      }),
    );

    // Everything above was answered: this is what must survive.
    before = await readAll(orders.map((order) => order.id));
    expectAllConsistent(before);
    for (const n of PAID) expect(before.get(orders[n]!.id)?.order.status).toBe('paid');
    for (const n of REFUNDED)
      expect(before.get(orders[n]!.id)?.order.refunds.map((refund) => refund.amount)).toEqual([700]);

    flights = [
      ...CREATED_IN_FLIGHT.map(
        (n): Flight => ({ label: `create #${n}`, kind: 'create', n, send: () => createOrder(n) }),
      ),
      ...REFUNDED_IN_FLIGHT.map(
        (n): Flight => ({
          label: `refund of #${n}`,
          kind: 'refund',
          n,
          send: () => refundOrder(orders[n]!, 900, 'in-flight'),
        }),
      ),
      ...PAID_IN_FLIGHT.map(
        (n): Flight => ({
          label: `card payment of #${n}`,
          kind: 'attempt',
          n,
          send: () => startAttempt(n, orders[n]!, cardAttempt('4242424242424242'), `${RUN}-pay-${n}`),
        }),
      ),
      {
        label: 'QR of #10 paid in the wallet',
        kind: 'page',
        n: 10,
        send: () => answerSandboxPage(10, 'scan', qrAttemptOf.get(10)!) as never,
      },
    ];
    // Interleaved, so creates, refunds and payments are all mid-way when the kill comes.
    flights.sort((a, b) => (a.n % 4) - (b.n % 4));
    // Killed the moment in-flight creates reach their order objects: mid-write, before they answer.
    const orderObjects = orderObjectsOnDisk();
    await killMidFlight(flights, { first: 4, midWay: () => orderObjectsOnDisk() >= orderObjects + 2 });
    killedAt = Date.now();
  }, 60_000);

  let afterFirst: Map<string, Seen>;

  it('after the restart, keeps all it answered and converges what was in flight', async () => {
    const merchantId = server.merchant.merchant_id;
    await start();
    expect(server.merchant.merchant_id, 'the merchant survives').toBe(merchantId);

    // Everything answered before the kill is there exactly as answered.
    const touched = new Set([...REFUNDED_IN_FLIGHT, ...PAID_IN_FLIGHT, 10].map((n) => orders[n]!.id));
    const now = await readAll(before.keys());
    for (const [id, seen] of before) {
      if (touched.has(id)) expectKept(seen, now.get(id), id);
      else expectUnchanged(seen, now.get(id), id);
    }

    // What was answered in flight is there as answered.
    for (const flight of flights.filter((candidate) => candidate.answer)) {
      const { answer } = flight;
      if (flight.kind === 'create') {
        expect(answer!.status, `${flight.label}: ${JSON.stringify(answer!.body)}`).toBe(201);
        const order = answer!.body as unknown as Order;
        expect((await read(order.id)).order, flight.label).toEqual(order);
      } else if (flight.kind === 'refund') {
        expect(answer!.status, `${flight.label}: ${JSON.stringify(answer!.body)}`).toBe(201);
        const refund = answer!.body as unknown as Refund;
        const kept = now.get(refund.order_id)?.order.refunds.find((candidate) => candidate.id === refund.id);
        expect(kept, `${flight.label}: refund ${refund.id} answered, then lost`).toBeDefined();
        if (refund.status === 'pending')
          expect({ ...kept, status: 'pending', updated_at: refund.updated_at, failure: null }).toEqual(refund);
        else expect(kept).toEqual(refund);
      } else if (flight.kind === 'attempt') {
        expect(answer!.status, `${flight.label}: ${JSON.stringify(answer!.body)}`).toBe(201);
        const summary = answer!.body as unknown as CheckoutSummary;
        const order = now.get(orders[flight.n]!.id)!.order;
        expect(
          order.attempts.map((attempt) => attempt.id),
          `${flight.label}: attempt answered, then lost`,
        ).toContain(summary.attempt?.id);
        if (summary.order.status === 'paid') {
          expect(order.status).toBe('paid');
          expect(order.paid_attempt_id).toBe(summary.attempt?.id);
        }
      } else {
        expect(answer!.status, `${flight.label}: ${String(answer!.body).slice(0, 200)}`).toBe(200);
      }
    }

    // Sent again with the same keys, in-flight creates and refunds converge (or wait out a lease).
    const waiting = await converge(flights);
    console.log(`after the first restart: ${waiting} in-flight request(s) refused as still in use`);
    // A payment in flight, sent again: its first answer, or a refusal that changes nothing.
    for (const flight of flights.filter((candidate) => candidate.kind === 'attempt')) {
      const reply = await flight.send();
      const outcome =
        reply.status === 201
          ? `201 ${(reply.body as unknown as CheckoutSummary).order.status}`
          : `${reply.status} ${reply.body.error?.code}`;
      console.log(`${flight.label} sent again: ${outcome}`);
      if (reply.status !== 201) {
        expect(
          ['idempotency_key_in_use', 'attempt_in_progress', 'order_not_payable'],
          `${flight.label}: ${JSON.stringify(reply.body)}`,
        ).toContain(reply.body.error?.code);
      } else if (flight.answer) {
        expect(reply.body).toEqual(flight.answer.body);
      }
    }

    // The wallet page's answer, given before the kill or now, pays order #10.
    if (!flights.find((flight) => flight.kind === 'page')?.answer) {
      expect((await answerSandboxPage(10, 'scan', qrAttemptOf.get(10)!)).status).toBe(200);
    }
    // A QR attempt opened before the crash and still open is paid after it.
    expect((await answerSandboxPage(8, 'scan', qrAttemptOf.get(8)!)).status).toBe(200);
    for (const n of [8, 10]) {
      const paid = await until(`order #${n} paid by its QR attempt`, async () => {
        const seen = await read(orders[n]!.id);
        return seen.order.status === 'paid' ? seen : undefined;
      });
      expect(paid.order.paid_attempt_id).toBe(qrAttemptOf.get(n));
    }

    afterFirst = await readAll(knownOrderIds());
    expectAllConsistent(afterFirst);
    for (const [id, seen] of before) expectKept(seen, afterFirst.get(id), id);
    await expectIndexedSoFar(afterFirst);
  }, 60_000);

  it('a second SIGKILL keeps it all; ' +
    'open QR and 3-D Secure attempts are still paid; every request converges', async () => {
    // Killed again, while the shoppers answer the wallet and the bank.
    const pages: Flight[] = [
      {
        label: 'QR of #9 paid in the wallet',
        kind: 'page',
        n: 9,
        send: () => answerSandboxPage(9, 'scan', qrAttemptOf.get(9)!) as never,
      },
      {
        label: '3-D Secure of #11 completed',
        kind: 'page',
        n: 11,
        send: () => answerSandboxPage(11, 'challenge', challengeOf.get(11)!) as never,
      },
    ];
    if (!afterFirst) throw new Error('the first restart did not pass its checks: see the test before');
    await killMidFlight(pages, { first: 1 });
    await start();

    const now = await readAll(afterFirst.keys());
    // Orders no request was in flight for are exactly as they were; the others kept what they had.
    const settling = new Set([9, 11, ...PAID_IN_FLIGHT, ...REFUNDED_IN_FLIGHT].map((n) => orders[n]!.id));
    for (const flight of flights.filter((candidate) => candidate.kind === 'create')) {
      const order = (flight.converged ?? flight.answer?.body) as Order | undefined;
      if (order?.id) settling.add(order.id);
    }
    for (const [id, seen] of afterFirst) {
      if (settling.has(id)) expectKept(seen, now.get(id), id);
      else expectUnchanged(seen, now.get(id), id);
    }

    for (const page of pages) {
      if (!page.answer) {
        const attempt = page.n === 9 ? qrAttemptOf.get(9)! : challengeOf.get(11)!;
        const reply = await answerSandboxPage(page.n, page.n === 9 ? 'scan' : 'challenge', attempt);
        expect([200, 303], `${page.label} sent again`).toContain(reply.status);
      }
      const paid = await until(`order #${page.n} paid after the second restart`, async () => {
        const seen = await read(orders[page.n]!.id);
        return seen.order.status === 'paid' ? seen : undefined;
      });
      expect(paid.order.paid_attempt_id).toBe(page.n === 9 ? qrAttemptOf.get(9) : challengeOf.get(11));
    }

    // In-flight creates and refunds killed mid-way are refused as in use for the idempotency
    // lease (60 s from when they began); sent again until then, each converges to one object.
    let waiting = await converge(flights);
    while (waiting > 0) {
      expect(Date.now() - killedAt, `${waiting} in-flight request(s) still refused as in use`).toBeLessThan(75_000);
      await sleep(1000);
      waiting = await converge(flights);
    }
    console.log(
      'all in-flight creates and refunds converged ' +
        `${((Date.now() - killedAt) / 1000).toFixed(1)} s after the first kill`,
    );

    const all = await readAll(knownOrderIds());
    expectAllConsistent(all);
    for (const [id, seen] of afterFirst) expectKept(seen, all.get(id), id);

    // Exactly one order per create key, one refund per refund key.
    const createdInFlight = flights
      .filter((flight) => flight.kind === 'create')
      .map((flight) => (flight.converged as Order).id);
    expect(new Set(createdInFlight).size).toBe(CREATED_IN_FLIGHT.length);
    for (const flight of flights.filter((candidate) => candidate.kind === 'create')) {
      const order = all.get((flight.converged as Order).id)!.order;
      expect(order.metadata, flight.label).toEqual(orderBody(flight.n).metadata);
      expect(order.amount).toBe(orderBody(flight.n).amount);
    }
    for (const n of REFUNDED_IN_FLIGHT) {
      const refunds = all.get(orders[n]!.id)!.order.refunds;
      const flight = flights.find((candidate) => candidate.kind === 'refund' && candidate.n === n)!;
      expect(
        refunds.filter((refund) => refund.metadata.tag === 'in-flight').map((refund) => refund.id),
        `refunds of #${n}`,
      ).toEqual([(flight.converged as Refund).id]);
      expect(refunds).toHaveLength(1);
      expect(refunds[0]?.amount).toBe(900);
    }
    for (const n of REFUNDED)
      expect(all.get(orders[n]!.id)!.order.refunds.map((refund) => refund.amount)).toEqual([700]);

    await expectIndexed(all);
  }, 90_000);
});

/** The orders known so far: the first N and those created in flight that converged or were answered. */
function knownOrderIds(): string[] {
  const ids = new Set(orders.map((order) => order.id));
  for (const flight of flights.filter((candidate) => candidate.kind === 'create')) {
    const order = (flight.converged ?? flight.answer?.body) as Order | undefined;
    if (order?.id) ids.add(order.id);
  }
  return [...ids];
}

/**
 * Before every in-flight create has converged: every known order is indexed, nothing unknown beyond
 * the creates still open.
 */
async function expectIndexedSoFar(all: Map<string, Seen>): Promise<void> {
  const unsettled = flights.filter((flight) => flight.kind === 'create' && !flight.converged && !flight.answer).length;
  await until('the orders index to list every known order', async () => {
    const listed = new Set((await listAll<OrderListItem>('/v1/orders')).map((item) => item.id));
    return [...all.keys()].every((id) => listed.has(id)) && listed.size <= all.size + unsettled;
  }).catch(async (error: Error) => {
    const listed = (await listAll<OrderListItem>('/v1/orders')).map((item) => item.id);
    expect(listed, error.message).toEqual(expect.arrayContaining([...all.keys()]));
    expect(listed.length, error.message).toBeLessThanOrEqual(all.size + unsettled);
  });
}
