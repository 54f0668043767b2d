/// <reference types="vite/client" />
/**
 * The rate limiter on a small Hono app with the worker's own request ids and error handler.
 * Most tests count with a fake binding (exact, no clock); one runs on Miniflare's emulation of
 * the real binding (TEST_LIMITER in vitest.config.ts: 3 calls per 60 s).
 */
import { env } from 'cloudflare:test';
import { type ErrorHandler, Hono, type MiddlewareHandler } from 'hono';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { ErrorEnvelope } from '../../shared/errors.ts';
import type { AppVariables, Env } from '../../worker/base/env.ts';
import { merchantAuth } from '../../worker/http/auth.ts';
import { onError, requestId } from '../../worker/http/errors.ts';
import {
  attemptOrderRateLimit,
  byApiKey,
  byClientIp,
  clientAddress,
  LOCAL_CLIENT,
  RATE_LIMITS,
  type RateLimitMiddlewareOptions,
  rateLimit,
} from '../../worker/http/rate-limit.ts';
import { hashApiKey } from '../../worker/merchants/api-keys.ts';
import wranglerToml from '../../wrangler.toml?raw';

interface TestBindings extends Env {
  FAKE_LIMITER: RateLimit;
  TEST_LIMITER: RateLimit;
}
type TestEnv = { Bindings: TestBindings; Variables: AppVariables & { claims: { sub: string } } };
/** The worker's error handler; it reads nothing but the request id of the context. */
const handleErrors = onError as unknown as ErrorHandler<TestEnv>;

/** Counts like the binding, without a clock: `limit` calls per key, then refusals. */
function fakeLimiter(limit: number) {
  const counts = new Map<string, number>();
  const keys: string[] = [];
  const limiter: RateLimit = {
    async limit({ key }) {
      keys.push(key);
      const count = (counts.get(key) ?? 0) + 1;
      counts.set(key, count);
      return { success: count <= limit };
    },
  };
  return { limiter, keys };
}

type Options = Partial<RateLimitMiddlewareOptions<TestEnv>>;

function appWith(options: Options = {}, before: MiddlewareHandler<TestEnv>[] = []) {
  return new Hono<TestEnv>()
    .use(requestId())
    .use(
      '/limited/*',
      ...before,
      rateLimit<TestEnv>({
        binding: 'FAKE_LIMITER',
        policy: 'test',
        limit: 2,
        periodSeconds: 10,
        key: byClientIp,
        ...options,
      }),
    )
    .get('/limited/:name', (c) => c.json({ ok: true, name: c.req.param('name') }))
    .onError(handleErrors);
}

async function send(
  app: Hono<TestEnv>,
  bindings: Partial<TestBindings>,
  path: string,
  headers: Record<string, string> = {},
) {
  const response = await app.request(path, { headers }, bindings);
  return {
    status: response.status,
    headers: response.headers,
    body: (await response.json()) as ErrorEnvelope & { ok?: boolean },
  };
}

const ip = (address: string) => ({ 'cf-connecting-ip': address });

afterEach(() => {
  vi.restoreAllMocks();
});

