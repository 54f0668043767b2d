/**
 * The server SDK against a fake `fetch`: retries and idempotency keys, the error class, signed
 * requests (checked with the worker's own verifier), list queries and paging, webhooks and
 * receipts (signed with the platform's own signing code).
 */
import { ed25519 } from '@noble/curves/ed25519.js';
import { describe, expect, it } from 'vitest';
import {
  type FetchLike,
  JWKS_REFETCH_COOLDOWN_MS,
  JWKS_TTL_MS,
  OPTION_ERRORS,
  Till,
  TillApiError,
  TillConnectionError,
  type TillOptions,
  TillReceiptError,
  TillWebhookError,
} from '../../sdk/index.ts';
import { toBase64Url } from '../../shared/encoding.ts';
import { generateSigningKey, type PrivateJwk, publicJwk } from '../../shared/jws.ts';
import {
  parseRequestSignature,
  type RequestVerificationKeys,
  verifyRequestSignature,
} from '../../shared/request-signature.ts';
import type { Order, OrderListItem, WebhookEvent } from '../../shared/schemas.ts';
import { signPayload } from '../../shared/signature.ts';
import { type ReceiptClaims, signReceipt } from '../../shared/tokens.ts';

const MERCHANT = 'mer_M3rchantM3rchant';
const SECRET_KEY = `sk_test_${MERCHANT.slice(4)}_${'k'.repeat(32)}`;
const BASE = 'https://till.test';
const NOW_S = 1_800_000_000;

const ORDER_ID = (n: number) => `ord_${String(n).padStart(24, '0')}`;

function order(overrides: Partial<Order> = {}): Order {
  return {
    id: ORDER_ID(1),
    object: 'order',
    merchant_id: MERCHANT,
    mode: 'test',
    status: 'open',
    amount: 2900,
    currency: 'USD',
    description: 'Tote bag',
    return_url: null,
    metadata: {},
    created_at: NOW_S,
    expires_at: NOW_S + 3600,
    paid_at: null,
    canceled_at: null,
    paid_attempt_id: null,
    last_failure: null,
    capture_method: 'automatic',
    attempts: [],
    amount_refunded: 0,
    refunds: [],
    client_token: 'token',
    receipt: null,
    ...overrides,
  };
}

function listItem(n: number): OrderListItem {
  return {
    id: ORDER_ID(n),
    object: 'order',
    merchant_id: MERCHANT,
    mode: 'test',
    status: 'paid',
    amount: 100 * n,
    currency: 'USD',
    description: `Order ${n}`,
    metadata: {},
    paid_channel: 'sandbox',
    created_at: NOW_S - n,
    paid_at: NOW_S,
    updated_at: NOW_S,
  };
}

const json = (body: unknown, status = 200, headers: Record<string, string> = {}) =>
  new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json', ...headers } });

const envelope = (status: number, type: string, code: string, message: string, param?: string) =>
  json({ error: { type, code, message, ...(param ? { param } : {}), request_id: 'req_abc' } }, status, {
    'request-id': 'req_abc',
  });

interface Sent {
  url: URL;
  method: string;
  headers: Headers;
  body: string | undefined;
}

type Reply = Response | Error | ((sent: Sent) => Response | Promise<Response>);

/** A fetch answering from a script, recording what was sent. */
function fakeFetch(replies: Reply[]) {
  const sent: Sent[] = [];
  const fetch: FetchLike = async (url, init) => {
    const request: Sent = {
      url: new URL(url),
      method: init.method ?? 'GET',
      headers: new Headers(init.headers),
      body: typeof init.body === 'string' ? init.body : undefined,
    };
    sent.push(request);
    const reply = replies.shift();
    if (reply === undefined) throw new Error(`unexpected request ${request.method} ${url}`);
    if (reply instanceof Error) throw reply;
    return typeof reply === 'function' ? reply(request) : reply;
  };
  return { fetch, sent };
}

function client(replies: Reply[], options: Partial<TillOptions> = {}) {
  const { fetch, sent } = fakeFetch(replies);
  const sleeps: number[] = [];
  let clock = NOW_S * 1000;
  const till = new Till({
    secretKey: SECRET_KEY,
    baseUrl: BASE,
    fetch,
    sleep: async (ms) => {
      sleeps.push(ms);
    },
    now: () => clock,
    ...options,
  });
  return { till, sent, sleeps, advance: (ms: number) => (clock += ms) };
}

async function rejection(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  throw new Error('expected a rejection');
}

