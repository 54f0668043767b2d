/**
 * Driving the Alipay channel in worker tests: the fake gateway's control endpoints (the fake runs
 * in node, started by the global setup, and cannot reach this worker, so tests carry its
 * notifications to Till themselves), a merchant with its own Alipay app at the fake, and orders.
 * Each test file gets its own app id, so faults it queues (scoped by app_id) never reach a file
 * running beside it.
 */
import { env, runDurableObjectAlarm, runInDurableObject } from 'cloudflare:test';
import { expect } from 'vitest';
import type { ErrorEnvelope } from '../../shared/errors.ts';
import type { CheckoutSummary, MerchantWithKeys, Order, Refund } from '../../shared/schemas.ts';
import type { OrderObject } from '../../worker/orders/order-object.ts';
import { ALIPAY_APP_PRIVATE_KEY_PKCS1, ALIPAY_APP_PUBLIC_KEY, FAKE_ALIPAY_PUBLIC_KEY } from '../fakes/keys.ts';
import { call, createMerchant, newOrder, ORIGIN, orderStub } from './helpers.ts';

// From the binding vitest.config.ts computed in node: inside workerd, process.env has no
// TILL_FAKES_PORT, so test/fakes/ports.ts would fall back to the default port, another checkout's.
export const FAKE = new URL(env.ALIPAY_GATEWAY_TEST ?? 'http://127.0.0.1:8811/gateway.do').origin;

export interface FakeTrade {
  app_id: string;
  exists: boolean;
  trade_status: string | null;
  total_amount: string;
  subject: string;
  notify_url: string | null;
  return_url: string | null;
  refunds: Array<{ out_request_no: string; amount: number }>;
  notifications: Array<{ body: string; form: Record<string, string> }>;
}

export interface FakeNotification {
  trade: FakeTrade;
  notify_url: string;
  body: string;
  dropped: boolean;
}

/** A control endpoint of the fake: POST with a body, GET without; throws unless it answers 2xx. */
export async function fake<T = unknown>(path: string, body?: unknown): Promise<T> {
  const response = await fetch(`${FAKE}/_fake/${path}`, {
    method: body === undefined ? 'GET' : 'POST',
    headers: { 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const json = (await response.json()) as T;
  if (!response.ok) throw new Error(`fake ${path}: ${response.status} ${JSON.stringify(json)}`);
  return json;
}

/** A fresh 16-digit app id registered at the fake with the test app's public key. */
export async function registerApp(): Promise<string> {
  const appId = `2021${Array.from(crypto.getRandomValues(new Uint8Array(12)), (byte) => byte % 10).join('')}`;
  await fake('apps', { app_id: appId, public_key: ALIPAY_APP_PUBLIC_KEY });
  return appId;
}

export const credentialsFor = (appId: string) => ({
  app_id: appId,
  app_private_key: ALIPAY_APP_PRIVATE_KEY_PKCS1,
  alipay_public_key: FAKE_ALIPAY_PUBLIC_KEY,
});

export const configure = (merchant: MerchantWithKeys, value: unknown) =>
  call<ErrorEnvelope>('/v1/merchant/channels/alipay', {
    key: merchant.secret_key,
    body: { enabled: true, credentials: value },
  });

/** A merchant whose test mode uses its own Alipay app at the fake. */
export async function alipayMerchant(): Promise<{ merchant: MerchantWithKeys; appId: string }> {
  const merchant = await createMerchant();
  const appId = await registerApp();
  const configured = await configure(merchant, credentialsFor(appId));
  if (configured.status !== 200) throw new Error(`alipay not configured: ${JSON.stringify(configured.body)}`);
  return { merchant, appId };
}

/** Posts a notification to Till as Alipay does: a form to the notify URL. */
export const notify = (notifyUrl: string, body: string) =>
  call<string & ErrorEnvelope>(new URL(notifyUrl).pathname, {
    rawBody: body,
    headers: { 'content-type': 'application/x-www-form-urlencoded; charset=utf-8' },
  });

export const notifyUrlOf = (orderId: string) => `${ORIGIN}/v1/channels/alipay/notify/${orderId}`;

/** Starts an Alipay attempt as the widget does, in a shopper context. */
export const start = (order: Order, method: string, context = 'desktop') =>
  call<CheckoutSummary & ErrorEnvelope>(`/v1/checkout/${order.id}/attempts?context=${context}`, {
    key: order.client_token,
    body: { channel: 'alipay', method, return_url: `${ORIGIN}/v1/frame?order=${order.id}` },
  });

export const cnyOrder = (merchant: MerchantWithKeys, overrides: Record<string, unknown> = {}) =>
  newOrder(merchant.secret_key, { amount: 8888, currency: 'CNY', description: '托特包 Tote bag', ...overrides });

export const retrieve = async (merchant: MerchantWithKeys, id: string) =>
  (await call<Order>(`/v1/orders/${id}`, { key: merchant.secret_key })).body;

export const refund = (merchant: MerchantWithKeys, orderId: string, body: unknown) =>
  call<Refund & ErrorEnvelope>(`/v1/orders/${orderId}/refunds`, { key: merchant.secret_key, body });

export async function eventTypes(merchant: MerchantWithKeys, orderId: string): Promise<string[]> {
  const { body } = await call<{ data: Array<{ type: string }> }>(`/v1/orders/${orderId}/events`, {
    key: merchant.secret_key,
  });
  return body.data.map((event) => event.type);
}

/** Moves the order's clock-driven work to now and runs its alarm. */
export async function alarmAfter(orderId: string, sql: string): Promise<void> {
  await runInDurableObject(orderStub(orderId), (_instance: OrderObject, state) => {
    state.storage.sql.exec(sql);
  });
  await runDurableObjectAlarm(orderStub(orderId));
}

/** An order paid by QR code through the fake, its notification posted to Till. */
export async function paidOrder(
  merchant: MerchantWithKeys,
  amount = 8888,
): Promise<{ order: Order; attemptId: string }> {
  const order = await cnyOrder(merchant, { amount });
  const attemptId = (await start(order, 'qr')).body.attempt!.id;
  const paid = await fake<FakeNotification>(`trades/${attemptId}/pay`, {});
  expect((await notify(paid.notify_url, paid.body)).body).toBe('success');
  expect((await retrieve(merchant, order.id)).status).toBe('paid');
  return { order, attemptId };
}
