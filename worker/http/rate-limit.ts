/**
 * Rate limits on Cloudflare's Workers Rate Limiting binding (`[[ratelimits]]` in wrangler.toml).
 *
 * What the binding is and is not: counters are per Cloudflare location, cached on the machine
 * and synced in the background, so a limit is approximate ("permissive, eventually consistent")
 * and never an accounting system. Locally (wrangler dev, the vitest pool) Miniflare emulates it
 * with one SQLite-backed Durable Object per namespace_id and fixed windows aligned to the clock;
 * production uses a sliding window. The binding answers only `{ success }`: it tells neither
 * how many calls remain nor when the window resets, so `Retry-After` is the whole period — an
 * upper bound, after which the key has room again in either implementation.
 *
 * A binding's limit and period live in wrangler.toml; RATE_LIMITS repeats them only to
 * advertise them (`RateLimit-Policy`, `Retry-After`). The worker tests compare the two.
 */
import type { Context, Env as HonoEnv, MiddlewareHandler } from 'hono';
import { fromBase64Url } from '../../shared/encoding.ts';
import { TillError } from '../../shared/errors.ts';
import type { AppEnv } from '../base/env.ts';
import { hashApiKey, parseApiKey } from '../merchants/api-keys.ts';
import { bearer } from './input.ts';

export type RatePeriod = 10 | 60;

export interface RatePolicy {
  /** Calls allowed per period per key: the binding's `simple.limit`. */
  limit: number;
  /** The binding's `simple.period`; the platform accepts only 10 or 60. */
  periodSeconds: RatePeriod;
}

/** Each rate limiting binding of the worker, as configured in wrangler.toml. */
export const RATE_LIMITS = {
  /** The merchant API, per API key. */
  MERCHANT_KEY_LIMITER: { limit: 100, periodSeconds: 10 },
  /**
   * API key checks that miss the isolate's cache, per client IP. A known key misses about once
   * per 30 s per isolate, so a server holding many merchants' keys stays far below it; made-up
   * keys miss every time.
   */
  KEY_LOOKUP_LIMITER: { limit: 600, periodSeconds: 60 },
  /**
   * Reading a checkout (`GET /v1/checkout/:id`) and opening its live socket (`/live`), per client
   * IP. The widget hears changes over the socket and polls only while it is down (2 s doubling to
   * 15 s, at most ~20 a minute, plus socket retries), and shoppers behind one NAT share an IP.
   */
  CHECKOUT_READ_LIMITER: { limit: 300, periodSeconds: 60 },
  /** Starting payment attempts, per client IP and, separately, per order. */
  CHECKOUT_ATTEMPT_LIMITER: { limit: 20, periodSeconds: 60 },
} as const satisfies Record<string, RatePolicy>;

/** The names in `E`'s bindings whose value is a rate limiting binding. */
export type RateLimitBinding<B> = { [K in keyof B]-?: B[K] extends RateLimit ? K : never }[keyof B] & string;

export interface RateLimitMiddlewareOptions<E extends HonoEnv> extends RatePolicy {
  /** The `[[ratelimits]]` binding that counts. */
  binding: RateLimitBinding<E['Bindings']>;
  /** Names the policy in `RateLimit-Policy`: lowercase letters, digits and dashes. */
  policy: string;
  /** What one counter belongs to (a key hash, an IP, an order). Never a secret: it leaves the worker. */
  key: (c: Context<E>) => string | Promise<string>;
}

const POLICY_NAME = /^[a-z0-9][a-z0-9-]{0,63}$/;
const MAX_KEY_LENGTH = 256;

/**
 * The limits each request was already counted against. Hono runs both `.use('/orders')` and
 * `.use('/orders/*')` for `/orders`; without this, such a route would count every call twice.
 */
const counted = new WeakMap<Request, Set<string>>();

/**
 * Counts each request against `binding` under `key(c)`, once however many of its paths match;
 * past the limit, refuses with 429 `rate_limited` and `Retry-After`. Every response it lets
 * through says `RateLimit-Policy`.
 */
