/**
 * The client's options, checked once at construction so a misconfigured server fails at start-up
 * with a message saying what to fix, not at its first payment.
 */
import type { RequestSigningKey } from '../shared/request-signature.ts';

/** The part of `fetch` the SDK uses: it always passes a URL string and an init. */
export type FetchLike = (url: string, init: RequestInit) => Promise<Response>;

export interface TillOptions {
  /** Secret key (`sk_test_…`, `sk_live_…`) or restricted key (`rk_…`). Never ship it to a browser. */
  secretKey: string;
  /** Where Till runs, e.g. `https://till.example.com` (a path prefix is kept). */
  baseUrl: string;
  /** Defaults to the global `fetch`. On Workers, a service binding's `fetch` works too. */
  fetch?: FetchLike;
  /** Retries after the first try, on network errors, timeouts, 5xx, 429 and 409 `idempotency_key_in_use`. Default 2. */
  maxRetries?: number;
  /** Per try, including reading the body. Default 30 000 ms. */
  timeoutMs?: number;
  /** Signs every request (`Till-Signature`) with the request-signing secret or a registered Ed25519 key. */
  signing?: RequestSigningKey;
  /** Waits between retries; injectable so tests need no timers. */
  sleep?: (ms: number) => Promise<void>;
  /** Milliseconds since the epoch; injectable for tests (signature timestamps, the JWKS cache). */
  now?: () => number;
}

export interface ResolvedOptions {
  secretKey: string;
  baseUrl: string;
  fetch: FetchLike;
  maxRetries: number;
  timeoutMs: number;
  signing: RequestSigningKey | null;
  sleep: (ms: number) => Promise<void>;
  now: () => number;
}

export const OPTION_ERRORS = {
  secretKey: 'Till: secretKey must be a secret key like sk_test_…, sk_live_… or a restricted key rk_…',
  publishableKey:
    'Till: secretKey is a publishable key (pk_…); ' +
    'the server SDK needs the secret key (sk_…) or a restricted key (rk_…)',
  baseUrl: 'Till: baseUrl must be an http(s) URL like https://till.example.com',
  fetch: 'Till: fetch must be a function; no global fetch is available here',
  maxRetries: 'Till: maxRetries must be an integer from 0 to 10',
  timeoutMs: 'Till: timeoutMs must be a positive integer of milliseconds',
  signing:
    'Till: signing must be { secret } (the request-signing secret, ' +
    'at least 16 characters) or { privateKey, kid? } (a 32-byte Ed25519 private key)',
  sleep: 'Till: sleep must be a function',
  now: 'Till: now must be a function',
} as const;

const SECRET_KEY = /^(?:sk_(?:test|live)|rk)_[0-9A-Za-z_]{8,}$/;
const KID = /^[0-9A-Za-z_-]{1,64}$/;

const defaultSleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

export function resolveOptions(options: TillOptions): ResolvedOptions {
  if (typeof options !== 'object' || options === null) throw new TypeError(OPTION_ERRORS.secretKey);
  const { secretKey } = options;
  if (typeof secretKey === 'string' && secretKey.startsWith('pk_')) throw new TypeError(OPTION_ERRORS.publishableKey);
  if (typeof secretKey !== 'string' || !SECRET_KEY.test(secretKey)) throw new TypeError(OPTION_ERRORS.secretKey);

  const fetchImpl =
    options.fetch ?? (typeof fetch === 'function' ? (url: string, init: RequestInit) => fetch(url, init) : undefined);
  if (typeof fetchImpl !== 'function') throw new TypeError(OPTION_ERRORS.fetch);

  const maxRetries = options.maxRetries ?? 2;
  if (!Number.isInteger(maxRetries) || maxRetries < 0 || maxRetries > 10) throw new TypeError(OPTION_ERRORS.maxRetries);
  const timeoutMs = options.timeoutMs ?? 30_000;
  if (!Number.isInteger(timeoutMs) || timeoutMs <= 0) throw new TypeError(OPTION_ERRORS.timeoutMs);
  if (options.sleep !== undefined && typeof options.sleep !== 'function') throw new TypeError(OPTION_ERRORS.sleep);
  if (options.now !== undefined && typeof options.now !== 'function') throw new TypeError(OPTION_ERRORS.now);

  return {
    secretKey,
    baseUrl: resolveBaseUrl(options.baseUrl),
    fetch: fetchImpl,
    maxRetries,
    timeoutMs,
    signing: options.signing === undefined ? null : resolveSigning(options.signing),
    sleep: options.sleep ?? defaultSleep,
    now: options.now ?? Date.now,
  };
}

/** The base URL without a trailing slash, query or fragment. */
function resolveBaseUrl(value: unknown): string {
  let url: URL;
  try {
    url = new URL(String(value));
  } catch {
    throw new TypeError(OPTION_ERRORS.baseUrl);
  }
  if (
    typeof value !== 'string' ||
    (url.protocol !== 'https:' && url.protocol !== 'http:') ||
    url.search ||
    url.hash ||
    url.username
  ) {
    throw new TypeError(OPTION_ERRORS.baseUrl);
  }
  return `${url.origin}${url.pathname.replace(/\/+$/, '')}`;
}

function resolveSigning(value: unknown): RequestSigningKey {
  if (typeof value === 'object' && value !== null) {
    if ('secret' in value && typeof value.secret === 'string' && value.secret.length >= 16)
      return { secret: value.secret };
    if ('privateKey' in value && value.privateKey instanceof Uint8Array && value.privateKey.length === 32) {
      const kid = 'kid' in value ? value.kid : undefined;
      if (kid === undefined) return { privateKey: value.privateKey };
      if (typeof kid === 'string' && KID.test(kid)) return { privateKey: value.privateKey, kid };
    }
  }
  throw new TypeError(OPTION_ERRORS.signing);
}

/** The mode a key works in (`sk_live_…` → live). */
export function modeOfKey(key: string): 'test' | 'live' | null {
  return (/^(?:sk|rk)_(test|live)_/.exec(key)?.[1] as 'test' | 'live' | undefined) ?? null;
}

/** The merchant id a key carries (`sk_test_<16>_…` → `mer_<16>`), or null for keys that do not show it. */
export function merchantIdOfKey(key: string): string | null {
  const match = /^(?:sk|rk)_(?:test|live)_([0-9A-Za-z]{16})_/.exec(key);
  return match ? `mer_${match[1]}` : null;
}
