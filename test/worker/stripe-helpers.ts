/** A merchant with Stripe configured in test mode against the Stripe stand-in, and its webhooks posted by hand. */

import { env } from 'cloudflare:test';
import { expect } from 'vitest';
import type { ErrorEnvelope } from '../../shared/errors.ts';
import type { Merchant } from '../../shared/merchant-schemas.ts';
import type { CheckoutSummary, Order } from '../../shared/schemas.ts';
import { call, createMerchant, ORIGIN } from './helpers.ts';

/** The stand-in the worker's test mode talks to (vitest.config.ts, from TILL_FAKES_PORT). */
export const STRIPE = env.STRIPE_API_TEST ?? '';

export interface StripeAccount {
  secret_key: string;
  webhook_secret: string;
}

export async function fakeControl<T>(path: string, body?: unknown): Promise<T> {
  const response = await fetch(`${STRIPE}${path}`, {
    method: body === undefined ? 'GET' : 'POST',
    headers: { 'content-type': 'application/json' },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  expect(response.status, `${path}: ${response.status}`).toBeLessThan(300);
  return (await response.json()) as T;
}

/** A fresh account of the stand-in, so each test sees only its own intents. */
export const stripeAccount = (): Promise<StripeAccount> => fakeControl('/_fake/accounts', {});

export const configureStripe = (secretKey: string, credentials: unknown) =>
  call<Merchant & ErrorEnvelope>('/v1/merchant/channels/stripe', {
    key: secretKey,
    body: { enabled: true, credentials },
  });

export async function stripeMerchant() {
  const account = await stripeAccount();
  const merchant = await createMerchant();
  const configured = await configureStripe(merchant.secret_key, account);
  expect(configured.status, JSON.stringify(configured.body)).toBe(200);
  return { merchant, account };
}

export const FRAME = `${ORIGIN}/v1/frame?order=x`;

export const stripeCard = (number: string, extra: Record<string, unknown> = {}) => ({
  channel: 'stripe',
  method: 'card',
  card: { number, exp_month: 12, exp_year: 2031, cvc: '123', ...extra },
  return_url: FRAME,
});

export const payWithStripe = (order: Order, number: string, extra: Record<string, unknown> = {}) =>
  call<CheckoutSummary & ErrorEnvelope>(`/v1/checkout/${order.id}/attempts`, {
    key: order.client_token,
    body: stripeCard(number, extra),
  });

export interface FakeIntent {
  id: string;
  status: string;
  amount: number;
  amount_received: number;
  currency: string;
  capture_method: string;
  metadata: Record<string, string>;
}

/** Every PaymentIntent the account holds, as Stripe would show it. */
export const intentsOf = async (account: StripeAccount): Promise<FakeIntent[]> =>
  (await fakeControl<{ data: FakeIntent[] }>(`/_fake/accounts/${account.secret_key}/payment_intents`)).data;

interface IntentReport {
  payment_intent: { id: string; status: string; amount: number; metadata: Record<string, string> };
  events: Array<{ id: string; type: string }>;
}

export const intentReport = (id: string): Promise<IntentReport> => fakeControl(`/_fake/payment_intents/${id}`);

/** Posts one of the stand-in's events to Till's account-wide endpoint, as Stripe would. */
export async function deliverStripeEvent(eventId: string, tamper: (body: string) => string = (body) => body) {
  const signed = await fakeControl<{ body: string; headers: Record<string, string> }>(
    `/_fake/events/${eventId}/signed`,
  );
  return call<string>('/v1/channels/stripe/events', { rawBody: tamper(signed.body), headers: signed.headers });
}

/** Completes or fails the stand-in's 3-D Secure page as the shopper would; answers where it sends them. */
export async function answerChallenge(url: string, result: 'complete' | 'fail'): Promise<string> {
  const page = await fetch(url);
  expect(await page.text()).toContain('Complete authentication');
  const answered = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: `result=${result}`,
    redirect: 'manual',
  });
  expect(answered.status).toBe(303);
  return answered.headers.get('location') ?? '';
}
