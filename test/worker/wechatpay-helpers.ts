/**
 * WeChat Pay through Till's public surface, with the fake (test/fakes/wechatpay, started by
 * test/fakes/global-setup.ts) standing in for WeChat. The fake cannot reach this worker, so the
 * tests take the callbacks it builds and post them to the notify URL themselves.
 */
import { env, SELF } from 'cloudflare:test';
import { expect } from 'vitest';
import type { ErrorEnvelope } from '../../shared/errors.ts';
import type { CheckoutSummary, Merchant, Order } from '../../shared/schemas.ts';
import {
  fakeWechatpayCredentials,
  WECHAT_API_V3_KEY,
  WECHAT_APPID,
  WECHAT_MERCHANT_PUBLIC_KEY,
  WECHAT_MERCHANT_SERIAL,
} from '../fakes/keys.ts';
import { call, createMerchant, newOrder, ORIGIN } from './helpers.ts';

export const FAKE = env.WECHATPAY_API_TEST!;

/**
 * A merchant id of its own for each test file, so faults and signing modes armed at the shared fake
 * touch no other file.
 */
export async function fakeMerchantId(seed: number): Promise<string> {
  const mchid = `19${String(seed).padStart(4, '0')}${String(Date.now() % 10_000).padStart(4, '0')}`;
  await fakeControl('/_fake/merchants', {
    mchid,
    serial_no: WECHAT_MERCHANT_SERIAL,
    public_key: WECHAT_MERCHANT_PUBLIC_KEY,
    api_v3_key: WECHAT_API_V3_KEY,
    appid: WECHAT_APPID,
  });
  return mchid;
}

export const wechatCredentials = (mchid: string, overrides: Record<string, unknown> = {}) =>
  fakeWechatpayCredentials({ mchid, ...overrides });

export async function fakeControl<T = Record<string, unknown>>(
  path: string,
  body?: unknown,
): Promise<{ status: number; body: T }> {
  const response = await fetch(
    `${FAKE}${path}`,
    body === undefined
      ? {}
      : { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) },
  );
  return { status: response.status, body: (await response.json()) as T };
}

export interface FakeCallback {
  notify_url: string;
  body: string;
  headers: Record<string, string>;
}

export interface FakeTrade {
  state: string;
  closed: boolean;
  trade_type: string;
  total: number;
  refundable: number;
  notify_url: string;
  scene_info: Record<string, unknown> | null;
  refunds: Array<{ out_refund_no: string; status: string; amount: { refund: number } }>;
}

export const fakeTrade = async (attemptId: string) => (await fakeControl<FakeTrade>(`/_fake/trades/${attemptId}`)).body;

/** The payer pays at the fake; answers the callback WeChat would post. */
export async function payAtFake(attemptId: string): Promise<FakeCallback> {
  const paid = await fakeControl<FakeCallback>(`/_fake/trades/${attemptId}/pay`, {});
  expect(paid.status).toBe(200);
  return paid.body;
}

export async function armFault(fault: {
  kind: string;
  match?: string;
  mchid?: string;
  code?: string;
  amount?: number;
}): Promise<void> {
  expect((await fakeControl('/_fake/faults', fault)).status).toBe(201);
}

/** Posts a callback to its notify URL on this worker, as WeChat would. */
export async function deliver(
  callback: FakeCallback,
  headers: Record<string, string | null> = {},
  body = callback.body,
) {
  const merged = new Headers(callback.headers);
  for (const [name, value] of Object.entries(headers)) {
    if (value === null) merged.delete(name);
    else merged.set(name, value);
  }
  expect(callback.notify_url.startsWith(`${ORIGIN}/v1/channels/wechatpay/notify/`)).toBe(true);
  const response = await SELF.fetch(callback.notify_url, { method: 'POST', headers: merged, body });
  const text = await response.text();
  return { status: response.status, text };
}

/** A merchant with WeChat Pay configured in test mode against the fake. */
export async function wechatMerchant(mchid: string, overrides: Record<string, unknown> = {}) {
  const merchant = await createMerchant();
  const configured = await configureWechat(merchant.secret_key, wechatCredentials(mchid, overrides));
  expect(configured.status, JSON.stringify(configured.body)).toBe(200);
  return merchant;
}

export const configureWechat = (secretKey: string, credentials: unknown) =>
  call<Merchant & ErrorEnvelope>('/v1/merchant/channels/wechatpay', {
    key: secretKey,
    body: { enabled: true, credentials },
  });

export const cnyOrder = (secretKey: string, overrides: Record<string, unknown> = {}): Promise<Order> =>
  newOrder(secretKey, { amount: 2900, currency: 'CNY', description: '帆布包 Tote bag', ...overrides });

/** Starts a WeChat Pay attempt as the widget does, in a shopper context, from a browser. */
export function startWechat(
  order: Order,
  method: 'native' | 'h5' | 'jsapi',
  options: { context?: string; headers?: Record<string, string>; extra?: Record<string, unknown> } = {},
) {
  const context = options.context ?? { native: 'desktop', h5: 'mobile', jsapi: 'wechat' }[method];
  return call<CheckoutSummary & ErrorEnvelope>(`/v1/checkout/${order.id}/attempts?context=${context}`, {
    key: order.client_token,
    body: { channel: 'wechatpay', method, ...options.extra },
    headers: options.headers ?? {},
  });
}
