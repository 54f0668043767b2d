/**
 * Compact JWS (RFC 7515) with EdDSA over Ed25519 (RFC 8037). Client tokens and receipts are
 * both such tokens; anyone holding the JWKS can verify them with any JOSE library.
 *
 * Signing uses @noble/curves so the same code runs in the worker, in Node and in webviews whose
 * WebCrypto lacks Ed25519.
 */
import { ed25519 } from '@noble/curves/ed25519.js';
import { z } from 'zod';
import { fromBase64Url, fromUtf8, sha256, toBase64Url, utf8 } from './encoding.ts';
import { ReasonError } from './reason-error.ts';

export const PublicJwkSchema = z.strictObject({
  kty: z.literal('OKP'),
  crv: z.literal('Ed25519'),
  x: z.string().regex(/^[A-Za-z0-9_-]{43}$/, 'x must be 32 bytes of base64url'),
  kid: z.string().min(1).max(100),
  use: z.literal('sig').optional(),
  alg: z.literal('EdDSA').optional(),
});
export type PublicJwk = z.infer<typeof PublicJwkSchema>;

export const PrivateJwkSchema = PublicJwkSchema.extend({
  d: z.string().regex(/^[A-Za-z0-9_-]{43}$/, 'd must be 32 bytes of base64url'),
});
export type PrivateJwk = z.infer<typeof PrivateJwkSchema>;

export type JwsFailure = 'malformed' | 'unknown_key' | 'bad_signature' | 'wrong_type' | 'expired' | 'not_yet_valid';

/** A token that is not a valid, current JWS from a known key; `reason` says which check failed. */
export class JwsError extends ReasonError<JwsFailure> {
  override name = 'JwsError';
}

/** RFC 7638 thumbprint: a key id that any party can recompute from the public key. */
export async function jwkThumbprint(x: string): Promise<string> {
  return toBase64Url(await sha256(`{"crv":"Ed25519","kty":"OKP","x":"${x}"}`));
}

export async function generateSigningKey(): Promise<PrivateJwk> {
  const { secretKey, publicKey } = ed25519.keygen();
  const x = toBase64Url(publicKey);
  return {
    kty: 'OKP',
    crv: 'Ed25519',
    x,
    d: toBase64Url(secretKey),
    kid: await jwkThumbprint(x),
    use: 'sig',
    alg: 'EdDSA',
  };
}

export function publicJwk(key: PrivateJwk): PublicJwk {
  return { kty: 'OKP', crv: 'Ed25519', x: key.x, kid: key.kid, use: 'sig', alg: 'EdDSA' };
}

/** Parses a private JWK from configuration and checks its public half matches. */
export function parsePrivateJwk(json: string): PrivateJwk {
  let raw: unknown;
  try {
    raw = JSON.parse(json);
  } catch {
    throw new Error('signing key must be a JSON Ed25519 private JWK');
  }
  const key = PrivateJwkSchema.parse(raw);
  const derived = toBase64Url(ed25519.getPublicKey(fromBase64Url(key.d)));
  if (derived !== key.x) throw new Error('signing key: x does not match d');
  return key;
}

const HeaderSchema = z.object({ alg: z.string(), kid: z.string(), typ: z.string().optional() });

/** Compact serialization of any protected header over raw payload bytes (RFC 7515 §7.1). */
export function signCompact(header: object, payload: Uint8Array, key: Pick<PrivateJwk, 'd'>): string {
  const signingInput = `${toBase64Url(utf8(JSON.stringify(header)))}.${toBase64Url(payload)}`;
  const signature = ed25519.sign(utf8(signingInput), fromBase64Url(key.d));
  return `${signingInput}.${toBase64Url(signature)}`;
}

export function signJws(payload: object, key: PrivateJwk, typ: string): string {
  return signCompact({ alg: 'EdDSA', kid: key.kid, typ }, utf8(JSON.stringify(payload)), key);
}

export interface VerifyOptions {
  /** Expected `typ` header; a token of another type is refused. */
  typ: string;
  /** Seconds since the epoch; defaults to now. */
  now?: number;
  /** Allowed clock skew for `exp`/`nbf`, in seconds. */
  leeway?: number;
}

/**
 * Verifies signature, key id, type and time claims, then returns the parsed payload. Exact
 * reasons are kept in `JwsError.reason` so callers can answer precisely.
 */
export function verifyJws(token: string, keys: readonly PublicJwk[], options: VerifyOptions): Record<string, unknown> {
  if (typeof token !== 'string' || token.length > 4096) throw new JwsError('malformed', 'token is not a compact JWS');
  const parts = token.split('.');
  if (parts.length !== 3) throw new JwsError('malformed', 'token is not a compact JWS');
  const [encodedHeader = '', encodedPayload = '', encodedSignature = ''] = parts;
  let header: z.infer<typeof HeaderSchema>;
  let payload: unknown;
  let signature: Uint8Array;
  try {
    header = HeaderSchema.parse(JSON.parse(fromUtf8(fromBase64Url(encodedHeader))));
    payload = JSON.parse(fromUtf8(fromBase64Url(encodedPayload)));
    signature = fromBase64Url(encodedSignature);
  } catch {
    throw new JwsError('malformed', 'token is not a compact JWS');
  }
  if (header.alg !== 'EdDSA') throw new JwsError('malformed', `token alg must be EdDSA, got ${header.alg}`);
  const key = keys.find((candidate) => candidate.kid === header.kid);
  if (!key) throw new JwsError('unknown_key', 'token was signed with an unknown key');
  const valid =
    signature.length === 64 &&
    ed25519.verify(signature, utf8(`${encodedHeader}.${encodedPayload}`), fromBase64Url(key.x), { zip215: false });
  if (!valid) throw new JwsError('bad_signature', 'token signature is invalid');
  if (header.typ !== options.typ) throw new JwsError('wrong_type', `token type must be ${options.typ}`);
  if (typeof payload !== 'object' || payload === null || Array.isArray(payload)) {
    throw new JwsError('malformed', 'token payload must be a JSON object');
  }
  const claims = payload as Record<string, unknown>;
  const now = options.now ?? Math.floor(Date.now() / 1000);
  const leeway = options.leeway ?? 0;
  if (typeof claims.exp === 'number' && now > claims.exp + leeway) throw new JwsError('expired', 'token has expired');
  if (typeof claims.nbf === 'number' && now + leeway < claims.nbf)
    throw new JwsError('not_yet_valid', 'token is not yet valid');
  return claims;
}
