/**
 * Webhook signatures, two per delivery:
 *
 *   Till-Signature: t=<unix>,v1=<hex HMAC-SHA256, endpoint secret>,ed25519=<base64url>,kid=<key id>,eid=<endpoint id>
 *
 * `v1` is over `"<t>.<raw body>"` and needs the endpoint's shared secret (one `v1` per secret
 * while a rolled secret still signs). `ed25519` is Till's current signing key over
 * `"<t>.<eid>.<raw body>"`, so a receiver holding only the public JWKS (`/.well-known/jwks.json`)
 * can verify, with no secret to store. That key is the same for every merchant, so the signed
 * bytes name the endpoint the delivery was sent to: a genuine delivery for one endpoint forwarded
 * to another (another merchant's, say) does not verify there. The worker signs with these
 * functions, and tests and the SDK verify with them, so fixtures go through the production path.
 */
import { ed25519 } from '@noble/curves/ed25519.js';
import { fromBase64Url, toBase64Url, utf8 } from './encoding.ts';
import type { PrivateJwk, PublicJwk } from './jws.ts';
import {
  DEFAULT_TOLERANCE_SECONDS,
  type ParsedSignatureHeader,
  SignatureError,
  signPayload,
  verifyPayload,
} from './signature.ts';
import { WEBHOOK_ENDPOINT_ID } from './webhook-schemas.ts';

export const WEBHOOK_SIGNATURE_HEADER = 'Till-Signature';

/** A kid must survive the header's `,` and `=` separators untouched. */
const KID = /^[A-Za-z0-9._-]{1,100}$/;
/** 64 bytes of base64url without padding. */
const ED25519_SIGNATURE = /^[A-Za-z0-9_-]{86}$/;

export interface WebhookSigner {
  /** The endpoint the delivery goes to (`we_…`): the Ed25519 signature covers it. */
  endpointId: string;
  /** The endpoint's secrets: the current one first, then a rolled one still within its grace. */
  secrets: readonly string[];
  /** Till's current Ed25519 signing key. */
  key: Pick<PrivateJwk, 'd' | 'kid'>;
  /** Unix seconds; now by default. */
  timestamp?: number;
}

/** The bytes the Ed25519 signature covers: the timestamp, the receiving endpoint and the body. */
const ed25519Message = (timestamp: number, endpointId: string, body: string): Uint8Array =>
  utf8(`${timestamp}.${endpointId}.${body}`);