describe('Till options', () => {
  const base: TillOptions = { secretKey: SECRET_KEY, baseUrl: BASE };

  it('accepts secret and restricted keys and http(s) base URLs', () => {
    expect(() => new Till(base)).not.toThrow();
    expect(() => new Till({ ...base, secretKey: `sk_live_${MERCHANT.slice(4)}_${'k'.repeat(32)}` })).not.toThrow();
    expect(() => new Till({ ...base, secretKey: 'rk_test_abcdefghij0123456789' })).not.toThrow();
    expect(() => new Till({ ...base, baseUrl: 'http://localhost:8787/' })).not.toThrow();
  });

  it('refuses bad options with exact messages', () => {
    expect(() => new Till({ ...base, secretKey: '' })).toThrow(new TypeError(OPTION_ERRORS.secretKey));
    expect(() => new Till({ ...base, secretKey: 'sk_prod_abc' })).toThrow(OPTION_ERRORS.secretKey);
    expect(() => new Till({ ...base, secretKey: `pk_test_${MERCHANT.slice(4)}_${'k'.repeat(32)}` })).toThrow(
      OPTION_ERRORS.publishableKey,
    );
    expect(OPTION_ERRORS.secretKey).toBe(
      'Till: secretKey must be a secret key like sk_test_…, sk_live_… or a restricted key rk_…',
    );
    expect(() => new Till({ ...base, baseUrl: 'till.example.com' })).toThrow(OPTION_ERRORS.baseUrl);
    expect(() => new Till({ ...base, baseUrl: 'ftp://till.example.com' })).toThrow(OPTION_ERRORS.baseUrl);
    expect(OPTION_ERRORS.baseUrl).toBe('Till: baseUrl must be an http(s) URL like https://till.example.com');
    expect(() => new Till({ ...base, maxRetries: -1 })).toThrow(OPTION_ERRORS.maxRetries);
    expect(() => new Till({ ...base, maxRetries: 1.5 })).toThrow(OPTION_ERRORS.maxRetries);
    expect(() => new Till({ ...base, timeoutMs: 0 })).toThrow(OPTION_ERRORS.timeoutMs);
    expect(() => new Till({ ...base, signing: { secret: 'short' } })).toThrow(OPTION_ERRORS.signing);
    expect(() => new Till({ ...base, signing: { privateKey: new Uint8Array(31) } })).toThrow(OPTION_ERRORS.signing);
    expect(() => new Till({ ...base, signing: { privateKey: new Uint8Array(32), kid: 'bad kid' } })).toThrow(
      OPTION_ERRORS.signing,
    );
  });

  it('keeps a base URL path prefix', async () => {
    const { till, sent } = client([json(order())], { baseUrl: 'https://example.com/till/' });
    await till.orders.retrieve(ORDER_ID(1));
    expect(sent[0]?.url.href).toBe(`https://example.com/till/v1/orders/${ORDER_ID(1)}`);
  });
});

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

describe('signed requests', () => {
  async function verify(request: Sent | undefined, keys: RequestVerificationKeys) {
    if (!request) throw new Error('no request');
    const parsed = parseRequestSignature(request.headers.get('till-signature'));
    const kid = await verifyRequestSignature(
      parsed,
      {
        method: request.method,
        pathWithQuery: `${request.url.pathname}${request.url.search}`,
        body: request.body ?? '',
      },
      keys,
      { now: NOW_S },
    );
    return { kid, nonce: parsed.nonce };
  }

  it('signs method, path with query and body with the HMAC secret, a fresh nonce per try', async () => {
    const secret = 'rss_0123456789abcdefghij';
    const { till, sent } = client(
      [
        envelope(503, 'api_error', 'internal_error', 'x'),
        json(order(), 201),
        json({ object: 'list', data: [], has_more: false, url: '/v1/orders' }),
      ],
      {
        signing: { secret },
      },
    );
    await till.orders.create({ amount: 2900, currency: 'USD', description: 'Tote bag ✓' });
    await till.orders.list({ limit: 5, metadata: { 'cart id': "it's 1" } });
    const keys = { hmacSecrets: [secret], publicKeys: [] };
    const [first, second, third] = await Promise.all(sent.map((request) => verify(request, keys)));
    expect(first?.kid).toBe('secret');
    expect(first?.nonce).not.toBe(second?.nonce);
    expect(third?.kid).toBe('secret');
    expect(sent[2]?.url.search).toContain('metadata[cart%20id]=it%27s%201');
    await expect(verify(sent[1], { hmacSecrets: ['another_secret_0123456789'], publicKeys: [] })).rejects.toMatchObject(
      { reason: 'bad_signature' },
    );
  });

  it('signs with a registered Ed25519 key and its kid', async () => {
    const { secretKey, publicKey } = ed25519.keygen();
    const { till, sent } = client([json(order()), json(order())], {
      signing: { privateKey: secretKey, kid: 'server-1' },
    });
    await till.orders.cancel(ORDER_ID(1));
    await till.orders.retrieve(ORDER_ID(1));
    const keys = { hmacSecrets: [], publicKeys: [{ kid: 'server-1', x: toBase64Url(publicKey) }] };
    expect((await verify(sent[0], keys)).kid).toBe('server-1');
    expect((await verify(sent[1], keys)).kid).toBe('server-1');
    expect(sent[0]?.headers.get('till-signature')).toMatch(/,kid=server-1$/);
    const other = toBase64Url(ed25519.keygen().publicKey);
    await expect(
      verify(sent[0], { hmacSecrets: [], publicKeys: [{ kid: 'server-1', x: other }] }),
    ).rejects.toMatchObject({ reason: 'bad_signature' });
  });

  it('sends no signature without signing options', async () => {
    const { till, sent } = client([json(order())]);
    await till.orders.retrieve(ORDER_ID(1));
    expect(sent[0]?.headers.has('till-signature')).toBe(false);
  });
});

