/**
 * What the restart test sends: the merchant's calls (reads spread over read-only keys), the
 * shoppers' attempts and sandbox pages, each shopper from their own address; 429s waited out.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { expect } from 'vitest';
import type { CheckoutSummary, List, Order, Refund } from '../../../shared/schemas.ts';
import { server } from './server.ts';

export const RUN = `restart-${Date.now().toString(36)}`;

export interface Reply<T = unknown> {
  status: number;
  body: T;
  headers: Headers;
}
export type ErrorBody = { error?: { code?: string; message?: string } };

interface CallOptions {
  method?: string;
  auth?: string;
  json?: unknown;
  form?: Record<string, string>;
  headers?: Record<string, string>;
}

export async function call<T = unknown>(path: string, options: CallOptions = {}): Promise<Reply<T>> {
  for (let tries = 0; ; tries++) {
    const headers: Record<string, string> = { ...options.headers };
    if (options.auth) headers.authorization = `Bearer ${options.auth}`;
    let body: string | undefined;
    if (options.json !== undefined) {
      body = JSON.stringify(options.json);
      headers['content-type'] = 'application/json';
    } else if (options.form) {
      body = new URLSearchParams(options.form).toString();
      headers['content-type'] = 'application/x-www-form-urlencoded';
    }
    const response = await fetch(`${server().url}${path}`, {
      method: options.method ?? (body === undefined ? 'GET' : 'POST'),
      headers,
      body,
      redirect: 'manual',
    });
    const text = await response.text();
    // A 429 changed nothing: wait as told and send the same request again.
    if (response.status === 429 && tries < 2) {
      console.warn(`429 on ${path}: waiting ${response.headers.get('retry-after')} s`);
      await sleep(Number(response.headers.get('retry-after') ?? 10) * 1000);
      continue;
    }
    let parsed: unknown = text;
    try {
      parsed = JSON.parse(text);
    } catch {
      // an HTML page of the sandbox
    }
    return { status: response.status, body: parsed as T, headers: response.headers };
  }
}

export const secretKey = () => server().merchant.secret_key;
/**
 * Restricted (read-only) keys for the many reads that check the state: the merchant API allows
 * 100 requests per 10 s per key, and one client reading every order after each restart needs more.
 */
export const readKeys: string[] = [];
let nextReadKey = 0;
const readKey = () => readKeys[nextReadKey++ % readKeys.length] ?? secretKey();
export const merchantGet = <T>(path: string) => call<T & ErrorBody>(path, { auth: readKey() });
export const merchantPost = <T>(path: string, json: unknown, idempotencyKey: string) =>
  call<T & ErrorBody>(path, { auth: secretKey(), json, headers: { 'idempotency-key': idempotencyKey } });

/** Each order's shopper comes from their own address, as real shoppers do (per-IP limits). */
const shopperIp = (n: number) => `198.51.100.${n + 1}`;

export const orderBody = (n: number) => ({
  amount: 2000 + n * 100,
  currency: 'USD',
  description: `Restart test order ${n}`,
  metadata: { run: RUN, n: String(n) },
});
export const createOrder = (n: number) => merchantPost<Order>('/v1/orders', orderBody(n), `${RUN}-order-${n}`);
const refundBody = (amount: number, tag: string) => ({ amount, reason: 'requested_by_customer', metadata: { tag } });
export const refundOrder = (order: Order, amount: number, tag: string) =>
  merchantPost<Refund>(`/v1/orders/${order.id}/refunds`, refundBody(amount, tag), `${RUN}-refund-${order.id}-${tag}`);

export const cardAttempt = (number: string) => ({
  channel: 'sandbox',
  method: 'card',
  card: { number, exp_month: 12, exp_year: 2030, cvc: '123' },
});
export const qrAttempt = { channel: 'sandbox', method: 'qr' };

export function startAttempt(n: number, order: Order, body: unknown, idempotencyKey: string) {
  return call<CheckoutSummary & ErrorBody>(`/v1/checkout/${order.id}/attempts`, {
    auth: order.client_token,
    json: body,
    headers: { 'idempotency-key': idempotencyKey, 'cf-connecting-ip': shopperIp(n) },
  });
}

/** The shopper's answer on the sandbox's wallet (QR) or bank (3-D Secure) page: a plain form POST. */
export function answerSandboxPage(n: number, page: 'scan' | 'challenge', attemptId: string) {
  return call<string>(`/sandbox/${page}/${attemptId}`, {
    form: { action: 'succeed' },
    headers: { 'cf-connecting-ip': shopperIp(n) },
  });
}

export async function listAll<T extends { id: string }>(path: string): Promise<T[]> {
  const items: T[] = [];
  let after: string | undefined;
  for (;;) {
    const page = await merchantGet<List<T>>(`${path}?limit=100${after ? `&starting_after=${after}` : ''}`);
    expect(page.status, JSON.stringify(page.body)).toBe(200);
    items.push(...page.body.data);
    if (!page.body.has_more) return items;
    after = page.body.data.at(-1)?.id;
  }
}

export async function until<T>(
  what: string,
  probe: () => Promise<T | undefined | false>,
  timeoutMs = 15_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined && value !== false) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(200);
  }
}
