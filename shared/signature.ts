/**
 * HMAC-SHA256 signatures in the `t=<unix>,v1=<hex>` header format, over `"<t>.<raw body>"`.
 * Webhooks to merchants and the sandbox channel's notifications use it. The same module signs
 * and verifies, so tests sign their fixtures through the production path.
 */
import { fromHex, toHex, utf8 } from './encoding.ts';
import { ReasonError } from './reason-error.ts';

export const DEFAULT_TOLERANCE_SECONDS = 300;

export type SignatureFailure =
  | 'missing_header'
  | 'malformed_header'
  | 'timestamp_outside_tolerance'
  | 'no_matching_signature'
  /** An Ed25519 signature names a key the verifier's JWKS does not hold (see webhook-signature.ts). */
  | 'unknown_key'
  /** A webhook's Ed25519 signature is for another endpoint than the verifier's (see webhook-signature.ts). */
  | 'wrong_endpoint';

/** A signature header that does not prove its payload; `reason` says why. */
export class SignatureError extends ReasonError<SignatureFailure> {
  override name = 'SignatureError';
}

async function hmacKey(secret: string): Promise<CryptoKey> {
  if (typeof secret !== 'string' || secret.length < 16)
    throw new TypeError('signing secret must be at least 16 characters');
  return crypto.subtle.importKey('raw', utf8(secret), { name: 'HMAC', hash: 'SHA-256' }, false, ['sign', 'verify']);
}

/** Returns the header value, e.g. `t=1700000000,v1=5f1c…`. */
export async function signPayload(
  payload: string,
  secret: string,
  timestamp = Math.floor(Date.now() / 1000),
): Promise<string> {
  const key = await hmacKey(secret);
  const mac = await crypto.subtle.sign('HMAC', key, utf8(`${timestamp}.${payload}`));
  return `t=${timestamp},v1=${toHex(new Uint8Array(mac))}`;
}

export interface ParsedSignatureHeader {
  timestamp: number;
  signatures: string[];
}

export function parseSignatureHeader(header: string | null | undefined): ParsedSignatureHeader {
  if (!header) throw new SignatureError('missing_header', 'signature header is missing');
  let timestamp: number | undefined;
  const signatures: string[] = [];
  for (const part of header.split(',')) {
    const eq = part.indexOf('=');
    if (eq < 1) throw new SignatureError('malformed_header', 'signature header must look like t=<unix>,v1=<hex>');
    const name = part.slice(0, eq).trim();
    const value = part.slice(eq + 1).trim();
    if (name === 't') {
      if (!/^\d{1,12}$/.test(value))
        throw new SignatureError('malformed_header', 'signature timestamp must be unix seconds');
      timestamp = Number(value);
    } else if (name === 'v1') {
      if (!/^[0-9a-f]{64}$/.test(value))
        throw new SignatureError('malformed_header', 'v1 signature must be 64 lower-case hex digits');
      signatures.push(value);
    }
  }
  if (timestamp === undefined) throw new SignatureError('malformed_header', 'signature header has no t=');
  if (signatures.length === 0) throw new SignatureError('malformed_header', 'signature header has no v1=');
  return { timestamp, signatures };
}

/**
 * Verifies `header` against the raw payload. Any of several `v1` values may match (a sender
 * rotating secrets signs with both). Comparison happens inside WebCrypto's verify, which is
 * constant-time.
 */
export async function verifyPayload(
  payload: string,
  header: string | null | undefined,
  secret: string,
  options: { toleranceSeconds?: number; now?: number } = {},
): Promise<ParsedSignatureHeader> {
  const parsed = parseSignatureHeader(header);
  const now = options.now ?? Math.floor(Date.now() / 1000);
  const tolerance = options.toleranceSeconds ?? DEFAULT_TOLERANCE_SECONDS;
  if (Math.abs(now - parsed.timestamp) > tolerance) {
    throw new SignatureError('timestamp_outside_tolerance', `signature timestamp is more than ${tolerance}s from now`);
  }
  const key = await hmacKey(secret);
  const signed = utf8(`${parsed.timestamp}.${payload}`);
  for (const candidate of parsed.signatures) {
    if (await crypto.subtle.verify('HMAC', key, fromHex(candidate), signed)) return parsed;
  }
  throw new SignatureError('no_matching_signature', 'no signature matches the payload');
}
