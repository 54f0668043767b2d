/**
 * One call to Adyen's Checkout API (v71) over fetch: JSON with the merchant's X-API-Key and an
 * Idempotency-Key (Adyen answers a retry with the same key with the first answer). An unavailable
 * Adyen (timeout, 5xx, 429, network) is a ProcessorUnavailable, for the router to fail over; an
 * error answer (ServiceError) becomes an AdyenApiError.
 */
import { TillError } from '../../../shared/errors.ts';
import type { Mode } from '../../../shared/schemas.ts';
import type { Env } from '../../base/env.ts';
import { callProcessor, ProcessorApiError, processorTimeoutMs } from '../card/processor-errors.ts';
import type { AdyenCredentials } from './credentials.ts';

export const ADYEN_TEST_API = 'https://checkout-test.adyen.com';
const VERSION = 'v71';

/** Adyen's ServiceError, as far as Till reads it. */
export interface AdyenErrorBody {
  status?: number;
  errorCode?: string;
  errorType?: string;
  message?: string;
}

export class AdyenApiError extends ProcessorApiError<AdyenErrorBody> {
  override name = 'AdyenApiError';

  constructor(httpStatus: number, error: AdyenErrorBody) {
    // Adyen's messages name fields, never their values.
    super('Adyen', httpStatus, error, `${error.errorCode ?? 'no code'}: ${error.message ?? ''}`);
  }
}

export interface AdyenCall {
  env: Env;
  mode: Mode;
  credentials: AdyenCredentials;
}

/**
 * Test mode: the operator's stand-in (ADYEN_API_TEST) or Adyen's test platform. Live mode: the
 * operator's override (ADYEN_API_LIVE) or the company's own live endpoint, named by its prefix.
 */
function baseOf({ env, mode, credentials }: AdyenCall): string {
  if (mode === 'test') return env.ADYEN_API_TEST ?? ADYEN_TEST_API;
  if (env.ADYEN_API_LIVE) return env.ADYEN_API_LIVE;
  if (!credentials.live_url_prefix) {
    throw new TillError('channel_not_available', 'Adyen live mode needs the live URL prefix in the credentials');
  }
  return `https://${credentials.live_url_prefix}-checkout-live.adyenpayments.com/checkout`;
}

/** POSTs `body` to `/v71{path}`; answers the parsed object of a 2xx, throws AdyenApiError otherwise. */
export async function adyenRequest<T>(
  call: AdyenCall,
  path: string,
  body: Record<string, unknown>,
  idempotencyKey: string,
): Promise<T> {
  const request = new Request(`${baseOf(call).replace(/\/+$/, '')}/${VERSION}${path}`, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      'x-api-key': call.credentials.api_key,
      'idempotency-key': idempotencyKey,
      'user-agent': 'Till/0.1 (Adyen Checkout card processor)',
    },
    body: JSON.stringify({ merchantAccount: call.credentials.merchant_account, ...body }),
  });
  const { status, body: answer } = await callProcessor(
    'Adyen',
    request,
    processorTimeoutMs(call.env.TILL_PROCESSOR_TIMEOUT_MS),
  );
  if (status >= 200 && status < 300) {
    if (typeof answer !== 'object' || answer === null) throw new TillError('channel_error', 'Adyen answered no object');
    return answer as T;
  }
  throw new AdyenApiError(status, typeof answer === 'object' && answer !== null ? (answer as AdyenErrorBody) : {});
}

/** A refused key or merchant account is the merchant's configuration, not the card's. */
export function refusedAccount(error: unknown): TillError | null {
  if (!(error instanceof AdyenApiError) || (error.httpStatus !== 401 && error.httpStatus !== 403)) return null;
  return new TillError(
    'channel_not_available',
    `Adyen refused the merchant's API key or merchant account (${error.httpStatus} ${error.error.errorCode ?? ''})`,
  );
}
