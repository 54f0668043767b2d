/**
 * What the Adyen fake's tests share: @adyen/api-library's own Client and CheckoutAPI pointed at
 * the fake, a webhook receiver, and the fake's controls.
 *
 * The library cannot reach http://127.0.0.1 by itself: its endpoints are fixed
 * (https://checkout-test.adyen.com/v72) and its HttpURLConnectionClient only speaks https. Its
 * documented seam is a custom ClientInterface (`new Client(config, httpClient)`), so a small one
 * here sends the library's own serialised request, headers and Idempotency-Key over fetch to the
 * fake, and raises HttpClientException with the parsed ServiceError as the library's client does.
 */
import adyen, { type Types } from '@adyen/api-library';
import { type RunningFake, serve } from '../fakes/serve.ts';

const { CheckoutAPI, Client, EnvironmentEnum, HttpClientException } = adyen;

type Transport = InstanceType<typeof adyen.Client>['httpClient'];

function fakeTransport(origin: string): Transport {
  return {
    async request(endpoint, json, config, _apiKeyRequired, options = {}) {
      const headers: Record<string, string> = { 'content-type': 'application/json', 'x-api-key': config.apiKey ?? '' };
      if (options.idempotencyKey) headers['idempotency-key'] = options.idempotencyKey;
      const response = await fetch(endpoint.replace('https://checkout-test.adyen.com', origin), {
        method: options.method ?? 'POST',
        headers,
        body: typeof json === 'string' ? json : new Uint8Array(json),
      });
      const text = await response.text();
      if (response.ok) return text;
      const apiError = JSON.parse(text) as { status: number; errorCode: string; message: string };
      throw new HttpClientException({
        message: `HTTP Exception: ${apiError.status}. ${apiError.message}`,
        statusCode: apiError.status,
        errorCode: apiError.errorCode,
        responseBody: text,
        apiError,
      });
    },
  };
}

export function checkoutFor(origin: string, apiKey: string) {
  return new CheckoutAPI(new Client({ apiKey, environment: EnvironmentEnum.TEST }, fakeTransport(origin)));
}

/** The library's error: status, Adyen's errorCode and message. */
export async function adyenFailure(
  promise: Promise<unknown>,
): Promise<{ status: number; errorCode: string; message: string }> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof HttpClientException)
      return { status: error.statusCode, errorCode: error.errorCode ?? '', message: error.apiError?.message ?? '' };
    throw error;
  }
  throw new Error('expected the call to fail');
}

export interface Account {
  api_key: string;
  merchant_account: string;
  hmac_key: string;
}

export async function control<T = Record<string, unknown>>(base: string, path: string, body?: unknown): Promise<T> {
  const init = body === undefined ? {} : { method: 'POST', body: JSON.stringify(body) };
  const response = await fetch(`${base}${path}`, { ...init, headers: { 'content-type': 'application/json' } });
  return (await response.json()) as T;
}

export const newAccount = (base: string): Promise<Account> => control<Account>(base, '/_fake/accounts', {});

/** A webhook receiver: records each batch; answers `[accepted]` unless told to answer otherwise first. */
export async function startReceiver() {
  const batches: Array<{
    live: string;
    notificationItems: Array<{ NotificationRequestItem: Types.notification.NotificationRequestItem }>;
  }> = [];
  const answers: string[] = [];
  const server: RunningFake = await serve(0, async (request) => {
    batches.push(JSON.parse(await request.text()));
    return new Response(answers.shift() ?? '[accepted]');
  });
  const items = (merchantAccount: string) =>
    batches
      .flatMap((batch) => batch.notificationItems.map((wrapper) => wrapper.NotificationRequestItem))
      .filter((item) => item.merchantAccountCode === merchantAccount);
  return { server, batches, answers, items };
}

export const card = (number: string, extra: Record<string, string> = {}) => ({
  type: 'scheme',
  number,
  expiryMonth: '03',
  expiryYear: '2030',
  cvc: '737',
  holderName: 'Jo Tester',
  ...extra,
});

let sequence = 0;
export const paymentRequest = (
  account: Account,
  paymentMethod: Record<string, string>,
  extra: Record<string, unknown> = {},
) =>
  ({
    amount: { value: 2500, currency: 'EUR' },
    reference: `ord_${Date.now().toString(36)}_${sequence++}`,
    merchantAccount: account.merchant_account,
    returnUrl: 'https://shop.example/return?order=1',
    paymentMethod,
    ...extra,
  }) as unknown as Types.checkout.PaymentRequest;