/** The `Till-Signature` header for one delivery of `body` to the endpoint `signer.endpointId`. */
export async function signWebhook(body: string, signer: WebhookSigner): Promise<string> {
  const timestamp = signer.timestamp ?? Math.floor(Date.now() / 1000);
  if (signer.secrets.length === 0) throw new TypeError('a webhook needs at least one secret to sign with');
  if (!KID.test(signer.key.kid)) throw new TypeError('the signing key id cannot be carried in a Till-Signature header');
  if (typeof signer.endpointId !== 'string' || !WEBHOOK_ENDPOINT_ID.test(signer.endpointId)) {
    throw new TypeError('a webhook is signed for one endpoint: endpointId must be a webhook endpoint id like we_…');
  }
  // signPayload answers `t=<t>,v1=<hex>`: keep the v1 part of each.
  const macs = await Promise.all(signer.secrets.map((secret) => signPayload(body, secret, timestamp)));
  const v1 = macs.map((header) => header.slice(header.indexOf(',') + 1));
  const signature = ed25519.sign(ed25519Message(timestamp, signer.endpointId, body), fromBase64Url(signer.key.d));
  return [
    `t=${timestamp}`,
    ...v1,
    `ed25519=${toBase64Url(signature)}`,
    `kid=${signer.key.kid}`,
    `eid=${signer.endpointId}`,
  ].join(',');
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

export interface WebhookJwksVerifyOptions extends WebhookVerifyWindow {
  /**
   * The receiving endpoint's id (`we_…`, from `GET /v1/webhook_endpoints`, the primary endpoint
   * included). A delivery signed for any other endpoint is refused.
   */
  endpointId: string;
}

export interface Ed25519SignatureParts {
  timestamp: number;
  signature: string;
  kid: string;
  /** The endpoint the delivery was signed for. */
  endpointId: string;
}

const HEADER_SHAPE =
  'signature header must look like t=<unix>,v1=<hex>,ed25519=<base64url>,kid=<key id>,eid=<endpoint id>';

/** Reads `t`, `ed25519`, `kid` and `eid`; other parts (`v1`, future schemes) are skipped. */
export function parseEd25519Parts(header: string | null | undefined): Ed25519SignatureParts {
  if (!header) throw new SignatureError('missing_header', 'signature header is missing');
  const found = new Map<string, string>();
  for (const part of header.split(',')) {
    const eq = part.indexOf('=');
    if (eq < 1) throw new SignatureError('malformed_header', HEADER_SHAPE);
    const name = part.slice(0, eq).trim();
    if (name !== 't' && name !== 'ed25519' && name !== 'kid' && name !== 'eid') continue;
    // One Ed25519 signature per header: a kid and an eid pair with exactly one signature.
    if (found.has(name)) throw new SignatureError('malformed_header', `signature header has ${name}= twice`);
    found.set(name, part.slice(eq + 1).trim());
  }
  const t = found.get('t');
  const signature = found.get('ed25519');
  const kid = found.get('kid');
  const endpointId = found.get('eid');
  if (t === undefined || !/^\d{1,12}$/.test(t))
    throw new SignatureError('malformed_header', 'signature timestamp must be unix seconds');
  if (signature === undefined || !ED25519_SIGNATURE.test(signature)) {
    throw new SignatureError('malformed_header', 'ed25519 signature must be 64 bytes of base64url');
  }
  if (kid === undefined || !KID.test(kid))
    throw new SignatureError('malformed_header', 'signature header has no valid kid=');
  if (endpointId === undefined || !WEBHOOK_ENDPOINT_ID.test(endpointId)) {
    throw new SignatureError(
      'malformed_header',
      'signature header has no valid eid= (a webhook endpoint id like we_…)',
    );
  }
  return { timestamp: Number(t), signature, kid, endpointId };
}

export const ENDPOINT_ID_REQUIRED =
  'verifying a webhook with the JWKS needs { endpointId }: the id (we_…) ' +
  'of the endpoint receiving it, from GET /v1/webhook_endpoints';

/**
 * Verifies the `ed25519` signature with the key the header's `kid` names in `keys` (the JWKS), as
 * a delivery to `options.endpointId`. A header naming another endpoint is refused
 * (`wrong_endpoint`) before any signature is checked; the window is checked next, like the HMAC,
 * so a replayed old delivery fails the same way; the signature is then checked over the expected
 * endpoint id, so an `eid` changed in transit breaks it.
 */
export function verifyWebhookWithJwks(
  body: string,
  header: string | null | undefined,
  keys: readonly PublicJwk[],
  options: WebhookJwksVerifyOptions,
): Ed25519SignatureParts {
  const expected: unknown = (options as Partial<WebhookJwksVerifyOptions> | undefined)?.endpointId;
  if (typeof expected !== 'string' || !WEBHOOK_ENDPOINT_ID.test(expected)) throw new TypeError(ENDPOINT_ID_REQUIRED);
  const parts = parseEd25519Parts(header);
  if (parts.endpointId !== expected) {
    throw new SignatureError(
      'wrong_endpoint',
      `the delivery was signed for webhook endpoint ${parts.endpointId}, not ${expected}`,
    );
  }
  const now = options.now ?? Math.floor(Date.now() / 1000);
  const tolerance = options.toleranceSeconds ?? DEFAULT_TOLERANCE_SECONDS;
  if (Math.abs(now - parts.timestamp) > tolerance) {
    throw new SignatureError('timestamp_outside_tolerance', `signature timestamp is more than ${tolerance}s from now`);
  }
  const key = keys.find((candidate) => candidate.kid === parts.kid);
  if (key?.kty !== 'OKP' || key.crv !== 'Ed25519') {
    throw new SignatureError(
      'unknown_key',
      `signature key ${parts.kid} is not in the JWKS: fetch /.well-known/jwks.json again`,
    );
  }
  let valid = false;
  try {
    // zip215: false is RFC 8032's strict verification, as for tokens (jws.ts).
    // Over the endpoint the receiver expects, not the one the header claims: they are equal here,
    // and the signature binds it either way.
    valid = ed25519.verify(
      fromBase64Url(parts.signature),
      ed25519Message(parts.timestamp, expected, body),
      fromBase64Url(key.x),
      { zip215: false },
    );
  } catch {
    valid = false;
  }
  if (!valid) throw new SignatureError('no_matching_signature', 'the ed25519 signature does not match the payload');
  return parts;
}
