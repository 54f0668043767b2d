/**
 * Signed merchant requests: `Till-Signature: t=<unix>,nonce=<random>,v1=<hex HMAC-SHA256>` with
 * the merchant's request-signing secret, or `…,ed25519=<base64url>[,kid=<id>]` with an Ed25519
 * key whose public half the merchant registered. Both sign the same canonical string:
 *
 *     till-request-v1\n<t>\n<nonce>\n<METHOD>\n<path with query>\n<hex SHA-256 of the body>
 *
 * The worker verifies with this module and the server SDK signs with it, so tests sign through the
 * production path. Nonces are checked by the merchant object (seen once per window).
 */
import { ed25519 } from '@noble/curves/ed25519.js';
import { fromBase64Url, fromHex, randomBase62, sha256Hex, toBase64Url, toHex, utf8 } from './encoding.ts';
import { ReasonError } from './reason-error.ts';

export const REQUEST_SIGNATURE_HEADER = 'Till-Signature';
export const REQUEST_SIGNATURE_TOLERANCE_SECONDS = 300;
const NONCE = /^[0-9A-Za-z_-]{16,64}$/;

export type RequestSignatureFailure =
  | 'missing_signature'
  | 'malformed_signature'
  | 'timestamp_outside_window'
  | 'no_signing_key'
  | 'bad_signature'
  | 'nonce_replayed';

/** A merchant request whose `Till-Signature` does not check out; `reason` picks the API's error code. */
export class RequestSignatureError extends ReasonError<RequestSignatureFailure> {
  override name = 'RequestSignatureError';
}

export interface RequestToSign {
  method: string;
  /** Path and query exactly as sent, e.g. `/v1/orders?limit=10`. */
  pathWithQuery: string;
  body: string | Uint8Array<ArrayBuffer>;
}

export interface ParsedRequestSignature {
  timestamp: number;
  nonce: string;
  hmac: string[];
  ed25519: string | null;
  kid: string | null;
}

export async function canonicalRequest(request: RequestToSign, timestamp: number, nonce: string): Promise<string> {
  const bodyHash = await sha256Hex(typeof request.body === 'string' ? utf8(request.body) : request.body);
  return [
    'till-request-v1',
    String(timestamp),
    nonce,
    request.method.toUpperCase(),
    request.pathWithQuery,
    bodyHash,
  ].join('\n');
}

export type RequestSigningKey = { secret: string } | { privateKey: Uint8Array; kid?: string };

/** Returns the `Till-Signature` header value for a request. */
export async function signRequest(
  request: RequestToSign,
  key: RequestSigningKey,
  options: { timestamp?: number; nonce?: string } = {},
): Promise<string> {
  const timestamp = options.timestamp ?? Math.floor(Date.now() / 1000);
  const nonce = options.nonce ?? randomBase62(24);
  if (!NONCE.test(nonce)) throw new TypeError('nonce must be 16 to 64 characters of A-Z, a-z, 0-9, _ or -');
  const message = await canonicalRequest(request, timestamp, nonce);
  if ('secret' in key) {
    const mac = await crypto.subtle.sign('HMAC', await hmacKey(key.secret), utf8(message));
    return `t=${timestamp},nonce=${nonce},v1=${toHex(new Uint8Array(mac))}`;
  }
  const signature = toBase64Url(ed25519.sign(utf8(message), key.privateKey));
  return `t=${timestamp},nonce=${nonce},ed25519=${signature}${key.kid ? `,kid=${key.kid}` : ''}`;
}

