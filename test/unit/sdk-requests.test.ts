/**
 * The server SDK's requests against a fake `fetch`: the key, JSON and Idempotency-Keys, retries
 * with backoff, Retry-After, timeouts, and the error classes.
 */
import { describe, expect, it } from 'vitest';
import { Till, TillApiError, TillConnectionError } from '../../sdk/index.ts';
import {
  BASE,
  client,
  envelope,
  fakeFetch,
  json,
  NOW_S,
  ORDER_ID,
  order,
  type Reply,
  rejection,
  SECRET_KEY,
} from './sdk-helpers.ts';

describe('requests and retries', () => {
  it('sends the secret key, JSON and an automatic Idempotency-Key on a POST', async () => {
    const { till, sent } = client([json(order(), 201)]);
    const created = await till.orders.create({
      amount: 2900,
      currency: 'USD',
      description: 'Tote bag',
      metadata: { cart: '1' },
    });
    expect(created.id).toBe(ORDER_ID(1));
    const [request] = sent;
    expect(request?.method).toBe('POST');
    expect(request?.url.pathname).toBe('/v1/orders');
    expect(request?.headers.get('authorization')).toBe(`Bearer ${SECRET_KEY}`);
    expect(request?.headers.get('content-type')).toBe('application/json');
    expect(request?.headers.get('idempotency-key')).toMatch(/^[0-9a-f-]{36}$/);
    expect(JSON.parse(request?.body ?? '')).toEqual({
      amount: 2900,
      currency: 'USD',
      description: 'Tote bag',
      metadata: { cart: '1' },
    });
  });

  it('uses the caller’s Idempotency-Key, and none on a GET', async () => {
    const { till, sent } = client([json(order(), 201), json(order())]);
    await till.orders.create(
      { amount: 2900, currency: 'USD', description: 'Tote bag' },
      { idempotencyKey: 'cart-1234-attempt-1' },
    );
    await till.orders.retrieve(ORDER_ID(1));
    expect(sent[0]?.headers.get('idempotency-key')).toBe('cart-1234-attempt-1');
    expect(sent[1]?.headers.has('idempotency-key')).toBe(false);
    expect(sent[1]?.body).toBeUndefined();
  });

  it('retries a 503 and a network error with backoff, reusing the same Idempotency-Key', async () => {
    const { till, sent, sleeps } = client([
      envelope(503, 'api_error', 'internal_error', 'Try again'),
      new TypeError('fetch failed'),
      json(order(), 201),
    ]);
    const created = await till.orders.create({ amount: 2900, currency: 'USD', description: 'Tote bag' });
    expect(created.status).toBe('open');
    expect(sent).toHaveLength(3);
    const keys = new Set(sent.map((request) => request.headers.get('idempotency-key')));
    expect(keys.size).toBe(1);
    expect([...keys][0]).toMatch(/^[0-9a-f-]{36}$/);
    expect(new Set(sent.map((request) => request.body)).size).toBe(1);
    // Exponential with jitter: 250–500 ms, then 500–1000 ms.
    expect(sleeps).toHaveLength(2);
    expect(sleeps[0]).toBeGreaterThanOrEqual(250);
    expect(sleeps[0]).toBeLessThanOrEqual(500);
    expect(sleeps[1]).toBeGreaterThanOrEqual(500);
    expect(sleeps[1]).toBeLessThanOrEqual(1000);
  });

  it('does not retry a 400, and maps the envelope to TillApiError', async () => {
    const { till, sent, sleeps } = client([
      envelope(
        400,
        'invalid_request_error',
        'invalid_parameter',
        'Invalid amount: amount must be an integer number of minor units',
        'amount',
      ),
    ]);
    const error = await rejection(till.orders.create({ amount: 29.5, currency: 'USD', description: 'Tote bag' }));
    expect(error).toBeInstanceOf(TillApiError);
    expect(error).toMatchObject({
      name: 'TillApiError',
      status: 400,
      type: 'invalid_request_error',
      code: 'invalid_parameter',
      message: 'Invalid amount: amount must be an integer number of minor units',
      param: 'amount',
      requestId: 'req_abc',
    });
    expect(sent).toHaveLength(1);
    expect(sleeps).toEqual([]);
  });

  it('does not retry other 4xx, including 409 idempotency_key_reused', async () => {
    for (const reply of [
      envelope(401, 'authentication_error', 'invalid_api_key', 'The API key is unknown or revoked'),
      envelope(404, 'invalid_request_error', 'order_not_found', 'No such order', 'id'),
      envelope(409, 'idempotency_error', 'idempotency_key_reused', 'Another body'),
    ]) {
      const { till, sent } = client([reply]);
      await expect(till.orders.retrieve(ORDER_ID(1))).rejects.toBeInstanceOf(TillApiError);
      expect(sent).toHaveLength(1);
    }
  });

  it('retries 409 idempotency_key_in_use', async () => {
    const { till, sent } = client([
      envelope(409, 'idempotency_error', 'idempotency_key_in_use', 'In flight'),
      json(order(), 201),
    ]);
    await till.orders.create({ amount: 2900, currency: 'USD', description: 'Tote bag' });
    expect(sent).toHaveLength(2);
    expect(sent[0]?.headers.get('idempotency-key')).toBe(sent[1]?.headers.get('idempotency-key'));
  });

  it('waits out a 429’s Retry-After exactly', async () => {
    const { till, sent, sleeps } = client([
      json(
        { error: { type: 'rate_limit_error', code: 'rate_limited', message: 'Slow down', request_id: 'req_1' } },
        429,
        { 'retry-after': '2' },
      ),
      json(order()),
    ]);
    await till.orders.retrieve(ORDER_ID(1));
    expect(sleeps).toEqual([2000]);
    expect(sent).toHaveLength(2);
  });

  it('reads an HTTP-date Retry-After, and gives up on one too long to wait', async () => {
    const date = new Date((NOW_S + 5) * 1000).toUTCString();
    const first = client([json({}, 429, { 'retry-after': date }), json(order())]);
    await first.till.orders.retrieve(ORDER_ID(1));
    expect(first.sleeps).toEqual([5000]);

    const second = client([envelope(429, 'rate_limit_error', 'rate_limited', 'Slow down'), json(order())]);
    const tooLong = client([
      json({ error: { type: 'rate_limit_error', code: 'rate_limited', message: 'Later', request_id: 'r' } }, 429, {
        'retry-after': '3600',
      }),
    ]);
    await expect(tooLong.till.orders.retrieve(ORDER_ID(1))).rejects.toMatchObject({
      status: 429,
      code: 'rate_limited',
    });
    expect(tooLong.sleeps).toEqual([]);
    // Without Retry-After, a 429 backs off like a 5xx.
    await second.till.orders.retrieve(ORDER_ID(1));
    expect(second.sleeps).toHaveLength(1);
  });

  it('stops after maxRetries and throws the last error', async () => {
    const failing = client([
      envelope(500, 'api_error', 'internal_error', 'a'),
      envelope(502, 'channel_error', 'channel_error', 'b'),
      envelope(503, 'api_error', 'internal_error', 'c'),
    ]);
    await expect(failing.till.orders.retrieve(ORDER_ID(1))).rejects.toMatchObject({ status: 503, message: 'c' });
    expect(failing.sent).toHaveLength(3);

    const offline = client([new TypeError('fetch failed')], { maxRetries: 0 });
    const error = await rejection(offline.till.orders.retrieve(ORDER_ID(1)));
    expect(error).toBeInstanceOf(TillConnectionError);
    expect(error).toMatchObject({
      timedOut: false,
      message: `Could not reach Till for GET /v1/orders/${ORDER_ID(1)} (1 try): fetch failed`,
    });
  });

  it('times a try out, aborting its fetch', async () => {
    let aborted = false;
    const hang: Reply = () =>
      new Promise<Response>(() => {
        // never answers
      });
    const { fetch } = fakeFetch([hang]);
    const till = new Till({
      secretKey: SECRET_KEY,
      baseUrl: BASE,
      timeoutMs: 5,
      maxRetries: 0,
      fetch: (url, init) => {
        init.signal?.addEventListener('abort', () => (aborted = true));
        return fetch(url, init);
      },
    });
    const error = await rejection(till.orders.retrieve(ORDER_ID(1)));
    expect(error).toBeInstanceOf(TillConnectionError);
    expect(error).toMatchObject({ timedOut: true });
    expect(aborted).toBe(true);
  });

  it('refuses a success body that does not match the schema', async () => {
    const { till } = client([json({ ...order(), status: 'teleported' })]);
    const error = await rejection(till.orders.retrieve(ORDER_ID(1)));
    expect(error).toBeInstanceOf(TillApiError);
    expect(error).toMatchObject({ status: 200, type: 'api_error', code: 'invalid_response' });
    expect((error as Error).message).toContain('at status');
  });

  it('maps an error without an envelope (a proxy’s HTML page)', async () => {
    const { till } = client([new Response('<html>Bad gateway</html>', { status: 404 })]);
    await expect(till.orders.retrieve(ORDER_ID(1))).rejects.toMatchObject({
      status: 404,
      type: 'api_error',
      code: 'invalid_response',
    });
  });
});