describe('resources', () => {
  const emptyList = (url: string) => json({ object: 'list', data: [], has_more: false, url });

  it('encodes list filters, metadata and created ranges in bracket form', async () => {
    const { till, sent } = client([emptyList('/v1/orders')]);
    await till.orders.list({
      limit: 20,
      starting_after: ORDER_ID(9),
      status: 'paid',
      channel: 'sandbox',
      currency: 'USD',
      created: { gte: 1_700_000_000, lt: 1_800_000_000 },
      metadata: { cart: 'a b&c', 'x]y': '1' },
    });
    expect(sent[0]?.url.pathname).toBe('/v1/orders');
    expect(sent[0]?.url.search).toBe(
      `?limit=20&starting_after=${ORDER_ID(9)}&status=paid&channel=sandbox&currency=USD` +
        '&created[gte]=1700000000&created[lt]=1800000000&metadata[cart]=a%20b%26c&metadata[x%5Dy]=1',
    );
    expect(sent[0]?.url.searchParams.get('metadata[cart]')).toBe('a b&c');
  });

  it('sends no query for an empty list call', async () => {
    const { till, sent } = client([emptyList('/v1/orders')]);
    const page = await till.orders.list();
    expect(page).toEqual({ object: 'list', data: [], has_more: false, url: '/v1/orders' });
    expect(sent[0]?.url.search).toBe('');
  });

  it('walks every page with starting_after = the last id', async () => {
    const page = (ids: number[], has_more: boolean) =>
      json({ object: 'list', data: ids.map(listItem), has_more, url: '/v1/orders' });
    const { till, sent } = client([page([1, 2], true), page([3, 4], true), page([5], false)]);
    const seen: string[] = [];
    for await (const item of till.orders.listAutoPaging({ limit: 2, status: 'paid' })) seen.push(item.id);
    expect(seen).toEqual([1, 2, 3, 4, 5].map(ORDER_ID));
    expect(sent.map((request) => request.url.search)).toEqual([
      '?limit=2&status=paid',
      `?limit=2&starting_after=${ORDER_ID(2)}&status=paid`,
      `?limit=2&starting_after=${ORDER_ID(4)}&status=paid`,
    ]);
  });

  it('stops paging when the loop breaks', async () => {
    const page = (ids: number[]) =>
      json({ object: 'list', data: ids.map(listItem), has_more: true, url: '/v1/orders' });
    const { till, sent } = client([page([1, 2]), page([3, 4])]);
    for await (const item of till.orders.listAutoPaging({ limit: 2 })) if (item.id === ORDER_ID(1)) break;
    expect(sent).toHaveLength(1);
  });

  it('reads an order’s timeline, cancels, and calls events, merchant and keys on their paths', async () => {
    const event = webhookEvent();
    const entry = {
      seq: 1,
      id: event.id,
      type: event.type,
      created_at: NOW_S,
      state: 'delivered',
      deliveries: [
        {
          endpoint_id: 'we_0123456789abcdefghijABCD',
          state: 'delivered',
          redelivery: false,
          tries: 1,
          created_at: NOW_S,
          next_attempt_at: null,
          last_error: null,
          delivered_at: NOW_S,
        },
      ],
      event,
    };
    const merchant = {
      id: MERCHANT,
      object: 'merchant',
      name: 'Shop',
      live_enabled: false,
      disabled: false,
      webhook_url: null,
      allowed_origins: [],
      channels: [],
      limits: { max_order_amount: {} },
      require_signed_requests: false,
      signing_public_keys: [],
      created_at: NOW_S,
    };
    const key = {
      id: 'key_1',
      object: 'api_key',
      kind: 'restricted',
      mode: 'test',
      prefix: 'rk_test_abc…',
      created_at: NOW_S,
      expires_at: null,
      revoked_at: null,
    };
    const { till, sent } = client([
      json({ object: 'list', data: [entry] }),
      json(order({ status: 'canceled', canceled_at: NOW_S })),
      json({ object: 'list', data: [event], has_more: false, url: '/v1/events' }),
      json(event),
      json(merchant),
      json({ ...merchant, webhook_url: 'https://shop.example/hook' }),
      json({ object: 'list', data: [key], has_more: false, url: '/v1/keys' }),
      json({ ...key, secret: 'rk_test_secret' }),
      json({ ...key, id: 'key_2', secret: 'rk_test_secret2' }),
      json({ ...key, revoked_at: NOW_S }),
    ]);
    expect((await till.orders.events(ORDER_ID(1))).data[0]?.event.type).toBe('order.paid');
    expect((await till.orders.cancel(ORDER_ID(1))).status).toBe('canceled');
    expect((await till.events.list({ type: 'order.paid', order: ORDER_ID(1), created: { gt: 5 } })).data).toHaveLength(
      1,
    );
    expect((await till.events.retrieve(event.id)).id).toBe(event.id);
    expect((await till.merchant.retrieve()).id).toBe(MERCHANT);
    expect((await till.merchant.update({ webhook_url: 'https://shop.example/hook' })).webhook_url).toBe(
      'https://shop.example/hook',
    );
    expect((await till.keys.list()).data[0]?.id).toBe('key_1');
    expect((await till.keys.create({ kind: 'restricted' })).secret).toBe('rk_test_secret');
    expect((await till.keys.roll('key_1', { expires_in: 3600 })).id).toBe('key_2');
    expect((await till.keys.revoke('key_1')).revoked_at).toBe(NOW_S);

    expect(
      sent.map((request) =>
        `${request.method} ${request.url.pathname}${request.url.search} ${request.body ?? ''}`.trim(),
      ),
    ).toEqual([
      `GET /v1/orders/${ORDER_ID(1)}/events`,
      `POST /v1/orders/${ORDER_ID(1)}/cancel`,
      `GET /v1/events?type=order.paid&order=${ORDER_ID(1)}&created[gt]=5`,
      `GET /v1/events/${event.id}`,
      'GET /v1/merchant',
      'POST /v1/merchant {"webhook_url":"https://shop.example/hook"}',
      'GET /v1/keys',
      'POST /v1/keys {"kind":"restricted"}',
      'POST /v1/keys/key_1/roll {"expires_in":3600}',
      'POST /v1/keys/key_1/revoke',
    ]);
    // Every POST carries an Idempotency-Key, bodiless ones too; no GET does.
    for (const request of sent) expect(request.headers.has('idempotency-key')).toBe(request.method === 'POST');
    expect(sent[1]?.headers.has('content-type')).toBe(false);
  });

  it('refuses an empty id before sending anything', async () => {
    const { till, sent } = client([]);
    await expect(till.orders.retrieve('')).rejects.toThrow('Till: order id must be a non-empty string');
    expect(sent).toHaveLength(0);
  });

  it('percent-encodes ids in paths', async () => {
    const { till, sent } = client([envelope(404, 'invalid_request_error', 'order_not_found', 'No such order')]);
    await expect(till.orders.retrieve('../admin')).rejects.toMatchObject({ code: 'order_not_found' });
    expect(sent[0]?.url.pathname).toBe('/v1/orders/..%2Fadmin');
  });
});