export function rateLimit<E extends HonoEnv>(options: RateLimitMiddlewareOptions<E>): MiddlewareHandler<E> {
  const { binding, policy, key, limit, periodSeconds } = options;
  if (typeof binding !== 'string' || binding === '')
    throw new TypeError('rateLimit needs the name of a [[ratelimits]] binding');
  if (typeof policy !== 'string' || !POLICY_NAME.test(policy))
    throw new TypeError(`rateLimit policy must match ${POLICY_NAME}: ${policy}`);
  if (typeof key !== 'function') throw new TypeError('rateLimit needs a key function');
  if (!Number.isSafeInteger(limit) || limit < 1)
    throw new TypeError(`rateLimit limit must be a positive integer: ${limit}`);
  if (periodSeconds !== 10 && periodSeconds !== 60)
    throw new TypeError(`rateLimit period must be 10 or 60 seconds: ${periodSeconds}`);
  // Draft RateLimit header fields (draft-ietf-httpapi-ratelimit-headers): quota q per window w.
  const policyHeader = `"${policy}";q=${limit};w=${periodSeconds}`;
  const refusal = `Too many requests: retry after ${periodSeconds} seconds`;
  const identity = `${binding} ${policy}`;

  return async function rateLimitMiddleware(c, next) {
    const seen = counted.get(c.req.raw) ?? new Set<string>();
    if (seen.has(identity) || isExempt(c)) return next();
    counted.set(c.req.raw, seen.add(identity));
    const limiter = (c.env as Record<string, unknown> | undefined)?.[binding] as RateLimit | undefined;
    if (typeof limiter?.limit !== 'function') throw new Error(`rate limiting binding ${binding} is not configured`);
    await consume(limiter, binding, (await key(c)).slice(0, MAX_KEY_LENGTH), () =>
      new TillError('rate_limited', refusal).withHeaders({
        'Retry-After': String(periodSeconds),
        'RateLimit-Policy': policyHeader,
      }),
    );
    await next();
    c.header('RateLimit-Policy', policyHeader, { append: true });
  };
}

/** Counts one call; throws `refusal()` past the limit. */
async function consume(limiter: RateLimit, binding: string, counter: string, refusal: () => TillError): Promise<void> {
  let allowed = true;
  try {
    ({ success: allowed } = await limiter.limit({ key: counter }));
  } catch (error) {
    // The limiter is a guard, not a dependency: if it fails, serve rather than refuse everyone.
    console.error('rate limiter failed', { binding, name: (error as Error)?.name });
  }
  if (!allowed) throw refusal();
}

/**
 * Whether the request names a merchant the operator exempted (`TILL_RATE_LIMIT_EXEMPT`): by its
 * API key, or by its client token's `mer` claim. Read before the key or token is checked, as the
 * limits themselves are: a forged one gains nothing past the check that follows, and with no
 * exempt merchant configured (production) nothing is read at all.
 */
function isExempt(c: Context): boolean {
  const exempt = (c.env as { TILL_RATE_LIMIT_EXEMPT?: string } | undefined)?.TILL_RATE_LIMIT_EXEMPT;
  if (!exempt) return false;
  const merchant = claimedMerchant(bearer(c) || c.req.query('key') || '');
  return merchant !== null && exempt.split(',').some((id) => id.trim() === merchant);
}

/** The merchant an API key or a client token names, unverified; null for anything else. */
function claimedMerchant(credential: string): string | null {
  const key = parseApiKey(credential);
  if (key) return key.merchantId;
  const payload = credential.split('.')[1];
  if (!payload) return null;
  try {
    const claims = JSON.parse(new TextDecoder().decode(fromBase64Url(payload))) as { mer?: unknown };
    return typeof claims.mer === 'string' ? claims.mer : null;
  } catch {
    return null;
  }
}

// --- Keys ---------------------------------------------------------------------------------

/** Stands in for the client address when there is none (local dev, the vitest pool). */
export const LOCAL_CLIENT = 'local';

/**
 * The client as the rate limiter sees it: `CF-Connecting-IP`, an IPv6 address reduced to its
 * /64 (one subscriber usually holds a whole /64), or LOCAL_CLIENT when the header is absent.
 */
export function clientAddress(header: string | null | undefined): string {
  const ip = header?.trim().toLowerCase().slice(0, 64);
  if (!ip) return LOCAL_CLIENT;
  if (!ip.includes(':')) return ip;
  const dotted = /:(\d{1,3}(?:\.\d{1,3}){3})$/.exec(ip);
  if (dotted?.[1]) return dotted[1]; // IPv4-mapped (::ffff:192.0.2.1): the IPv4 address
  return ipv6Prefix64(ip) ?? ip;
}