describe('rateLimit', () => {
  it('lets calls under the limit through and names its policy', async () => {
    const { limiter, keys } = fakeLimiter(2);
    const app = appWith();
    for (let i = 0; i < 2; i++) {
      const { status, headers, body } = await send(app, { FAKE_LIMITER: limiter }, '/limited/a', ip('198.51.100.7'));
      expect(status).toBe(200);
      expect(body.ok).toBe(true);
      expect(headers.get('ratelimit-policy')).toBe('"test";q=2;w=10');
    }
    expect(keys).toEqual(['ip:198.51.100.7', 'ip:198.51.100.7']);
  });

  it('does not count an exempted merchant (by API key or client token), and only where configured', async () => {
    const { limiter, keys } = fakeLimiter(1);
    const app = appWith();
    const exempt = 'mer_BenchBench123456';
    const keyOf = (merchant: string) => `sk_test_${merchant.slice(4)}_${'s'.repeat(32)}`;
    const tokenOf = (merchant: string) =>
      `eyJhbGciOiJFZERTQSJ9.${btoa(JSON.stringify({ sub: 'ord_x', mer: merchant })).replace(/=+$/, '')}.sig`;
    const bindings = { FAKE_LIMITER: limiter, TILL_RATE_LIMIT_EXEMPT: `mer_OtherOther123456, ${exempt}` };
    for (const credential of [keyOf(exempt), keyOf(exempt), tokenOf(exempt), tokenOf(exempt)]) {
      const { status } = await send(app, bindings, '/limited/a', { authorization: `Bearer ${credential}` });
      expect(status).toBe(200);
    }
    expect(keys).toEqual([]);
    // Another merchant is counted as ever, and so is everyone where no merchant is exempted.
    const other = { authorization: `Bearer ${keyOf('mer_Someone123456789')}` };
    expect((await send(app, bindings, '/limited/a', other)).status).toBe(200);
    expect((await send(app, bindings, '/limited/a', other)).status).toBe(429);
    const unset = { authorization: `Bearer ${keyOf(exempt)}`, ...ip('198.51.100.9') };
    expect((await send(app, { FAKE_LIMITER: limiter }, '/limited/a', unset)).status).toBe(200);
    expect((await send(app, { FAKE_LIMITER: limiter }, '/limited/a', unset)).status).toBe(429);
  });

  it('refuses the call over the limit with 429 rate_limited, Retry-After and a request id', async () => {
    const { limiter } = fakeLimiter(2);
    const app = appWith();
    await send(app, { FAKE_LIMITER: limiter }, '/limited/a', ip('198.51.100.7'));
    await send(app, { FAKE_LIMITER: limiter }, '/limited/a', ip('198.51.100.7'));
    const { status, headers, body } = await send(app, { FAKE_LIMITER: limiter }, '/limited/a', ip('198.51.100.7'));

    expect(status).toBe(429);
    expect(body.error).toEqual({
      type: 'rate_limit_error',
      code: 'rate_limited',
      message: 'Too many requests: retry after 10 seconds',
      request_id: expect.stringMatching(/^req_/),
    });
    expect(headers.get('retry-after')).toBe('10');
    expect(Number(headers.get('retry-after'))).toBeGreaterThan(0);
    expect(headers.get('request-id')).toBe(body.error.request_id);
    expect(headers.get('ratelimit-policy')).toBe('"test";q=2;w=10');
    expect(headers.get('content-type')).toMatch(/^application\/json/);
  });

  it('counts each client IP on its own', async () => {
    const { limiter } = fakeLimiter(2);
    const app = appWith();
    for (let i = 0; i < 3; i++) await send(app, { FAKE_LIMITER: limiter }, '/limited/a', ip('198.51.100.7'));
    expect((await send(app, { FAKE_LIMITER: limiter }, '/limited/a', ip('198.51.100.7'))).status).toBe(429);
    expect((await send(app, { FAKE_LIMITER: limiter }, '/limited/a', ip('198.51.100.8'))).status).toBe(200);
    expect((await send(app, { FAKE_LIMITER: limiter }, '/limited/a', ip('2001:db8::1'))).status).toBe(200);
  });

  it('counts an IPv6 /64 as one client', async () => {
    const { limiter } = fakeLimiter(2);
    const app = appWith();
    expect((await send(app, { FAKE_LIMITER: limiter }, '/limited/a', ip('2001:db8:1:2::1'))).status).toBe(200);
    expect(
      (await send(app, { FAKE_LIMITER: limiter }, '/limited/a', ip('2001:db8:1:2:aaaa:bbbb:cccc:dddd'))).status,
    ).toBe(200);
    expect((await send(app, { FAKE_LIMITER: limiter }, '/limited/a', ip('2001:db8:1:2::ffff'))).status).toBe(429);
    expect((await send(app, { FAKE_LIMITER: limiter }, '/limited/a', ip('2001:db8:1:3::1'))).status).toBe(200);
  });

  it('treats requests without CF-Connecting-IP (local dev) as one local client', async () => {
    const { limiter, keys } = fakeLimiter(2);
    const app = appWith();
    const statuses = [];
    for (let i = 0; i < 3; i++) statuses.push((await send(app, { FAKE_LIMITER: limiter }, '/limited/a')).status);
    expect(statuses).toEqual([200, 200, 429]);
    expect(keys).toEqual([`ip:${LOCAL_CLIENT}`, `ip:${LOCAL_CLIENT}`, `ip:${LOCAL_CLIENT}`]);
  });

  it('counts per API key by its hash, never the key itself, and keys are independent', async () => {
    const { limiter, keys } = fakeLimiter(2);
    const app = appWith({ key: byApiKey });
    const first = `sk_test_${'A'.repeat(16)}_${'a'.repeat(32)}`;
    const second = `rk_test_${'A'.repeat(16)}_${'b'.repeat(32)}`;
    const auth = (key: string) => ({ authorization: `Bearer ${key}`, ...ip('198.51.100.7') });
    for (let i = 0; i < 2; i++)
      expect((await send(app, { FAKE_LIMITER: limiter }, '/limited/a', auth(first))).status).toBe(200);
    expect((await send(app, { FAKE_LIMITER: limiter }, '/limited/a', auth(first))).status).toBe(429);
    expect((await send(app, { FAKE_LIMITER: limiter }, '/limited/a', auth(second))).status).toBe(200);
    expect(keys[0]).toBe(`key:${await hashApiKey(first)}`);
    expect(keys.at(-1)).toBe(`key:${await hashApiKey(second)}`);
    for (const key of keys) expect(key).not.toContain('_test_');
  });

  it('counts a publishable key per client IP: its shoppers do not share one budget', async () => {
    const { limiter, keys } = fakeLimiter(2);
    const app = appWith({ key: byApiKey });
    const publishable = `pk_test_${'A'.repeat(16)}_${'c'.repeat(32)}`;
    for (let i = 0; i < 3; i++)
      await send(app, { FAKE_LIMITER: limiter }, `/limited/a?key=${publishable}`, ip('198.51.100.7'));
    expect(
      (await send(app, { FAKE_LIMITER: limiter }, `/limited/a?key=${publishable}`, ip('198.51.100.7'))).status,
    ).toBe(429);
    expect(
      (await send(app, { FAKE_LIMITER: limiter }, `/limited/a?key=${publishable}`, ip('198.51.100.8'))).status,
    ).toBe(200);
    expect(keys[0]).toBe(`key:${await hashApiKey(publishable)}:ip:198.51.100.7`);
  });

  it('counts requests without an API key per client IP, not in one bucket for all', async () => {
    const { limiter, keys } = fakeLimiter(2);
    const app = appWith({ key: byApiKey });
    for (let i = 0; i < 3; i++) await send(app, { FAKE_LIMITER: limiter }, '/limited/a', ip('198.51.100.7'));
    expect(
      (await send(app, { FAKE_LIMITER: limiter }, '/limited/a', { authorization: 'Bearer', ...ip('198.51.100.7') }))
        .status,
    ).toBe(429);
    expect((await send(app, { FAKE_LIMITER: limiter }, '/limited/a', ip('198.51.100.8'))).status).toBe(200);
    expect(new Set(keys)).toEqual(new Set(['anonymous:ip:198.51.100.7', 'anonymous:ip:198.51.100.8']));
  });

  it('counts attempts per order from the verified claims, and refuses to run without them', async () => {
    const { limiter, keys } = fakeLimiter(20);
    const claimsFrom: MiddlewareHandler<TestEnv> = async (c, next) => {
      c.set('claims', { sub: c.req.param('name') ?? '' });
      await next();
    };
    const withClaims = new Hono<TestEnv>()
      .use(requestId())
      .use('/limited/:name', claimsFrom, attemptOrderRateLimit())
      .get('/limited/:name', (c) => c.json({ ok: true }))
      .onError(handleErrors);
    const bindings = { CHECKOUT_ATTEMPT_LIMITER: limiter };
    for (let i = 0; i < 20; i++) expect((await send(withClaims, bindings, '/limited/ord_1')).status).toBe(200);
    const refused = await send(withClaims, bindings, '/limited/ord_1');
    expect(refused.status).toBe(429);
    expect(refused.headers.get('retry-after')).toBe(String(RATE_LIMITS.CHECKOUT_ATTEMPT_LIMITER.periodSeconds));
    expect(refused.headers.get('ratelimit-policy')).toBe('"attempts-order";q=20;w=60');
    expect((await send(withClaims, bindings, '/limited/ord_2')).status).toBe(200);
    expect(new Set(keys)).toEqual(new Set(['order:ord_1', 'order:ord_2']));

    vi.spyOn(console, 'error').mockImplementation(() => {});
    const withoutClaims = new Hono<TestEnv>()
      .use(requestId())
      .use('/limited/:name', attemptOrderRateLimit())
      .get('/limited/:name', (c) => c.json({ ok: true }))
      .onError(handleErrors);
    const misplaced = await send(withoutClaims, bindings, '/limited/ord_3');
    expect(misplaced.status).toBe(500);
    expect(misplaced.body.error.code).toBe('internal_error');
  });

  it('counts a request once when overlapping paths mount the same limit, and each other limit once', async () => {
    const { limiter, keys } = fakeLimiter(2);
    const options = { binding: 'FAKE_LIMITER', policy: 'test', limit: 2, periodSeconds: 10, key: byClientIp } as const;
    const app = new Hono<TestEnv>()
      .use(requestId())
      .use('/orders', rateLimit<TestEnv>(options))
      .use('/orders/*', rateLimit<TestEnv>(options))
      .use('/orders/*', rateLimit<TestEnv>({ ...options, policy: 'other', key: () => 'other' }))
      .get('/orders', (c) => c.json({ ok: true }))
      .onError(handleErrors);
    const statuses = [];
    for (let i = 0; i < 3; i++)
      statuses.push((await send(app, { FAKE_LIMITER: limiter }, '/orders', ip('198.51.100.7'))).status);
    expect(statuses).toEqual([200, 200, 429]);
    expect(keys).toEqual(['ip:198.51.100.7', 'other', 'ip:198.51.100.7', 'other', 'ip:198.51.100.7']);
    const { headers } = await send(app, { FAKE_LIMITER: fakeLimiter(2).limiter }, '/orders', ip('198.51.100.7'));
    expect(headers.get('ratelimit-policy')).toBe('"other";q=2;w=10, "test";q=2;w=10');
  });

  it('serves the request when the limiter itself fails', async () => {
    const error = vi.spyOn(console, 'error').mockImplementation(() => {});
    const broken: RateLimit = {
      limit: () => Promise.reject(new Error('rate limiting service unavailable')),
    };
    const { status } = await send(appWith(), { FAKE_LIMITER: broken }, '/limited/a', ip('198.51.100.7'));
    expect(status).toBe(200);
    expect(error).toHaveBeenCalledWith('rate limiter failed', { binding: 'FAKE_LIMITER', name: 'Error' });
  });

  it('fails loudly when its binding is missing', async () => {
    vi.spyOn(console, 'error').mockImplementation(() => {});
    const { status, body } = await send(appWith(), {}, '/limited/a', ip('198.51.100.7'));
    expect(status).toBe(500);
    expect(body.error.code).toBe('internal_error');
  });

  it('checks its options once, when it is built', () => {
    const valid = { binding: 'FAKE_LIMITER', policy: 'test', limit: 2, periodSeconds: 10, key: byClientIp } as const;
    expect(() => rateLimit<TestEnv>(valid)).not.toThrow();
    expect(() => rateLimit<TestEnv>({ ...valid, periodSeconds: 30 as 10 })).toThrow(/10 or 60/);
    expect(() => rateLimit<TestEnv>({ ...valid, limit: 0 })).toThrow(/positive integer/);
    expect(() => rateLimit<TestEnv>({ ...valid, limit: 1.5 })).toThrow(/positive integer/);
    expect(() => rateLimit<TestEnv>({ ...valid, policy: 'Has "quotes"' })).toThrow(/policy/);
    expect(() => rateLimit<TestEnv>({ ...valid, binding: '' as 'FAKE_LIMITER' })).toThrow(/binding/);
    expect(() => rateLimit<TestEnv>({ ...valid, key: undefined as never })).toThrow(/key/);
  });
});

