/**
 * Who is calling: a merchant's secret key, a checkout's client token, or the platform admin.
 */
import type { Context, MiddlewareHandler } from 'hono';
import { sha256 } from '../../shared/encoding.ts';
import { type ErrorCode, TillError } from '../../shared/errors.ts';
import { JwsError } from '../../shared/jws.ts';
import { REQUEST_SIGNATURE_HEADER } from '../../shared/request-signature.ts';
import type { ApiKeyKind } from '../../shared/schemas.ts';
import { type ClientTokenClaims, verifyClientToken } from '../../shared/tokens.ts';
import { now, nowMs } from '../base/clock.ts';
import type { AppEnv } from '../base/env.ts';
import { signingKeys } from '../base/keys.ts';
import { merchantStub } from '../base/merchant-stub.ts';
import { unwrap } from '../base/result.ts';
import { hashApiKey, parseApiKey } from '../merchants/api-keys.ts';
import type { AuthenticationResult, MerchantPrincipal } from '../merchants/merchant-principal.ts';
import { forgetMerchantAccess } from '../orders/channel-scope.ts';
import { bearer, readBodyBytes } from './input.ts';
import { limitKeyLookups } from './rate-limit.ts';

export type MerchantEnv = AppEnv & { Variables: { merchant: MerchantPrincipal } };
export type CheckoutEnv = AppEnv & { Variables: { claims: ClientTokenClaims } };

/** Keys seen recently in this isolate; the merchant object stays the truth. */
const principalCache = new Map<string, { principal: MerchantPrincipal; until: number }>();
const PRINCIPAL_TTL_MS = 30_000;

/** Drops what this isolate keeps of a merchant (its keys, its standing and channel credentials) after they changed. */
export function forgetMerchant(merchantId: string): void {
  for (const [hash, entry] of principalCache) if (entry.principal.id === merchantId) principalCache.delete(hash);
  forgetMerchantAccess(merchantId);
}

const REFUSALS: Record<Exclude<AuthenticationResult, { ok: true }>['reason'], [ErrorCode, string]> = {
  unknown: ['invalid_api_key', 'The API key is unknown'],
  revoked: ['invalid_api_key', 'This API key was revoked'],
  expired: ['expired_api_key', 'This API key was rolled and its grace period is over: use its replacement'],
  merchant_disabled: ['merchant_disabled', 'This merchant account is disabled'],
  live_not_enabled: ['live_mode_not_enabled', 'Live mode is not enabled for this merchant yet: use a test key'],
};

const KEY_NAMES: Record<ApiKeyKind, string> = {
  secret: 'secret key (sk_…)',
  restricted: 'restricted key (rk_…)',
  publishable: 'publishable key (pk_…)',
};

export interface MerchantAuthOptions {
  /** Which kinds of key may call the routes behind this middleware. */
  roles: readonly ApiKeyKind[];
  /** Publishable keys may come as `?key=pk_…`, which spares browsers a CORS preflight. */
  keyInQuery?: boolean;
}

export function merchantAuth(options: MerchantAuthOptions): MiddlewareHandler<MerchantEnv> {
  const roles = [...options.roles];
  if (roles.length === 0) throw new TypeError('merchantAuth needs at least one role');
  const keyInQuery = options.keyInQuery ?? false;
  if (keyInQuery && roles.some((role) => role !== 'publishable'))
    throw new TypeError('only publishable keys may travel in the query');
  const expected = roles.map((role) => KEY_NAMES[role]).join(' or ');

  return async function merchantAuthMiddleware(c, next) {
    const key = bearer(c) ?? (keyInQuery ? (c.req.query('key') ?? null) : null);
    if (key === null) throw new TillError('missing_api_key', `Send your ${expected} as Authorization: Bearer …`);
    const parsed = parseApiKey(key);
    if (!parsed)
      throw new TillError(
        'invalid_api_key',
        'The API key is malformed: Till keys look like sk_test_…, rk_test_… or pk_test_…',
      );
    const hash = await hashApiKey(key);
    let cached = principalCache.get(hash);
    if (!cached || cached.until < nowMs()) {
      principalCache.delete(hash);
      await limitKeyLookups(c);
      const result = await merchantStub(c.env, parsed.merchantId).authenticate(hash);
      if (!result.ok) {
        const [code, message] = REFUSALS[result.reason];
        throw new TillError(code, message);
      }
      const expiresAt =
        result.principal.keyExpiresAt === null ? Number.POSITIVE_INFINITY : result.principal.keyExpiresAt * 1000;
      cached = { principal: result.principal, until: Math.min(nowMs() + PRINCIPAL_TTL_MS, expiresAt) };
      principalCache.set(hash, cached);
    }
    const principal = cached.principal;
    if (!roles.includes(principal.role)) {
      throw new TillError(
        'forbidden',
        `A ${KEY_NAMES[principal.role]} cannot ${c.req.method} ${new URL(c.req.url).pathname}: use a ${expected}`,
      );
    }
    const signature = c.req.header(REQUEST_SIGNATURE_HEADER) ?? null;
    if (principal.role !== 'publishable' && (principal.requireSignedRequests || signature !== null)) {
      await checkSignedRequest(c, principal.id, signature);
    }
    c.set('merchant', principal);
    await next();
  };
}