function webhookEvent(type: WebhookEvent['type'] = 'order.paid'): WebhookEvent {
  const { client_token: _token, ...object } = order({ status: 'paid', paid_at: NOW_S });
  return { id: `evt_${'E'.repeat(24)}`, object: 'event', type, created: NOW_S, mode: 'test', data: { object } };
}

describe('webhooks.verify', () => {
  const secret = 'whsec_0123456789abcdefghijklmnop';
  const body = JSON.stringify(webhookEvent());

  it('returns the parsed event for a payload signed by Till, without a client', async () => {
    const header = await signPayload(body, secret, NOW_S);
    const event = await Till.webhooks.verify(body, header, secret, { now: NOW_S + 10 });
    expect(event).toEqual(webhookEvent());
    const { till } = client([]);
    await expect(till.webhooks.verify(new TextEncoder().encode(body), header, secret, { now: NOW_S })).resolves.toEqual(
      webhookEvent(),
    );
  });

  it('refuses an event of the other mode when the endpoint names its mode', async () => {
    const header = await signPayload(body, secret, NOW_S);
    await expect(Till.webhooks.verify(body, header, secret, { now: NOW_S, mode: 'test' })).resolves.toEqual(
      webhookEvent(),
    );
    await expect(Till.webhooks.verify(body, header, secret, { now: NOW_S, mode: 'live' })).rejects.toMatchObject({
      reason: 'wrong_mode',
    });
  });

  it('defaults to the mode of the client’s key', async () => {
    const header = await signPayload(body, secret, NOW_S);
    const live = new Till({
      secretKey: `sk_live_${'A'.repeat(16)}_${'b'.repeat(32)}`,
      baseUrl: 'https://till.example',
    });
    await expect(live.webhooks.verify(body, header, secret, { now: NOW_S })).rejects.toMatchObject({
      reason: 'wrong_mode',
    });
    const test = new Till({
      secretKey: `sk_test_${'A'.repeat(16)}_${'b'.repeat(32)}`,
      baseUrl: 'https://till.example',
    });
    await expect(test.webhooks.verify(body, header, secret, { now: NOW_S })).resolves.toEqual(webhookEvent());
  });

  it('rejects a tampered body, a stale timestamp, a missing header and a non-event', async () => {
    const header = await signPayload(body, secret, NOW_S);
    const reason = async (promise: Promise<unknown>) => {
      const error = await rejection(promise);
      expect(error).toBeInstanceOf(TillWebhookError);
      return (error as TillWebhookError).reason;
    };
    expect(await reason(Till.webhooks.verify(body.replace('2900', '1'), header, secret, { now: NOW_S }))).toBe(
      'no_matching_signature',
    );
    expect(await reason(Till.webhooks.verify(body, header, 'whsec_another_secret_0123456', { now: NOW_S }))).toBe(
      'no_matching_signature',
    );
    expect(await reason(Till.webhooks.verify(body, header, secret, { now: NOW_S + 301 }))).toBe(
      'timestamp_outside_tolerance',
    );
    expect(await reason(Till.webhooks.verify(body, header, secret, { now: NOW_S + 1000, toleranceSeconds: 600 }))).toBe(
      'timestamp_outside_tolerance',
    );
    await expect(
      Till.webhooks.verify(body, header, secret, { now: NOW_S + 500, toleranceSeconds: 600 }),
    ).resolves.toBeTruthy();
    expect(await reason(Till.webhooks.verify(body, null, secret))).toBe('missing_header');
    const notEvent = '{"id":"evt_1","type":"order.teleported"}';
    expect(
      await reason(Till.webhooks.verify(notEvent, await signPayload(notEvent, secret, NOW_S), secret, { now: NOW_S })),
    ).toBe('invalid_payload');
  });

  it('checks against the real clock by default', async () => {
    const header = await signPayload(body, secret);
    await expect(Till.webhooks.verify(body, header, secret)).resolves.toMatchObject({ type: 'order.paid' });
    const stale = await signPayload(body, secret, Math.floor(Date.now() / 1000) - 600);
    await expect(Till.webhooks.verify(body, stale, secret)).rejects.toMatchObject({
      reason: 'timestamp_outside_tolerance',
    });
  });
});