describe('API key lookups', () => {
  it('are counted per client IP, so made-up keys cannot each reach a merchant object', async () => {
    const { limiter, keys } = fakeLimiter(2);
    const app = new Hono<TestEnv>()
      .use(requestId())
      .use('/x', merchantAuth({ roles: ['secret'] }) as unknown as MiddlewareHandler<TestEnv>)
      .get('/x', (c) => c.json({ ok: true }))
      .onError(handleErrors);
    const madeUp = () => `sk_test_${'A'.repeat(16)}_${crypto.randomUUID().replaceAll('-', '')}`;
    const attempt = () =>
      send(app, { ...env, KEY_LOOKUP_LIMITER: limiter }, '/x', {
        ...ip('203.0.113.9'),
        authorization: `Bearer ${madeUp()}`,
      });
    expect((await attempt()).body.error.code).toBe('invalid_api_key');
    expect((await attempt()).body.error.code).toBe('invalid_api_key');
    const third = await attempt();
    expect(third.status).toBe(429);
    expect(third.body.error.code).toBe('rate_limited');
    expect(third.headers.get('retry-after')).toBe('60');
    expect(keys).toEqual(['lookup:ip:203.0.113.9', 'lookup:ip:203.0.113.9', 'lookup:ip:203.0.113.9']);
  });
});

