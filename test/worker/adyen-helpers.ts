/** A merchant with Adyen configured in test mode against the Adyen stand-in, and its webhooks posted by hand. */
import { env } from 'cloudflare:test';
import { expect } from 'vitest';
import type { ErrorEnvelope } from '../../shared/errors.ts';
import type { Merchant } from '../../shared/merchant-schemas.ts';
import type { CheckoutSummary, Order } from '../../shared/schemas.ts';
import { call, createMerchant, ORIGIN } from './helpers.ts';

// The worker's own setting: process.env (TILL_FAKES_PORT) is not seen inside the Workers runtime.
const ADYEN = env.ADYEN_API_TEST!;

export interface AdyenAccount {
  api_key: string;
  merchant_account: string;
  hmac_key: string;
}

export async function adyenControl<T>(path: string, body?: unknown): Promise<T> {
  const response = await fetch(`${ADYEN}${path}`, {
    method: body === undefined ? 'GET' : 'POST',
    headers: { 'content-type': 'application/json' },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  expect(response.status, `${path}: ${response.status}`).toBeLessThan(300);
  return (await response.json()) as T;
}

/** Gives a merchant a fresh account of the stand-in, so each test sees only its own payments. */
export async function configureAdyen(secretKey: string): Promise<AdyenAccount> {
  const account = await adyenControl<AdyenAccount>('/_fake/accounts', {});
  const configured = await call<Merchant & ErrorEnvelope>('/v1/merchant/channels/adyen', {
    key: secretKey,
    body: { enabled: true, credentials: account },
  });
  expect(configured.status, JSON.stringify(configured.body)).toBe(200);
  return account;
}

export async function adyenMerchant() {
  const merchant = await createMerchant();
  return { merchant, account: await configureAdyen(merchant.secret_key) };
}

export const FRAME = `${ORIGIN}/v1/frame?order=x`;

export const payWithAdyen = (order: Order, number: string, extra: Record<string, unknown> = {}) =>
  call<CheckoutSummary & ErrorEnvelope>(`/v1/checkout/${order.id}/attempts`, {
    key: order.client_token,
    body: {
      channel: 'adyen',
      method: 'card',
      card: { number, exp_month: 3, exp_year: 2030, cvc: '737', ...extra },
      return_url: FRAME,
    },
  });

export interface FakePayment {
  pspReference: string;
  reference: string;
  amount: { value: number; currency: string };
  status: string;
  manualCapture: boolean;
  captured: number;
  refunded: number;
  cancelled: boolean;
  modifications: Array<{ kind: string; pspReference: string; reference: string | null; success: boolean }>;
}

/** Every payment the account holds, as the stand-in keeps it. */
export const paymentsOf = async (account: AdyenAccount): Promise<FakePayment[]> =>
  (await adyenControl<{ payments: FakePayment[] }>(`/_fake/payments?api_key=${encodeURIComponent(account.api_key)}`))
    .payments;

/** Posts one of the stand-in's webhooks to Till's account-wide endpoint, as Adyen would. */
export async function deliverAdyenWebhook(
  pspReference: string,
  eventCode: string,
  tamper: (body: string) => string = (body) => body,
  { paymentReference = false } = {},
) {
  const signed = await adyenControl<{ body: string; headers: Record<string, string> }>(
    `/_fake/notifications/${pspReference}/${eventCode}/signed${paymentReference ? '?merchant_reference=payment' : ''}`,
  );
  return call<string>('/v1/channels/adyen/events', { rawBody: tamper(signed.body), headers: signed.headers });
}

/** Completes or fails the stand-in's 3-D Secure 2 page as the shopper would; answers where it sends them. */
export async function answerChallenge(url: string, outcome: 'complete' | 'fail'): Promise<string> {
  const page = await fetch(url);
  expect(await page.text()).toContain('Complete authentication');
  const answered = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: `outcome=${outcome}`,
    redirect: 'manual',
  });
  expect(answered.status).toBe(303);
  return answered.headers.get('location') ?? '';
}