export function parseRequestSignature(header: string | null | undefined): ParsedRequestSignature {
  if (!header)
    throw new RequestSignatureError(
      'missing_signature',
      'This merchant requires signed requests: send a Till-Signature header',
    );
  const parsed: ParsedRequestSignature = { timestamp: Number.NaN, nonce: '', hmac: [], ed25519: null, kid: null };
  for (const part of header.split(',')) {
    const eq = part.indexOf('=');
    const name = part.slice(0, eq).trim();
    const value = part.slice(eq + 1).trim();
    if (eq < 1) throw malformed('each part must be name=value');
    if (name === 't') {
      if (!/^\d{1,12}$/.test(value)) throw malformed('t must be unix seconds');
      parsed.timestamp = Number(value);
    } else if (name === 'nonce') {
      if (!NONCE.test(value)) throw malformed('nonce must be 16 to 64 characters of A-Z, a-z, 0-9, _ or -');
      parsed.nonce = value;
    } else if (name === 'v1') {
      if (!/^[0-9a-f]{64}$/.test(value)) throw malformed('v1 must be 64 lower-case hex digits');
      parsed.hmac.push(value);
    } else if (name === 'ed25519') {
      if (!/^[0-9A-Za-z_-]{86}$/.test(value)) throw malformed('ed25519 must be a 64-byte signature in base64url');
      parsed.ed25519 = value;
    } else if (name === 'kid') {
      parsed.kid = value;
    }
  }
  if (Number.isNaN(parsed.timestamp)) throw malformed('t= is missing');
  if (!parsed.nonce) throw malformed('nonce= is missing');
  if (parsed.hmac.length === 0 && !parsed.ed25519) throw malformed('it carries neither v1= nor ed25519=');
  return parsed;
}

export interface RequestVerificationKeys {
  hmacSecrets: string[];
  publicKeys: Array<{ kid: string; x: string }>;
}

/**
 * Checks the window and the signature (not the nonce: that needs the merchant's memory).
 * Returns the id of the key that matched: `secret` or the Ed25519 key's kid.
 */
export async function verifyRequestSignature(
  parsed: ParsedRequestSignature,
  request: RequestToSign,
  keys: RequestVerificationKeys,
  options: { now?: number; toleranceSeconds?: number } = {},
): Promise<string> {
  const now = options.now ?? Math.floor(Date.now() / 1000);
  const tolerance = options.toleranceSeconds ?? REQUEST_SIGNATURE_TOLERANCE_SECONDS;
  if (Math.abs(now - parsed.timestamp) > tolerance) {
    throw new RequestSignatureError(
      'timestamp_outside_window',
      `The signature timestamp is ${now - parsed.timestamp}s from the server's clock; it must be within ${tolerance}s`,
    );
  }
  const message = utf8(await canonicalRequest(request, parsed.timestamp, parsed.nonce));
  if (parsed.hmac.length > 0) {
    if (keys.hmacSecrets.length === 0)
      throw new RequestSignatureError('no_signing_key', 'This merchant has no request-signing secret');
    for (const secret of keys.hmacSecrets) {
      const key = await hmacKey(secret);
      // WebCrypto's verify compares in constant time.
      for (const mac of parsed.hmac)
        if (await crypto.subtle.verify('HMAC', key, fromHex(mac), message)) return 'secret';
    }
    throw new RequestSignatureError(
      'bad_signature',
      'The v1 signature does not match this request and the merchant signing secret',
    );
  }
  const candidates = parsed.kid ? keys.publicKeys.filter((key) => key.kid === parsed.kid) : keys.publicKeys;
  if (candidates.length === 0) {
    throw new RequestSignatureError(
      'no_signing_key',
      parsed.kid
        ? `No registered Ed25519 key has kid ${parsed.kid}`
        : 'This merchant has registered no Ed25519 public key',
    );
  }
  const signature = fromBase64Url(parsed.ed25519 ?? '');
  for (const key of candidates) {
    if (ed25519.verify(signature, message, fromBase64Url(key.x))) return key.kid;
  }
  throw new RequestSignatureError(
    'bad_signature',
    'The ed25519 signature does not match this request and the registered public keys',
  );
}

function malformed(detail: string): RequestSignatureError {
  return new RequestSignatureError('malformed_signature', `Till-Signature is malformed: ${detail}`);
}

async function hmacKey(secret: string): Promise<CryptoKey> {
  if (typeof secret !== 'string' || secret.length < 16)
    throw new TypeError('signing secret must be at least 16 characters');
  return crypto.subtle.importKey('raw', utf8(secret), { name: 'HMAC', hash: 'SHA-256' }, false, ['sign', 'verify']);
}
