/**
 * Webhook verification: the signature over the raw body first, then the body as an event. With
 * the endpoint's secret (the `v1` HMAC), or with Till's public JWKS (the `ed25519` signature: no
 * secret to keep, but the endpoint's id to name, since Till's key signs every merchant's
 * deliveries). Needs no client, so a webhook handler can use it alone (`Till.webhooks`).
 */
import type { PublicJwk } from '../shared/jws.ts';
import { JwksSchema, type WebhookEvent, WebhookEventSchema } from '../shared/schemas.ts';
import { SignatureError } from '../shared/signature.ts';
import { WEBHOOK_ENDPOINT_ID } from '../shared/webhook-schemas.ts';
import {
  parseEd25519Parts,
  verifyWebhookWithJwks as verifyEd25519,
  verifyWebhookWithSecret,
} from '../shared/webhook-signature.ts';
import { TillWebhookError } from './errors.ts';

export interface WebhookVerifyOptions {
  /** How far the signature's timestamp may be from now, in seconds (default 300). */
  toleranceSeconds?: number;
  /** Unix seconds; for tests. */
  now?: number;
  /**
   * The mode this endpoint serves. The primary endpoint (`webhook_url`) receives test and live
   * events with one secret; a live shop should pass 'live' so a sandbox payment never passes for
   * a real one.
   */
  mode?: 'test' | 'live';
  /** The merchant (`mer_…`) the event must be about; any merchant's when not given. */
  merchantId?: string;
}

export interface WebhookJwksVerifyOptions extends WebhookVerifyOptions {
  /**
   * The id (`we_…`) of the endpoint this handler serves, from `GET /v1/webhook_endpoints` (the
   * primary endpoint, your `webhook_url`, is listed too). Till's Ed25519 key signs every
   * merchant's deliveries, so the signature names the endpoint: without this check another
   * merchant could forward you a genuine delivery of its own.
   */
  endpointId: string;
}

/** The TypeError for a JWKS verification without a valid `endpointId`. */
export const ENDPOINT_ID_REQUIRED =
  'Till: webhooks.verifyWithJwks needs { endpointId }: the id (we_…) ' +
  'of the webhook endpoint receiving the delivery, from GET /v1/webhook_endpoints';

/** The endpoint id of JWKS verification options; throws the TypeError when there is none. */
export function endpointIdOf(options: Partial<WebhookJwksVerifyOptions> | null | undefined): string {
  const endpointId: unknown = typeof options === 'object' && options !== null ? options.endpointId : undefined;
  if (typeof endpointId !== 'string' || !WEBHOOK_ENDPOINT_ID.test(endpointId))
    throw new TypeError(ENDPOINT_ID_REQUIRED);
  return endpointId;
}

const decoder = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

function decode(rawBody: string | Uint8Array | ArrayBuffer): string {
  try {
    return typeof rawBody === 'string' ? rawBody : decoder.decode(rawBody);
  } catch {
    throw new TillWebhookError('invalid_payload', 'The webhook body is not UTF-8 text');
  }
}

async function checked<T>(check: () => T | Promise<T>): Promise<T> {
  try {
    return await check();
  } catch (error) {
    if (error instanceof SignatureError) throw new TillWebhookError(error.reason, error.message);
    throw error;
  }
}

function windowOf(options: WebhookVerifyOptions): { toleranceSeconds?: number; now?: number } {
  return {
    ...(options.toleranceSeconds !== undefined ? { toleranceSeconds: options.toleranceSeconds } : {}),
    ...(options.now !== undefined ? { now: options.now } : {}),
  };
}

/** The verified body as an event, of the expected mode. */
function eventOf(body: string, options: WebhookVerifyOptions): WebhookEvent {
  let json: unknown;
  try {
    json = JSON.parse(body);
  } catch {
    throw new TillWebhookError('invalid_payload', 'The webhook body is not JSON');
  }
  const parsed = WebhookEventSchema.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new TillWebhookError(
      'invalid_payload',
      `The webhook body is not a Till event (at ${issue?.path.join('.') || 'the top'}: ${issue?.message})`,
    );
  }
  if (options.mode !== undefined && parsed.data.mode !== options.mode) {
    throw new TillWebhookError(
      'wrong_mode',
      `The event is from ${parsed.data.mode} mode; this endpoint serves ${options.mode} mode`,
    );
  }
  if (options.merchantId !== undefined && parsed.data.data.object.merchant_id !== options.merchantId) {
    throw new TillWebhookError('wrong_merchant', 'The event is about another merchant’s order');
  }
  return parsed.data;
}

/**
 * Verifies `Till-Signature` over the raw body exactly as received (never re-serialised JSON) with
 * the endpoint's secret, and returns the event. Throws `TillWebhookError` with the reason when it
 * must not be trusted.
 */
export async function verifyWebhook(
  rawBody: string | Uint8Array | ArrayBuffer,
  signatureHeader: string | null | undefined,
  secret: string,
  options: WebhookVerifyOptions = {},
): Promise<WebhookEvent> {
  const body = decode(rawBody);
  await checked(() => verifyWebhookWithSecret(body, signatureHeader, secret, windowOf(options)));
  return eventOf(body, options);
}

/** Till's public keys: the JSON of `/.well-known/jwks.json`. */
export interface WebhookJwks {
  keys: readonly PublicJwk[];
}

/**
 * Verifies the `ed25519` part of `Till-Signature` with Till's JWKS (the key its `kid` names) as a
 * delivery to the endpoint `options.endpointId`, and returns the event. No shared secret: fetch
 * the JWKS from your Till and cache it; fetch it again when this throws `unknown_key` (a rotated
 * signing key). A delivery signed for another endpoint throws `wrong_endpoint`.
 */
export async function verifyWebhookWithJwks(
  rawBody: string | Uint8Array | ArrayBuffer,
  signatureHeader: string | null | undefined,
  jwks: WebhookJwks,
  options: WebhookJwksVerifyOptions,
): Promise<WebhookEvent> {
  const endpointId = endpointIdOf(options);
  const parsed = JwksSchema.safeParse(jwks);
  if (!parsed.success) throw new TypeError('Till: jwks must be the JSON of /.well-known/jwks.json ({ keys: [...] })');
  const body = decode(rawBody);
  await checked(() => verifyEd25519(body, signatureHeader, parsed.data.keys, { endpointId, ...windowOf(options) }));
  return eventOf(body, options);
}

/** The signing key a header names, to look it up before verifying; throws like verification would. */
export function webhookKeyId(signatureHeader: string | null | undefined): Promise<string> {
  return checked(() => parseEd25519Parts(signatureHeader).kid);
}

export interface Webhooks {
  verify: typeof verifyWebhook;
  verifyWithJwks: typeof verifyWebhookWithJwks;
}
export const webhooks: Webhooks = { verify: verifyWebhook, verifyWithJwks: verifyWebhookWithJwks };

export interface ClientWebhookJwksVerifyOptions extends WebhookJwksVerifyOptions {
  /** Till's JWKS when you hold it; otherwise the client fetches and caches it (as for receipts). */
  jwks?: WebhookJwks | null;
}

/**
 * A client's webhooks: its key's mode by default; `verifyWithJwks` also refuses events about
 * another merchant than the key's, and fetches and caches the JWKS when not given it.
 */
export interface ClientWebhooks {
  verify: typeof verifyWebhook;
  verifyWithJwks(
    rawBody: string | Uint8Array | ArrayBuffer,
    signatureHeader: string | null | undefined,
    options: ClientWebhookJwksVerifyOptions,
  ): Promise<WebhookEvent>;
}