function ipv6Prefix64(ip: string): string | null {
  const halves = ip.split('::');
  if (halves.length > 2) return null;
  const head = halves[0] ? halves[0].split(':') : [];
  const tail = halves.length === 2 && halves[1] ? halves[1].split(':') : [];
  const missing = 8 - head.length - tail.length;
  if (halves.length === 1 ? missing !== 0 : missing < 1) return null;
  const groups = [...head, ...Array<string>(halves.length === 2 ? missing : 0).fill('0'), ...tail];
  if (!groups.every((group) => /^[0-9a-f]{1,4}$/.test(group))) return null;
  return `${groups
    .slice(0, 4)
    .map((group) => group.replace(/^0+(?=.)/, ''))
    .join(':')}::/64`;
}

/** Per client IP. */
export const byClientIp = (c: Context): string => `ip:${clientAddress(c.req.header('cf-connecting-ip'))}`;

/**
 * Per API key, by the key's SHA-256 (`hashApiKey`), never the key itself; the key as presented
 * (bearer, or `?key=` where publishable keys may travel), so it can run before `merchantAuth`
 * and refuse before the merchant object is asked. A publishable key is shared by every
 * shopper's browser, so for `pk_` keys the client IP is part of the counter, or one busy shop
 * would throttle itself. Requests without a key are counted per client IP.
 */
export async function byApiKey(c: Context): Promise<string> {
  const apiKey = bearer(c) || c.req.query('key');
  if (!apiKey) return `anonymous:${byClientIp(c)}`;
  const counter = `key:${await hashApiKey(apiKey)}`;
  return apiKey.startsWith('pk_') ? `${counter}:${byClientIp(c)}` : counter;
}

/** What byOrder needs of the route: the claims `clientTokenAuth` verified. */
export type ClaimsEnv = AppEnv & { Variables: { claims: { sub: string } } };

/** Per order: the verified client token's subject. Mount after `clientTokenAuth`. */
export function byOrder(c: Context<ClaimsEnv>): string {
  const claims = c.get('claims') as { sub: string } | undefined;
  // Keyed on the route's id before the token is checked, anyone could spend a victim order's budget.
  if (!claims?.sub) throw new Error('byOrder needs the verified client token: mount it after clientTokenAuth');
  return `order:${claims.sub}`;
}

/**
 * API key lookups that miss the isolate's cache, per client IP: made-up keys would otherwise each
 * get a fresh per-key counter and reach a merchant object on every request.
 */
export async function limitKeyLookups(c: Pick<Context<AppEnv>, 'env' | 'req'>): Promise<void> {
  const { periodSeconds } = RATE_LIMITS.KEY_LOOKUP_LIMITER;
  await consume(c.env.KEY_LOOKUP_LIMITER, 'KEY_LOOKUP_LIMITER', `lookup:${byClientIp(c as Context)}`, () =>
    new TillError(
      'rate_limited',
      `Too many API key checks from this address: retry after ${periodSeconds} seconds`,
    ).withHeaders({
      'Retry-After': String(periodSeconds),
    }),
  );
}

// --- The limits the routes mount ----------------------------------------------------------

/** The merchant API per API key; mount on the sub-apps' paths, before or after `merchantAuth`. */
export const merchantKeyRateLimit = (): MiddlewareHandler<AppEnv> =>
  rateLimit<AppEnv>({
    binding: 'MERCHANT_KEY_LIMITER',
    policy: 'merchant-key',
    key: byApiKey,
    ...RATE_LIMITS.MERCHANT_KEY_LIMITER,
  });

/** `GET /v1/checkout/:id` per client IP; mount before `clientTokenAuth` so bad tokens count too. */
export const checkoutReadRateLimit = (): MiddlewareHandler<AppEnv> =>
  rateLimit<AppEnv>({
    binding: 'CHECKOUT_READ_LIMITER',
    policy: 'checkout-ip',
    key: byClientIp,
    ...RATE_LIMITS.CHECKOUT_READ_LIMITER,
  });

/** `POST /v1/checkout/:id/attempts` per client IP; mount before `clientTokenAuth`. */
export const attemptIpRateLimit = (): MiddlewareHandler<AppEnv> =>
  rateLimit<AppEnv>({
    binding: 'CHECKOUT_ATTEMPT_LIMITER',
    policy: 'attempts-ip',
    key: byClientIp,
    ...RATE_LIMITS.CHECKOUT_ATTEMPT_LIMITER,
  });

/** `POST /v1/checkout/:id/attempts` per order; mount after `clientTokenAuth`. */
export const attemptOrderRateLimit = (): MiddlewareHandler<ClaimsEnv> =>
  rateLimit<ClaimsEnv>({
    binding: 'CHECKOUT_ATTEMPT_LIMITER',
    policy: 'attempts-order',
    key: byOrder,
    ...RATE_LIMITS.CHECKOUT_ATTEMPT_LIMITER,
  });
