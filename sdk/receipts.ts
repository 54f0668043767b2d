/**
 * Receipt verification against Till's published keys. The JWKS is fetched on first use, kept for
 * ten minutes, and fetched again once when a receipt names a key it does not hold (a rotation),
 * at most once per cooldown so a flood of forged tokens cannot turn into a flood of fetches.
 */
import { fromBase64Url, fromUtf8 } from '../shared/encoding.ts';
import { JwsError, type PublicJwk } from '../shared/jws.ts';
import { JwksSchema } from '../shared/schemas.ts';
import { type ReceiptClaims, verifyReceipt } from '../shared/tokens.ts';
import { TillReceiptError } from './errors.ts';
import type { HttpClient } from './http.ts';
import { merchantIdOfKey, modeOfKey } from './options.ts';

export const JWKS_TTL_MS = 10 * 60_000;
export const JWKS_REFETCH_COOLDOWN_MS = 30_000;

interface CachedKeys {
  keys: PublicJwk[];
  fetchedAt: number;
}

export class Receipts {
  readonly #http: HttpClient;
  readonly #merchantId: string | null;
  readonly #mode: 'test' | 'live' | null;
  #cache: CachedKeys | null = null;
  #inflight: Promise<CachedKeys> | null = null;
  /** When the last fetch started, successful or not: the cooldown counts from it. */
  #lastFetchAt = Number.NEGATIVE_INFINITY;

  constructor(http: HttpClient) {
    this.#http = http;
    this.#merchantId = merchantIdOfKey(http.options.secretKey);
    this.#mode = modeOfKey(http.options.secretKey);
  }

  /**
   * The receipt's claims when it is Till's signature over a payment to this merchant. Throws
   * `TillReceiptError` when it is not, and `TillApiError`/`TillConnectionError` when the keys
   * could not be fetched (nothing was decided then).
   */
  async verify(token: string): Promise<ReceiptClaims> {
    const kid = keyIdOf(token);
    if (kid === null) throw new TillReceiptError('malformed', 'Not a valid receipt: token is not a compact JWS');
    const keys = await this.keysFor(kid);
    let claims: ReceiptClaims;
    try {
      claims = verifyReceipt(token, keys, Math.floor(this.#http.options.now() / 1000));
    } catch (error) {
      if (error instanceof JwsError) throw new TillReceiptError(error.reason, `Not a valid receipt: ${error.message}`);
      throw new TillReceiptError('invalid_claims', 'Not a valid receipt: its claims are not a Till receipt');
    }
    if (this.#merchantId !== null && claims.mer !== this.#merchantId) {
      throw new TillReceiptError('wrong_merchant', 'The receipt is for another merchant');
    }
    // A sandbox payment must never pass for a live one (or the other way round).
    if (this.#mode !== null && claims.mode !== this.#mode) {
      throw new TillReceiptError(
        'wrong_mode',
        `The receipt is for a ${claims.mode} order; this client uses a ${this.#mode} key`,
      );
    }
    return claims;
  }

  /**
   * Till's public keys from the cached JWKS, fetched again when stale or (once per cooldown) when
   * `kid` is not among them. Webhook Ed25519 signatures are checked against the same keys.
   */
  async keysFor(kid: string): Promise<PublicJwk[]> {
    const now = this.#http.options.now();
    let cache = this.#cache;
    if (!cache || now - cache.fetchedAt >= JWKS_TTL_MS) cache = await this.#refresh();
    else if (!cache.keys.some((key) => key.kid === kid) && now - this.#lastFetchAt >= JWKS_REFETCH_COOLDOWN_MS) {
      cache = await this.#refresh();
    }
    return cache.keys;
  }

  /** One fetch at a time, whatever the number of receipts waiting on it. */
  #refresh(): Promise<CachedKeys> {
    if (this.#inflight) return this.#inflight;
    this.#lastFetchAt = this.#http.options.now();
    this.#inflight = this.#http
      .request({ method: 'GET', path: '/.well-known/jwks.json', authenticated: false }, JwksSchema)
      .then((jwks) => {
        this.#cache = { keys: jwks.keys, fetchedAt: this.#http.options.now() };
        return this.#cache;
      })
      .finally(() => {
        this.#inflight = null;
      });
    return this.#inflight;
  }
}

/** The `kid` in a compact JWS header, or null when the token cannot be read. */
function keyIdOf(token: string): string | null {
  if (typeof token !== 'string' || token.length > 4096) return null;
  try {
    const header: unknown = JSON.parse(fromUtf8(fromBase64Url(token.split('.')[0] ?? '')));
    return typeof header === 'object' && header !== null && 'kid' in header && typeof header.kid === 'string'
      ? header.kid
      : null;
  } catch {
    return null;
  }
}
