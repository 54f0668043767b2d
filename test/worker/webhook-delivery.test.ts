/**
 * Webhook fan-out: several endpoints per merchant, each with its own filter, secret, line and
 * health, driven by the order objects' alarms on a simulated clock (see webhook-helpers.ts).
 */
import { env } from 'cloudflare:test';
import { importJWK } from 'jose';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { Till } from '../../sdk/index.ts';
import { fromBase64Url, utf8 } from '../../shared/encoding.ts';
import type { ErrorEnvelope } from '../../shared/errors.ts';
import type { PublicJwk } from '../../shared/jws.ts';
import type { DeliveryAttempt, List, OrderEventEntry, WebhookEndpoint } from '../../shared/schemas.ts';
import { SignatureError } from '../../shared/signature.ts';
import { parseEd25519Parts, verifyWebhookWithJwks, verifyWebhookWithSecret } from '../../shared/webhook-signature.ts';
import { PARAMETERS } from '../../worker/http/openapi/http-components.ts';
import { call, card, createMerchant, newOrder, pay } from './helpers.ts';
import {
  acknowledged,
  createEndpoint,
  HOOKS,
  type HookRequest,
  nowSeconds,
  receivers,
  runUntil,
  startClock,
} from './webhook-helpers.ts';

const HOUR = 3600_000;
const DAY = 24 * HOUR;

afterEach(() => {
  vi.useRealTimers();
  vi.restoreAllMocks();
});

const timeline = async (key: string, orderId: string) =>
  (await call<{ data: OrderEventEntry[] }>(`/v1/orders/${orderId}/events`, { key })).body.data;
const attempts = async (key: string, eventId: string) =>
  (await call<List<DeliveryAttempt>>(`/v1/events/${eventId}/deliveries`, { key })).body.data;
const endpoint = async (key: string, id: string) =>
  (await call<WebhookEndpoint>(`/v1/webhook_endpoints/${id}`, { key })).body;
const ofOrder = (list: string[], orderId: string) =>
  list.filter((entry) => entry.startsWith(`${orderId}:`)).map((entry) => entry.split(':')[1]);
const to = (requests: HookRequest[], path: string) =>
  requests.filter((request) => new URL(request.url).pathname === path);

async function paidOrder(key: string) {
  const order = await newOrder(key);
  expect((await pay(order, card('4242424242424242'))).status).toBe(201);
  return order;
}

async function canceledOrder(key: string) {
  const order = await newOrder(key);
  expect((await call(`/v1/orders/${order.id}/cancel`, { key, method: 'POST' })).status).toBe(200);
  return order;
}

async function failure(work: () => unknown): Promise<string> {
  try {
    await work();
  } catch (error) {
    return error instanceof SignatureError ? error.reason : String(error);
  }
  return 'accepted';
}

