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
import { rmSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, describe, expect, it } from 'vitest';
import type { CheckoutSummary, Order, OrderListItem, Refund } from '../../shared/schemas.ts';
import { converge, type Flight, killMidFlight, orderObjectsOnDisk } from './restart/flights.ts';
import {
  answerSandboxPage,
  call,
  cardAttempt,
  createOrder,
  listAll,
  merchantPost,
  orderBody,
  qrAttempt,
  RUN,
  readKeys,
  refundOrder,
  secretKey,
  startAttempt,
  until,
} from './restart/requests.ts';
import { killAll, PERSIST_TO, server, start } from './restart/server.ts';
import {
  expectAllConsistent,
  expectIndexed,
  expectKept,
  expectUnchanged,
  read,
  readAll,
  type Seen,
} from './restart/stored.ts';

/** Orders made (and settled) before the first kill; more are created in flight. */
const N = 20;

afterAll(async () => {
  // Even after a failure: no wrangler or workerd of this file outlives it.
  await killAll();
}, 30_000);

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
    const merchantId = server().merchant.merchant_id;
    await start();
    expect(server().merchant.merchant_id, 'the merchant survives').toBe(merchantId);

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
