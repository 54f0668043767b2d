/**
 * Webhook signatures, two over the same `"<t>.<raw body>"`:
 *
 *   Till-Signature: t=<unix>,v1=<hex HMAC-SHA256, endpoint secret>,ed25519=<base64url>,kid=<key id>
 *
 * `v1` needs the endpoint's shared secret (one `v1` per secret while a rolled secret still
 * signs). `ed25519` is Till's current signing key, so a receiver holding only the public JWKS
 * (`/.well-known/jwks.json`) can verify, with no secret to store. The worker signs with these
 * functions, and tests and the SDK verify with them, so fixtures go through the production path.
 */
import { ed25519 } from '@noble/curves/ed25519.js';
import { fromBase64Url, toBase64Url, utf8 } from './encoding.ts';
import type { PrivateJwk, PublicJwk } from './jws.ts';
import { DEFAULT_TOLERANCE_SECONDS, SignatureError, signPayload, verifyPayload, type ParsedSignatureHeader } from './signature.ts';

export const WEBHOOK_SIGNATURE_HEADER = 'Till-Signature';

/** A kid must survive the header's `,` and `=` separators untouched. */
const KID = /^[A-Za-z0-9._-]{1,100}$/;
/** 64 bytes of base64url without padding. */
const ED25519_SIGNATURE = /^[A-Za-z0-9_-]{86}$/;

export interface WebhookSigner {
  /** The endpoint's secrets: the current one first, then a rolled one still within its grace. */
  secrets: readonly string[];
  /** Till's current Ed25519 signing key. */
  key: Pick<PrivateJwk, 'd' | 'kid'>;
  /** Unix seconds; now by default. */
  timestamp?: number;
}

/** The `Till-Signature` header for one delivery of `body`. */
export async function signWebhook(body: string, signer: WebhookSigner): Promise<string> {
  const timestamp = signer.timestamp ?? Math.floor(Date.now() / 1000);
  if (signer.secrets.length === 0) throw new TypeError('a webhook needs at least one secret to sign with');
  if (!KID.test(signer.key.kid)) throw new TypeError('the signing key id cannot be carried in a Till-Signature header');
  // signPayload answers `t=<t>,v1=<hex>`: keep the v1 part of each.
  const macs = await Promise.all(signer.secrets.map((secret) => signPayload(body, secret, timestamp)));
  const v1 = macs.map((header) => header.slice(header.indexOf(',') + 1));
  const signature = ed25519.sign(utf8(`${timestamp}.${body}`), fromBase64Url(signer.key.d));
  return [`t=${timestamp}`, ...v1, `ed25519=${toBase64Url(signature)}`, `kid=${signer.key.kid}`].join(',');
}

export interface WebhookVerifyWindow {
  /** How far `t` may be from now, in seconds (default 300). */
  toleranceSeconds?: number;
  /** Unix seconds; now by default. */
  now?: number;
}

/** Verifies the `v1` HMAC with the endpoint's secret (the `ed25519` and `kid` parts are ignored). */
export function verifyWebhookWithSecret(
  body: string,
  header: string | null | undefined,
  secret: string,
  window: WebhookVerifyWindow = {},
): Promise<ParsedSignatureHeader> {
  return verifyPayload(body, header, secret, window);
}

export interface Ed25519SignatureParts {
  timestamp: number;
  signature: string;
  kid: string;
}

/** Reads `t`, `ed25519` and `kid`; other parts (`v1`, future schemes) are skipped. */
export function parseEd25519Parts(header: string | null | undefined): Ed25519SignatureParts {
  if (!header) throw new SignatureError('missing_header', 'signature header is missing');
  const found = new Map<string, string>();
  for (const part of header.split(',')) {
    const eq = part.indexOf('=');
    if (eq < 1) throw new SignatureError('malformed_header', 'signature header must look like t=<unix>,v1=<hex>,ed25519=<base64url>,kid=<key id>');
    const name = part.slice(0, eq).trim();
    if (name !== 't' && name !== 'ed25519' && name !== 'kid') continue;
    // One Ed25519 signature per header: a kid pairs with exactly one signature.
    if (found.has(name)) throw new SignatureError('malformed_header', `signature header has ${name}= twice`);
    found.set(name, part.slice(eq + 1).trim());
  }
  const t = found.get('t');
  const signature = found.get('ed25519');
  const kid = found.get('kid');
  if (t === undefined || !/^\d{1,12}$/.test(t)) throw new SignatureError('malformed_header', 'signature timestamp must be unix seconds');
  if (signature === undefined || !ED25519_SIGNATURE.test(signature)) {
    throw new SignatureError('malformed_header', 'ed25519 signature must be 64 bytes of base64url');
  }
  if (kid === undefined || !KID.test(kid)) throw new SignatureError('malformed_header', 'signature header has no valid kid=');
  return { timestamp: Number(t), signature, kid };
}

/**
 * Verifies the `ed25519` signature with the key the header's `kid` names in `keys` (the JWKS).
 * The window is checked first, like the HMAC, so a replayed old delivery fails the same way.
 */
export function verifyWebhookWithJwks(
  body: string,
  header: string | null | undefined,
  keys: readonly PublicJwk[],
  window: WebhookVerifyWindow = {},
): Ed25519SignatureParts {
  const parts = parseEd25519Parts(header);
  const now = window.now ?? Math.floor(Date.now() / 1000);
  const tolerance = window.toleranceSeconds ?? DEFAULT_TOLERANCE_SECONDS;
  if (Math.abs(now - parts.timestamp) > tolerance) {
    throw new SignatureError('timestamp_outside_tolerance', `signature timestamp is more than ${tolerance}s from now`);
  }
  const key = keys.find((candidate) => candidate.kid === parts.kid);
  if (!key || key.kty !== 'OKP' || key.crv !== 'Ed25519') {
    throw new SignatureError('unknown_key', `signature key ${parts.kid} is not in the JWKS: fetch /.well-known/jwks.json again`);
  }
  let valid = false;
  try {
    // zip215: false is RFC 8032's strict verification, as for tokens (jws.ts).
    valid = ed25519.verify(fromBase64Url(parts.signature), utf8(`${parts.timestamp}.${body}`), fromBase64Url(key.x), { zip215: false });
  } catch {
    valid = false;
  }
  if (!valid) throw new SignatureError('no_matching_signature', 'the ed25519 signature does not match the payload');
  return parts;
}
