/**
 * Webhook verification: the signature over the raw body first, then the body as an event. With
 * the endpoint's secret (the `v1` HMAC), or with Till's public JWKS (the `ed25519` signature: no
 * secret to keep). Needs no client, so a webhook handler can use it alone (`Till.webhooks`).
 */
import type { PublicJwk } from '../shared/jws.ts';
import { JwksSchema, WebhookEventSchema, type WebhookEvent } from '../shared/schemas.ts';
import { SignatureError } from '../shared/signature.ts';
import { parseEd25519Parts, verifyWebhookWithJwks as verifyEd25519, verifyWebhookWithSecret } from '../shared/webhook-signature.ts';
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
    throw new TillWebhookError('invalid_payload', `The webhook body is not a Till event (at ${issue?.path.join('.') || 'the top'}: ${issue?.message})`);
  }
  if (options.mode !== undefined && parsed.data.mode !== options.mode) {
    throw new TillWebhookError('wrong_mode', `The event is from ${parsed.data.mode} mode; this endpoint serves ${options.mode} mode`);
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
 * Verifies the `ed25519` part of `Till-Signature` with Till's JWKS (the key its `kid` names), and
 * returns the event. No shared secret: fetch the JWKS from your Till and cache it; fetch it again
 * when this throws `unknown_key` (a rotated signing key).
 */
export async function verifyWebhookWithJwks(
  rawBody: string | Uint8Array | ArrayBuffer,
  signatureHeader: string | null | undefined,
  jwks: WebhookJwks,
  options: WebhookVerifyOptions = {},
): Promise<WebhookEvent> {
  const parsed = JwksSchema.safeParse(jwks);
  if (!parsed.success) throw new TypeError('Till: jwks must be the JSON of /.well-known/jwks.json ({ keys: [...] })');
  const body = decode(rawBody);
  await checked(() => verifyEd25519(body, signatureHeader, parsed.data.keys, windowOf(options)));
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

/** A client's webhooks: its key's mode by default, and the JWKS fetched and cached when not given. */
export interface ClientWebhooks {
  verify: typeof verifyWebhook;
  verifyWithJwks(
    rawBody: string | Uint8Array | ArrayBuffer,
    signatureHeader: string | null | undefined,
    jwks?: WebhookJwks | null,
    options?: WebhookVerifyOptions,
  ): Promise<WebhookEvent>;
}