describe('clientAddress', () => {
  it.each([
    [undefined, LOCAL_CLIENT],
    ['', LOCAL_CLIENT],
    ['  ', LOCAL_CLIENT],
    ['203.0.113.9', '203.0.113.9'],
    ['2001:db8:1:2:3:4:5:6', '2001:db8:1:2::/64'],
    ['2001:0DB8:0001:0002:ffff::1', '2001:db8:1:2::/64'],
    ['2001:db8::', '2001:db8:0:0::/64'],
    ['::1', '0:0:0:0::/64'],
    ['::ffff:192.0.2.1', '192.0.2.1'],
    ['1::2::3', '1::2::3'],
    ['not-an-ip', 'not-an-ip'],
  ])('%j → %s', (header, expected) => {
    expect(clientAddress(header)).toBe(expected);
  });
});

describe('the Workers Rate Limiting binding, as Miniflare emulates it', () => {
  /**
   * Miniflare counts in fixed windows aligned to the clock (a new one every 60 s on the
   * minute): a burst that straddled two windows would be counted twice from zero. Start the
   * burst with at least 5 s of its window left.
   */
  async function startOfRoomyWindow(periodSeconds: number) {
    const left = periodSeconds * 1000 - (Date.now() % (periodSeconds * 1000));
    if (left < 5_000) await new Promise((resolve) => setTimeout(resolve, left + 100));
  }

  it('refuses the fourth call of three per minute, per key', { timeout: 15_000 }, async () => {
    const testEnv = env as unknown as TestBindings;
    const app = appWith({ binding: 'TEST_LIMITER', limit: 3, periodSeconds: 60 });
    const client = `198.51.100.${Math.floor(Math.random() * 200) + 1}`;
    const other = `2001:db8:${Math.floor(Math.random() * 0xffff).toString(16)}::1`;
    await startOfRoomyWindow(60);
    const statuses = [];
    for (let i = 0; i < 4; i++) statuses.push((await send(app, testEnv, '/limited/a', ip(client))).status);
    expect(statuses).toEqual([200, 200, 200, 429]);
    const refused = await send(app, testEnv, '/limited/a', ip(client));
    expect(refused.status).toBe(429);
    expect(refused.body.error.code).toBe('rate_limited');
    expect(refused.headers.get('retry-after')).toBe('60');
    expect(refused.headers.get('request-id')).toMatch(/^req_/);
    expect((await send(app, testEnv, '/limited/a', ip(other))).status).toBe(200);
  });
});

