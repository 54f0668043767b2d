/**
 * Webhook verification: the signature over the raw body first, then the body as an event. Needs
 * only the webhook secret, so a webhook handler can use it without a client (`Till.webhooks`).
 */
import { SignatureError, verifyPayload } from '../shared/signature.ts';
import { WebhookEventSchema, type WebhookEvent } from '../shared/schemas.ts';
import { TillWebhookError } from './errors.ts';

export interface WebhookVerifyOptions {
  /** How far the signature's timestamp may be from now, in seconds (default 300). */
  toleranceSeconds?: number;
  /** Unix seconds; for tests. */
  now?: number;
  /**
   * The mode this endpoint serves. Test and live events reach the same endpoint with the same
   * secret; a live shop should pass 'live' so a sandbox payment never passes for a real one.
   */
  mode?: 'test' | 'live';
}

const decoder = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

/**
 * Verifies `Till-Signature` over the raw body exactly as received (never re-serialised JSON) and
 * returns the event. Throws `TillWebhookError` with the reason when it must not be trusted.
 */
export async function verifyWebhook(
  rawBody: string | Uint8Array | ArrayBuffer,
  signatureHeader: string | null | undefined,
  secret: string,
  options: WebhookVerifyOptions = {},
): Promise<WebhookEvent> {
  let body: string;
  try {
    body = typeof rawBody === 'string' ? rawBody : decoder.decode(rawBody);
  } catch {
    throw new TillWebhookError('invalid_payload', 'The webhook body is not UTF-8 text');
  }
  try {
    await verifyPayload(body, signatureHeader, secret, { ...(options.toleranceSeconds !== undefined ? { toleranceSeconds: options.toleranceSeconds } : {}), ...(options.now !== undefined ? { now: options.now } : {}) });
  } catch (error) {
    if (error instanceof SignatureError) throw new TillWebhookError(error.reason, error.message);
    throw error;
  }
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

export interface Webhooks {
  verify: typeof verifyWebhook;
}
export const webhooks: Webhooks = { verify: verifyWebhook };