describe('webhook delivery', () => {
  it('gives each endpoint exactly the events its filter takes, in order, with stable ids, signed twice', async () => {
    startClock();
    const requests = receivers(() => 200);
    const { secret_key: key } = await createMerchant();
    const all = await createEndpoint(key, { url: `${HOOKS}/all` });
    const some = await createEndpoint(key, { url: `${HOOKS}/some`, enabled_events: ['order.paid', 'order.canceled'] });
    const paid = await paidOrder(key);
    const canceled = await canceledOrder(key);
    await runUntil([paid.id, canceled.id], Date.now() + 60_000);

    const atAll = acknowledged(requests, '/all');
    const atSome = acknowledged(requests, '/some');
    expect(ofOrder(atAll, paid.id)).toEqual(['order.created', 'order.processing', 'order.paid']);
    expect(ofOrder(atAll, canceled.id)).toEqual(['order.created', 'order.canceled']);
    expect(ofOrder(atSome, paid.id)).toEqual(['order.paid']);
    expect(ofOrder(atSome, canceled.id)).toEqual(['order.canceled']);
    expect(requests).toHaveLength(7); // nothing twice

    // One id per event, the same at every endpoint and in the timeline.
    const events = await timeline(key, paid.id);
    expect(
      to(requests, '/all')
        .filter((r) => r.event.data.object.id === paid.id)
        .map((r) => r.event.id),
    ).toEqual(events.map((e) => e.id));
    expect(to(requests, '/some').find((r) => r.event.data.object.id === paid.id)?.event.id).toBe(
      events.find((e) => e.type === 'order.paid')?.id,
    );
    expect(events.map((e) => [e.type, e.state, e.deliveries.map((d) => [d.endpoint_id, d.state]).sort()])).toEqual([
      ['order.created', 'delivered', [[all.id, 'delivered']]],
      ['order.processing', 'delivered', [[all.id, 'delivered']]],
      [
        'order.paid',
        'delivered',
        [
          [all.id, 'delivered'],
          [some.id, 'delivered'],
        ].sort(),
      ],
    ]);

    // HMAC with the endpoint's own secret; Ed25519 with the published JWKS over "<t>.<eid>.<body>",
    // checked by jose's key import and WebCrypto too, and only as a delivery to that endpoint.
    const { body: jwks } = await call<{ keys: PublicJwk[] }>('/.well-known/jwks.json');
    for (const request of requests) {
      const [mine, other] = request.url.endsWith('/all') ? [all, some] : [some, all];
      expect(request.signature).toMatch(
        new RegExp(`^t=\\d+,v1=[0-9a-f]{64},ed25519=[A-Za-z0-9_-]{86},kid=[A-Za-z0-9_-]+,eid=${mine.id}$`),
      );
      // The header is what the OpenAPI document promises receivers.
      expect(request.signature).toMatch(new RegExp(PARAMETERS.WebhookSignature.schema.pattern));
      await expect(verifyWebhookWithSecret(request.body, request.signature, mine.secret)).resolves.toBeTruthy();
      expect(await failure(() => verifyWebhookWithSecret(request.body, request.signature, other.secret))).toBe(
        'no_matching_signature',
      );
      expect(verifyWebhookWithJwks(request.body, request.signature, jwks.keys, { endpointId: mine.id }).kid).toBe(
        jwks.keys[0]?.kid,
      );
      expect(
        await failure(() =>
          verifyWebhookWithJwks(request.body, request.signature, jwks.keys, { endpointId: other.id }),
        ),
      ).toBe('wrong_endpoint');
      const { timestamp, signature, kid, endpointId } = parseEd25519Parts(request.signature);
      expect(endpointId).toBe(mine.id);
      const key = (await importJWK(jwks.keys.find((candidate) => candidate.kid === kid)!, 'EdDSA')) as CryptoKey;
      expect(
        await crypto.subtle.verify(
          'Ed25519',
          key,
          fromBase64Url(signature),
          utf8(`${timestamp}.${mine.id}.${request.body}`),
        ),
      ).toBe(true);
      expect(
        await crypto.subtle.verify(
          'Ed25519',
          key,
          fromBase64Url(signature),
          utf8(`${timestamp}.${other.id}.${request.body}`),
        ),
      ).toBe(false);
      await expect(
        Till.webhooks.verifyWithJwks(request.body, request.signature, jwks, { endpointId: mine.id }),
      ).resolves.toMatchObject({ id: request.event.id });
      await expect(
        Till.webhooks.verifyWithJwks(request.body, request.signature, jwks, { endpointId: other.id }),
      ).rejects.toMatchObject({ reason: 'wrong_endpoint' });
    }
  });

  it(
    'holds a failing endpoint for a simulated day, ' +
      'then delivers every event once and in order; other endpoints are not held',
    async () => {
      startClock();
      let down = true;
      let triesWhileDown = 0;
      // One try meets no answer at all; the others a 503 with a body.
      const requests = receivers((path) =>
        path === '/flaky' && down ? (++triesWhileDown === 2 ? 'network' : 503) : 200,
      );
      const { secret_key: key } = await createMerchant();
      const flaky = await createEndpoint(key, { url: `${HOOKS}/flaky` });
      await createEndpoint(key, { url: `${HOOKS}/steady` });
      const first = await paidOrder(key);
      const second = await canceledOrder(key);
      const ids = [first.id, second.id];

      await runUntil(ids, Date.now() + DAY);
      expect(acknowledged(requests, '/flaky')).toEqual([]);
      expect(acknowledged(requests, '/steady')).toHaveLength(5);
      // Only each order's first event was tried there: the later ones waited behind it.
      expect(new Set(to(requests, '/flaky').map((r) => r.event.type))).toEqual(new Set(['order.created']));
      expect(await endpoint(key, flaky.id)).toMatchObject({
        status: 'enabled',
        failing_since: expect.any(Number),
        last_error: 'HTTP 503: down for maintenance',
      });

      down = false;
      await runUntil(ids, Date.now() + 13 * HOUR);
      const atFlaky = acknowledged(requests, '/flaky');
      expect(ofOrder(atFlaky, first.id)).toEqual(['order.created', 'order.processing', 'order.paid']);
      expect(ofOrder(atFlaky, second.id)).toEqual(['order.created', 'order.canceled']);
      expect(atFlaky).toHaveLength(5);
      expect(await endpoint(key, flaky.id)).toMatchObject({ status: 'enabled', failing_since: null, last_error: null });

      // Every try is in the log, with what the endpoint answered.
      const created = (await timeline(key, first.id))[0]!;
      const delivery = created.deliveries.find((d) => d.endpoint_id === flaky.id)!;
      const log = (await attempts(key, created.id)).filter((a) => a.endpoint_id === flaky.id);
      const sent = to(requests, '/flaky').filter((r) => r.event.id === created.id);
      expect(log).toHaveLength(sent.length);
      expect(delivery).toMatchObject({
        state: 'delivered',
        tries: sent.length,
        next_attempt_at: null,
        last_error: null,
      });
      expect(log.at(-1)).toMatchObject({ status: 200, error: null, response_excerpt: 'ok', redelivery: false });
      for (const attempt of log.slice(0, -1)) {
        expect([attempt.status, attempt.error, attempt.response_excerpt]).toSatisfy(
          ([status, error, excerpt]) =>
            (status === 503 && error === null && excerpt === 'down for maintenance') ||
            (status === null && error === 'network_error' && excerpt === null),
        );
      }
      for (const attempt of log) expect(Number.isInteger(attempt.latency_ms) && attempt.latency_ms >= 0).toBe(true);
      // Jitter-free exponential backoff: one minute, doubling.
      const gaps = log.slice(1).map((attempt, i) => attempt.attempted_at - log[i]!.attempted_at);
      expect(gaps.slice(0, 6)).toEqual([60, 120, 240, 480, 960, 1920]);
      const secondLog = (await attempts(key, (await timeline(key, second.id))[0]!.id)).filter(
        (a) => a.endpoint_id === flaky.id,
      );
      expect([...log, ...secondLog].filter((a) => a.error === 'network_error')).toHaveLength(1);
    },
  );

  it(
    'disables an endpoint failing for three days, says why, ' +
      'stops delivering to it, and redelivers once it is enabled again',
    async () => {
      startClock();
      let broken = true;
      const requests = receivers((path) => (path === '/broken' && broken ? 500 : 200));
      const { secret_key: key } = await createMerchant();
      const bad = await createEndpoint(key, { url: `${HOOKS}/broken` });
      const good = await createEndpoint(key, { url: `${HOOKS}/good` });
      const order = await paidOrder(key);
      const start = nowSeconds();

      await runUntil([order.id], Date.now() + 3 * DAY + HOUR);
      const disabled = await endpoint(key, bad.id);
      expect(disabled).toMatchObject({
        status: 'disabled',
        failing_since: start,
        last_error: 'HTTP 500: down for maintenance',
      });
      const since = new Date(start * 1000).toISOString().replace('.000Z', 'Z');
      expect(disabled.disabled_reason).toBe(
        `Disabled by Till at ${new Date((start + 3 * 24 * 3600) * 1000).toISOString().replace('.000Z', 'Z')}: ` +
          `every delivery failed since ${since} (3 days); last error: HTTP 500: down for maintenance`,
      );
      const [created, , paid] = await timeline(key, order.id);
      const createdAtBad = created!.deliveries.find((d) => d.endpoint_id === bad.id)!;
      expect(createdAtBad).toMatchObject({
        state: 'failed',
        next_attempt_at: null,
        last_error: 'HTTP 500: down for maintenance',
      });
      const log = (await attempts(key, created!.id)).filter((a) => a.endpoint_id === bad.id);
      expect(log).toHaveLength(createdAtBad.tries);
      // The last try is three days after the first.
      expect(log.at(-1)!.attempted_at - log[0]!.attempted_at).toBe(3 * 24 * 3600);
      expect(paid!.deliveries.find((d) => d.endpoint_id === bad.id)).toMatchObject({
        state: 'failed',
        last_error: 'the endpoint was disabled',
      });
      expect(created!.state).toBe('failed');

      // A disabled endpoint gets no new events; the others still do.
      const triedAtBad = to(requests, '/broken').length;
      const later = await paidOrder(key);
      await runUntil([order.id, later.id], Date.now() + HOUR);
      expect(to(requests, '/broken')).toHaveLength(triedAtBad);
      expect(ofOrder(acknowledged(requests, '/good'), later.id)).toEqual([
        'order.created',
        'order.processing',
        'order.paid',
      ]);
      expect((await timeline(key, later.id)).flatMap((e) => e.deliveries.map((d) => d.endpoint_id))).toEqual([
        good.id,
        good.id,
        good.id,
      ]);
      expect(
        (await call<ErrorEnvelope>(`/v1/events/${created!.id}/redeliver`, { key, body: { endpoint_id: bad.id } })).body
          .error.code,
      ).toBe('webhook_endpoint_disabled');

      // Fixed and enabled again: a clean record, and redelivery catches it up.
      broken = false;
      expect(
        (await call<WebhookEndpoint>(`/v1/webhook_endpoints/${bad.id}`, { key, body: { status: 'enabled' } })).body,
      ).toMatchObject({
        status: 'enabled',
        disabled_reason: null,
        failing_since: null,
        last_error: null,
      });
      for (const event of [created!, paid!]) {
        const { status, body } = await call<OrderEventEntry>(`/v1/events/${event.id}/redeliver`, {
          key,
          body: { endpoint_id: bad.id },
        });
        expect(status).toBe(200);
        expect(body.deliveries.filter((d) => d.endpoint_id === bad.id).map((d) => [d.state, d.redelivery])).toEqual([
          ['failed', false],
          ['pending', true],
        ]);
      }
      await runUntil([order.id], Date.now() + 60_000);
      expect(ofOrder(acknowledged(requests, '/broken'), order.id)).toEqual(['order.created', 'order.paid']);
      expect((await attempts(key, created!.id)).at(-1)).toMatchObject({
        endpoint_id: bad.id,
        status: 200,
        redelivery: true,
      });
    },
  );

  it('redelivers any event on request and refuses bad redeliveries without changing anything', async () => {
    startClock();
    const requests = receivers(() => 200);
    const { secret_key: key } = await createMerchant();
    const all = await createEndpoint(key, { url: `${HOOKS}/all` });
    const paidOnly = await createEndpoint(key, { url: `${HOOKS}/paid`, enabled_events: ['order.paid'] });
    const order = await paidOrder(key);
    await runUntil([order.id], Date.now() + 60_000);
    const before = await timeline(key, order.id);
    const [created, , paid] = before;

    const refusals: Array<[string, unknown, number, string]> = [
      [created!.id, { endpoint_id: 'we_000000000000000000000000' }, 404, 'webhook_endpoint_not_found'],
      [created!.id, { endpoint_id: paidOnly.id }, 400, 'invalid_parameter'],
      [created!.id, { endpoint_id: 'we_nope' }, 400, 'invalid_parameter'],
      [created!.id, { endpoint: all.id }, 400, 'unknown_parameter'],
      ['evt_000000000000000000000000', {}, 404, 'event_not_found'],
    ];
    for (const [eventId, body, status, code] of refusals) {
      const answer = await call<ErrorEnvelope>(`/v1/events/${eventId}/redeliver`, { key, body });
      expect([answer.status, answer.body.error.code]).toEqual([status, code]);
      expect(answer.body.error.request_id).toMatch(/^req_/);
    }
    expect(await timeline(key, order.id)).toEqual(before);

    // Without endpoint_id: every enabled endpoint that takes the event. The body may be left out.
    const again = await call<OrderEventEntry>(`/v1/events/${paid!.id}/redeliver`, {
      key,
      method: 'POST',
      headers: { 'idempotency-key': 'again-1' },
    });
    expect(again.status).toBe(200);
    expect(
      again.body.deliveries
        .filter((d) => d.redelivery)
        .map((d) => d.endpoint_id)
        .sort(),
    ).toEqual([all.id, paidOnly.id].sort());
    const replay = await call(`/v1/events/${paid!.id}/redeliver`, {
      key,
      method: 'POST',
      headers: { 'idempotency-key': 'again-1' },
    });
    expect(replay.headers.get('idempotent-replayed')).toBe('true');
    await call(`/v1/events/${created!.id}/redeliver`, { key, method: 'POST' });
    await runUntil([order.id], Date.now() + 60_000);
    // The redeliveries keep the line's order: oldest event first.
    const firstTime = ['order.created', 'order.processing', 'order.paid'];
    expect(acknowledged(requests, '/all')).toEqual(
      [...firstTime, 'order.created', 'order.paid'].map((type) => `${order.id}:${type}`),
    );
    expect(acknowledged(requests, '/paid')).toEqual([`${order.id}:order.paid`, `${order.id}:order.paid`]);
    expect(
      new Set(
        to(requests, '/all')
          .filter((r) => r.event.type === 'order.paid')
          .map((r) => r.event.id),
      ),
    ).toEqual(new Set([paid!.id]));
    expect((await timeline(key, order.id)).map((e) => e.state)).toEqual(['delivered', 'delivered', 'delivered']);
  });

  it('keeps test and live apart', async () => {
    startClock();
    const requests = receivers(() => 200);
    const merchant = await createMerchant();
    await call(`/v1/admin/merchants/${merchant.id}`, { key: env.TILL_ADMIN_KEY, body: { live_enabled: true } });
    const testHook = await createEndpoint(merchant.secret_key, { url: `${HOOKS}/test` });
    const liveHook = await createEndpoint(merchant.live_secret_key, { url: `${HOOKS}/live` });
    const testOrder = await paidOrder(merchant.secret_key);
    const liveOrder = await newOrder(merchant.live_secret_key);
    await runUntil([testOrder.id, liveOrder.id], Date.now() + 60_000);
    expect(acknowledged(requests, '/test')).toEqual(
      ['created', 'processing', 'paid'].map((type) => `${testOrder.id}:order.${type}`),
    );
    expect(acknowledged(requests, '/live')).toEqual([`${liveOrder.id}:order.created`]);

    const listed = await call<List<WebhookEndpoint>>('/v1/webhook_endpoints', { key: merchant.secret_key });
    expect(listed.body.data.map((e) => [e.id, e.mode])).toEqual([[testHook.id, 'test']]);
    expect(
      (await call<ErrorEnvelope>(`/v1/webhook_endpoints/${liveHook.id}`, { key: merchant.secret_key })).body.error.code,
    ).toBe('webhook_endpoint_not_found');
    const testEvent = (await timeline(merchant.secret_key, testOrder.id))[0]!.id;
    const liveEvent = (await timeline(merchant.live_secret_key, liveOrder.id))[0]!.id;
    const crossed = await call<ErrorEnvelope>(`/v1/events/${testEvent}/redeliver`, {
      key: merchant.secret_key,
      body: { endpoint_id: liveHook.id },
    });
    expect([crossed.status, crossed.body.error.code]).toEqual([404, 'webhook_endpoint_not_found']);
    expect(
      (await call<ErrorEnvelope>(`/v1/events/${liveEvent}/deliveries`, { key: merchant.secret_key })).body.error.code,
    ).toBe('event_not_found');
    expect((await attempts(merchant.live_secret_key, liveEvent)).map((a) => a.endpoint_id)).toEqual([liveHook.id]);
  });

  it('signs with the old secret too while a rolled secret is in its grace period', async () => {
    startClock();
    const requests = receivers(() => 200);
    const { secret_key: key } = await createMerchant();
    const hook = await createEndpoint(key, { url: `${HOOKS}/rolled` });
    const rolled = await call<{ secret: string; previous_secret_expires_at: number }>(
      `/v1/webhook_endpoints/${hook.id}/roll_secret`,
      {
        key,
        body: { expires_in: 3600 },
      },
    );
    expect(rolled.status).toBe(200);
    expect(rolled.body.previous_secret_expires_at).toBe(nowSeconds() + 3600);
    const during = await newOrder(key);
    await runUntil([during.id], Date.now() + 60_000);
    const [duringRequest] = to(requests, '/rolled');
    expect(duringRequest!.signature!.match(/v1=/g)).toHaveLength(2);
    for (const secret of [hook.secret, rolled.body.secret])
      await expect(
        verifyWebhookWithSecret(duringRequest!.body, duringRequest!.signature, secret),
      ).resolves.toBeTruthy();

    vi.setSystemTime(Date.now() + 2 * HOUR);
    const after = await newOrder(key);
    await runUntil([after.id], Date.now() + 60_000);
    const afterRequest = to(requests, '/rolled').find((r) => r.event.data.object.id === after.id)!;
    expect(afterRequest.signature!.match(/v1=/g)).toHaveLength(1);
    await expect(
      verifyWebhookWithSecret(afterRequest.body, afterRequest.signature, rolled.body.secret),
    ).resolves.toBeTruthy();
    expect(await failure(() => verifyWebhookWithSecret(afterRequest.body, afterRequest.signature, hook.secret))).toBe(
      'no_matching_signature',
    );
  });
});