describe('receipts.verify', () => {
  const claims: ReceiptClaims = {
    iss: 'till',
    sub: ORDER_ID(1),
    mer: MERCHANT,
    amt: 2900,
    cur: 'USD',
    mode: 'test',
    att: `att_${'A'.repeat(20)}`,
    ch: 'sandbox',
    paid_at: NOW_S,
    iat: NOW_S,
  };

  /** A JWKS endpoint whose keys the test changes, counting fetches. */
  function jwksServer(initial: PrivateJwk[]) {
    let keys = initial;
    let fetches = 0;
    const reply: Reply = (request) => {
      fetches += 1;
      expect(request.url.pathname).toBe('/.well-known/jwks.json');
      expect(request.headers.has('authorization')).toBe(false);
      return json({ keys: keys.map(publicJwk) });
    };
    return {
      replies: Array.from({ length: 10 }, () => reply),
      publish: (next: PrivateJwk[]) => (keys = next),
      fetches: () => fetches,
    };
  }

  it('verifies receipts against the JWKS, fetched once and cached', async () => {
    const key = await generateSigningKey();
    const server = jwksServer([key]);
    const { till, advance } = client(server.replies);
    await expect(till.receipts.verify(signReceipt(claims, key))).resolves.toEqual(claims);
    await expect(till.receipts.verify(signReceipt({ ...claims, sub: ORDER_ID(2) }, key))).resolves.toMatchObject({
      sub: ORDER_ID(2),
    });
    expect(server.fetches()).toBe(1);
    advance(JWKS_TTL_MS);
    await till.receipts.verify(signReceipt(claims, key));
    expect(server.fetches()).toBe(2);
  });

  it('fetches one request for concurrent first verifications', async () => {
    const key = await generateSigningKey();
    const server = jwksServer([key]);
    const { till } = client(server.replies);
    await Promise.all([1, 2, 3].map(() => till.receipts.verify(signReceipt(claims, key))));
    expect(server.fetches()).toBe(1);
  });

  it('refetches once on an unknown kid after a rotation, at most once per cooldown', async () => {
    const old = await generateSigningKey();
    const rotated = await generateSigningKey();
    const server = jwksServer([old]);
    const { till, advance } = client(server.replies);
    await till.receipts.verify(signReceipt(claims, old));
    server.publish([rotated, old]);

    // Within the cooldown after the last fetch, an unknown kid is refused without a fetch.
    await expect(till.receipts.verify(signReceipt(claims, rotated))).rejects.toMatchObject({ reason: 'unknown_key' });
    expect(server.fetches()).toBe(1);

    advance(JWKS_REFETCH_COOLDOWN_MS);
    await expect(till.receipts.verify(signReceipt(claims, rotated))).resolves.toEqual(claims);
    expect(server.fetches()).toBe(2);

    // A flood of tokens under keys Till never had costs no further fetch.
    const forger = await generateSigningKey();
    for (let i = 0; i < 20; i++) {
      await expect(till.receipts.verify(signReceipt(claims, forger))).rejects.toBeInstanceOf(TillReceiptError);
    }
    expect(server.fetches()).toBe(2);
    advance(JWKS_REFETCH_COOLDOWN_MS);
    await expect(till.receipts.verify(signReceipt(claims, forger))).rejects.toMatchObject({ reason: 'unknown_key' });
    expect(server.fetches()).toBe(3);
  });

  it('rejects a bad signature, another type, another merchant and a malformed token', async () => {
    const key = await generateSigningKey();
    const server = jwksServer([key]);
    const { till } = client(server.replies);
    const receipt = signReceipt(claims, key);
    const [header, payload, signature = ''] = receipt.split('.');
    const flipped = `${header}.${payload}.${signature.startsWith('A') ? 'B' : 'A'}${signature.slice(1)}`;
    const reason = async (token: string) => ((await rejection(till.receipts.verify(token))) as TillReceiptError).reason;
    expect(await reason(flipped)).toBe('bad_signature');
    const otherPayload = toBase64Url(new TextEncoder().encode(JSON.stringify({ ...claims, amt: 1 })));
    expect(await reason(`${header}.${otherPayload}.${signature}`)).toBe('bad_signature');
    expect(await reason(signReceipt({ ...claims, mer: 'mer_SomeoneElse00000' }, key))).toBe('wrong_merchant');
    const otherMode = claims.mode === 'test' ? 'live' : 'test';
    expect(await reason(signReceipt({ ...claims, mode: otherMode }, key))).toBe('wrong_mode');
    expect(await reason('not-a-token')).toBe('malformed');
    expect(server.fetches()).toBe(1);
  });

  it('lets a JWKS failure through as an API error, deciding nothing', async () => {
    const { till } = client([
      envelope(500, 'api_error', 'internal_error', 'down'),
      envelope(500, 'api_error', 'internal_error', 'down'),
      envelope(500, 'api_error', 'internal_error', 'down'),
    ]);
    const key = await generateSigningKey();
    await expect(till.receipts.verify(signReceipt(claims, key))).rejects.toBeInstanceOf(TillApiError);
  });
});
