/**
 * The checkout API, one function per call. Responses are typed from shared/schemas.ts but not
 * parsed with zod here: zod would more than double the frame's size, and the worker validated
 * them on the way out.
 */
import type { z } from 'zod';
import type { CheckoutSummary, ShopperContext, StartAttemptBaseSchema } from '../../shared/schemas.ts';

export interface CardDetails {
  /** Digits only. */
  number: string;
  exp_month: number;
  /** Four digits. */
  exp_year: number;
  cvc: string;
  /** Name on card, trimmed. */
  name: string;
}

export type StartAttemptRequest = z.infer<typeof StartAttemptBaseSchema> & { card?: CardDetails };

/**
 * An API error envelope, or a network failure dressed as one (`network_error`, with an empty
 * message so the UI shows its own translated text).
 */
export class CheckoutApiError extends Error {
  override name = 'CheckoutApiError';
  readonly status: number;
  readonly code: string;
  constructor(status: number, code: string, message: string) {
    super(message);
    this.status = status;
    this.code = code;
  }
}

/**
 * How far the server's clock is ahead of this device's, in ms. A QR code's expiry is server
 * time; on a device whose clock is minutes off, a fresh code would otherwise show as expired.
 * Small gaps are ignored: `Date` has whole seconds, and the countdown should not jitter.
 */
let serverOffset = 0;
export const serverNow = (): number => Date.now() + serverOffset;

function learnServerTime(response: Response): void {
  const offset = Date.parse(response.headers.get('date') ?? '') - Date.now();
  serverOffset = Math.abs(offset) > 3000 ? offset : 0;
}

interface ErrorEnvelope {
  error?: { code?: unknown; message?: unknown };
}

async function request(
  path: string,
  token: string,
  init: { method?: 'POST'; body?: unknown } = {},
): Promise<CheckoutSummary> {
  let response: Response;
  try {
    response = await fetch(path, {
      method: init.method ?? 'GET',
      headers: {
        authorization: `Bearer ${token}`,
        accept: 'application/json',
        ...(init.body === undefined ? {} : { 'content-type': 'application/json' }),
      },
      ...(init.body === undefined ? {} : { body: JSON.stringify(init.body) }),
      // Every answer reflects live order state; a cached one would show a stale outcome.
      cache: 'no-store',
    });
  } catch {
    throw new CheckoutApiError(0, 'network_error', '');
  }
  learnServerTime(response);
  const body: unknown = await response.json().catch(() => null);
  if (!response.ok) {
    const error = (body as ErrorEnvelope | null)?.error;
    const code = typeof error?.code === 'string' ? error.code : `http_${response.status}`;
    const message = typeof error?.message === 'string' ? error.message : '';
    throw new CheckoutApiError(response.status, code, message);
  }
  const summary = body as CheckoutSummary | null;
  if (!summary?.order || !Array.isArray(summary.methods)) {
    throw new CheckoutApiError(response.status, 'invalid_response', '');
  }
  return summary;
}

const checkoutPath = (orderId: string): string => `/v1/checkout/${encodeURIComponent(orderId)}`;

export function getCheckout(orderId: string, token: string, context: ShopperContext): Promise<CheckoutSummary> {
  return request(`${checkoutPath(orderId)}?context=${context}`, token);
}

/** The order's live socket, on the frame's own origin (the worker refuses any other). */
export const liveUrl = (orderId: string, context: ShopperContext): string =>
  `${location.origin.replace(/^http/, 'ws')}${checkoutPath(orderId)}/live?context=${context}`;

export function startAttempt(
  orderId: string,
  token: string,
  attempt: StartAttemptRequest,
  context: ShopperContext,
): Promise<CheckoutSummary> {
  // The methods on offer depend on where the shopper is; the attempt is checked against the same list.
  return request(`${checkoutPath(orderId)}/attempts?context=${context}`, token, { method: 'POST', body: attempt });
}
