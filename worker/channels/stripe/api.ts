/**
 * One call to Stripe's API over fetch: the secret key as bearer, a pinned API version, an
 * Idempotency-Key on every POST (Stripe replays the first answer to a retry with the same key), and
 * the answer read as Stripe writes it. An unavailable Stripe (timeout, 5xx, 429, network) is a
 * ProcessorUnavailable, for the router to fail over; an error object becomes a StripeApiError.
 */
import { TillError } from '../../../shared/errors.ts';
import type { Mode } from '../../../shared/schemas.ts';
import type { Env } from '../../base/env.ts';
import { callProcessor, ProcessorApiError, processorTimeoutMs } from '../card/processor-errors.ts';
import type { StripeCredentials } from './credentials.ts';
import { type FormValue, stripeForm } from './form.ts';

export const STRIPE_API = 'https://api.stripe.com';
/** The API version these adapters read answers in (stripe-node 23.1.0's). */
export const STRIPE_VERSION = '2026-10-28.endive';

/** Stripe's `error` object, as far as Till reads it. */
export interface StripeErrorBody {
  type: string;
  code?: string;
  decline_code?: string;
  message?: string;
  param?: string;
  payment_intent?: unknown;
}

export class StripeApiError extends ProcessorApiError<StripeErrorBody> {
  override name = 'StripeApiError';

  constructor(httpStatus: number, error: StripeErrorBody) {
    const code = [error.code, error.decline_code].filter(Boolean).join('/') || error.type;
    super('Stripe', httpStatus, error, `${code}: ${error.message ?? ''}`);
  }
}

export interface StripeCall {
  env: Env;
  mode: Mode;
  credentials: StripeCredentials;
}

/** Test mode may point at the operator's stand-in (STRIPE_API_TEST); Stripe's own test mode otherwise. */
const baseOf = ({ env, mode }: StripeCall): string =>
  (mode === 'test' ? env.STRIPE_API_TEST : env.STRIPE_API_LIVE) ?? STRIPE_API;

/** GET or POST `path`; answers the parsed object of a 2xx, throws StripeApiError for an error object. */
export async function stripeRequest<T>(
  call: StripeCall,
  method: 'GET' | 'POST',
  path: string,
  params: Record<string, FormValue> = {},
  idempotencyKey?: string,
): Promise<T> {
  const form = stripeForm(params);
  const url = new URL(path, baseOf(call));
  if (method === 'GET' && form) url.search = form;
  const headers = new Headers({
    authorization: `Bearer ${call.credentials.secret_key}`,
    'stripe-version': STRIPE_VERSION,
    'user-agent': 'Till/0.1 (Stripe PaymentIntents card processor)',
  });
  if (method === 'POST') {
    headers.set('content-type', 'application/x-www-form-urlencoded');
    if (idempotencyKey) headers.set('idempotency-key', idempotencyKey);
  }
  const request = new Request(url, { method, headers, ...(method === 'POST' ? { body: form } : {}) });
  const { status, body } = await callProcessor(
    'Stripe',
    request,
    processorTimeoutMs(call.env.TILL_PROCESSOR_TIMEOUT_MS),
  );
  if (status >= 200 && status < 300) return body as T;
  const error = (body as { error?: StripeErrorBody } | null)?.error;
  if (!error || typeof error.type !== 'string') throw new TillError('channel_error', `Stripe answered ${status}`);
  throw new StripeApiError(status, error);
}