async function checkSignedRequest(
  c: Context<MerchantEnv>,
  merchantId: string,
  signature: string | null,
): Promise<void> {
  if (signature === null) {
    throw new TillError('missing_signature', 'This merchant requires signed requests: send a Till-Signature header');
  }
  const body = new Uint8Array(await readBodyBytes(c));
  const url = new URL(c.req.url);
  unwrap(
    await merchantStub(c.env, merchantId).checkRequestSignature(signature, {
      method: c.req.method,
      pathWithQuery: url.pathname + url.search,
      body,
    }),
  );
}

const TOKEN_ERRORS: Record<JwsError['reason'], [TillError['code'], string]> = {
  malformed: ['invalid_client_token', 'The client token is malformed'],
  unknown_key: ['invalid_client_token', 'The client token was signed by an unknown key'],
  bad_signature: ['invalid_client_token', 'The client token signature is invalid'],
  wrong_type: ['invalid_client_token', 'This is not a client token'],
  expired: ['expired_client_token', 'The client token has expired'],
  not_yet_valid: ['invalid_client_token', 'The client token is not yet valid'],
};

export interface ClientTokenAuthOptions {
  /** The route parameter holding the order id the token must be for. */
  param: string;
  /** Where the token is, when not only in `Authorization: Bearer` (a WebSocket cannot set it). */
  token?: (c: Context<CheckoutEnv>) => { token: string | null; missing: string };
}

const bearerToken = (c: Context<CheckoutEnv>) => ({
  token: bearer(c),
  missing: 'Send the order client token as Authorization: Bearer …',
});

export function clientTokenAuth(options: ClientTokenAuthOptions): MiddlewareHandler<CheckoutEnv> {
  const { param } = options;
  const find = options.token ?? bearerToken;
  return async function clientTokenMiddleware(c, next) {
    const { token, missing } = find(c);
    if (token === null) throw new TillError('missing_client_token', missing);
    let claims: ClientTokenClaims;
    try {
      claims = verifyClientToken(token, signingKeys(c.env).verification, now());
    } catch (error) {
      if (error instanceof JwsError) {
        const [code, message] = TOKEN_ERRORS[error.reason];
        throw new TillError(code, message);
      }
      throw new TillError('invalid_client_token', 'The client token claims are not valid');
    }
    if (claims.sub !== c.req.param(param))
      throw new TillError('token_mismatch', 'The client token is for another order');
    c.set('claims', claims);
    await next();
  };
}

export function adminAuth(): MiddlewareHandler<AppEnv> {
  return async function adminAuthMiddleware(c, next) {
    const key = bearer(c);
    if (key === null) throw new TillError('missing_api_key', 'Send the admin key as Authorization: Bearer …');
    const expected = c.env.TILL_ADMIN_KEY;
    // Equal-length digests make the comparison constant-time whatever the input's length.
    const [given, wanted] = await Promise.all([sha256(key), sha256(expected ?? '')]);
    if (!expected || !crypto.subtle.timingSafeEqual(given, wanted))
      throw new TillError('invalid_api_key', 'Invalid admin key');
    await next();
  };
}
