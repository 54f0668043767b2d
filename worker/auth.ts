/**
 * Who is calling: a merchant's secret key, a checkout's client token, or the platform admin.
 */
import type { MiddlewareHandler } from 'hono';
import { TillError } from '../shared/errors.ts';
import { JwsError } from '../shared/jws.ts';
import { sha256 } from '../shared/encoding.ts';
import { verifyClientToken, type ClientTokenClaims } from '../shared/tokens.ts';
import type { AppEnv } from './env.ts';
import { bearer } from './http.ts';
import { signingKeys } from './keys.ts';
import { hashApiKey, parseApiKey } from './merchants/api-keys.ts';
import type { MerchantPrincipal } from './merchants/merchant-object.ts';

export type MerchantEnv = AppEnv & { Variables: { merchant: MerchantPrincipal } };
export type CheckoutEnv = AppEnv & { Variables: { claims: ClientTokenClaims } };

/** Keys seen recently in this isolate; the merchant object stays the truth. */
const principalCache = new Map<string, { principal: MerchantPrincipal; until: number }>();
const PRINCIPAL_TTL_MS = 30_000;

export function merchantAuth(): MiddlewareHandler<MerchantEnv> {
  return async function merchantAuthMiddleware(c, next) {
    const key = bearer(c);
    if (key === null) throw new TillError('missing_api_key', 'Send your secret key as Authorization: Bearer sk_…');
    const parsed = parseApiKey(key);
    if (!parsed) throw new TillError('invalid_api_key', 'The API key is not a Till key');
    if (parsed.kind !== 'secret') throw new TillError('forbidden', 'This endpoint needs a secret key (sk_…), not a publishable key');
    const hash = await hashApiKey(key);
    let cached = principalCache.get(hash);
    if (!cached || cached.until < Date.now()) {
      const stub = c.env.MERCHANTS.get(c.env.MERCHANTS.idFromName(parsed.merchantId));
      const principal = await stub.authenticate(hash);
      if (!principal) {
        principalCache.delete(hash);
        throw new TillError('invalid_api_key', 'The API key is unknown or revoked');
      }
      cached = { principal, until: Date.now() + PRINCIPAL_TTL_MS };
      principalCache.set(hash, cached);
    }
    c.set('merchant', cached.principal);
    await next();
  };
}

const TOKEN_ERRORS: Record<JwsError['reason'], [TillError['code'], string]> = {
  malformed: ['invalid_client_token', 'The client token is malformed'],
  unknown_key: ['invalid_client_token', 'The client token was signed by an unknown key'],
  bad_signature: ['invalid_client_token', 'The client token signature is invalid'],
  wrong_type: ['invalid_client_token', 'This is not a client token'],
  expired: ['expired_client_token', 'The client token has expired'],
  not_yet_valid: ['invalid_client_token', 'The client token is not yet valid'],
};

export function clientTokenAuth(options: { param: string }): MiddlewareHandler<CheckoutEnv> {
  const { param } = options;
  return async function clientTokenMiddleware(c, next) {
    const token = bearer(c);
    if (token === null) throw new TillError('missing_client_token', 'Send the order client token as Authorization: Bearer …');
    let claims: ClientTokenClaims;
    try {
      claims = verifyClientToken(token, signingKeys(c.env).verification);
    } catch (error) {
      if (error instanceof JwsError) {
        const [code, message] = TOKEN_ERRORS[error.reason];
        throw new TillError(code, message);
      }
      throw new TillError('invalid_client_token', 'The client token claims are not valid');
    }
    if (claims.sub !== c.req.param(param)) throw new TillError('token_mismatch', 'The client token is for another order');
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
    if (!expected || !crypto.subtle.timingSafeEqual(given, wanted)) throw new TillError('invalid_api_key', 'Invalid admin key');
    await next();
  };
}