describe('wrangler.toml', () => {
  /** The [[ratelimits]] blocks, read as text: name, limit and period of each. */
  function configuredLimits(toml: string) {
    const blocks = toml.split(/^\[\[ratelimits\]\]\s*$/m).slice(1);
    return Object.fromEntries(
      blocks.map((block) => {
        const name = /^name\s*=\s*"([A-Z_]+)"/m.exec(block)?.[1];
        const simple = /^simple\s*=\s*\{\s*limit\s*=\s*(\d+)\s*,\s*period\s*=\s*(\d+)\s*\}/m.exec(block);
        return [name, { limit: Number(simple?.[1]), periodSeconds: Number(simple?.[2]) }];
      }),
    );
  }

  it('configures each binding with the limits RATE_LIMITS advertises', () => {
    expect(configuredLimits(wranglerToml)).toEqual(RATE_LIMITS);
  });

  it('gives each binding its own namespace', () => {
    const ids = [...wranglerToml.matchAll(/^namespace_id\s*=\s*"(\d+)"/gm)].map((match) => match[1]);
    expect(ids).toHaveLength(Object.keys(RATE_LIMITS).length);
    expect(new Set(ids).size).toBe(ids.length);
  });

  it('binds each limiter in the worker', () => {
    for (const name of Object.keys(RATE_LIMITS))
      expect(typeof (env as unknown as Record<string, RateLimit>)[name]?.limit).toBe('function');
  });
});
