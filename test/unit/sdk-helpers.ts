/**
 * What the server SDK's tests share: a merchant and its key, orders and events as the API answers
 * them, and a client whose `fetch` answers from a script and records what was sent.
 */
import { type FetchLike, Till, type TillOptions } from '../../sdk/index.ts';
import type { Order, WebhookEvent } from '../../shared/schemas.ts';

export const MERCHANT = 'mer_M3rchantM3rchant';
export const SECRET_KEY = `sk_test_${MERCHANT.slice(4)}_${'k'.repeat(32)}`;
export const BASE = 'https://till.test';
export const NOW_S = 1_800_000_000;

export const ORDER_ID = (n: number) => `ord_${String(n).padStart(24, '0')}`;

export function order(overrides: Partial<Order> = {}): Order {
  return {
    id: ORDER_ID(1),
    object: 'order',
    merchant_id: MERCHANT,
    mode: 'test',
    status: 'open',
    amount: 2900,
    currency: 'USD',
    description: 'Tote bag',
    return_url: null,
    metadata: {},
    created_at: NOW_S,
    expires_at: NOW_S + 3600,
    paid_at: null,
    canceled_at: null,
    paid_attempt_id: null,
    last_failure: null,
    capture_method: 'automatic',
    attempts: [],
    amount_captured: null,
    amount_refunded: 0,
    refunds: [],
    disputes: [],
    client_token: 'token',
    receipt: null,
    ...overrides,
  };
}

export const json = (body: unknown, status = 200, headers: Record<string, string> = {}) =>
  new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json', ...headers } });

export const envelope = (status: number, type: string, code: string, message: string, param?: string) =>
  json({ error: { type, code, message, ...(param ? { param } : {}), request_id: 'req_abc' } }, status, {
    'request-id': 'req_abc',
  });

export interface Sent {
  url: URL;
  method: string;
  headers: Headers;
  body: string | undefined;
}

export type Reply = Response | Error | ((sent: Sent) => Response | Promise<Response>);

/** A fetch answering from a script, recording what was sent. */
export function fakeFetch(replies: Reply[]) {
  const sent: Sent[] = [];
  const fetch: FetchLike = async (url, init) => {
    const request: Sent = {
      url: new URL(url),
      method: init.method ?? 'GET',
      headers: new Headers(init.headers),
      body: typeof init.body === 'string' ? init.body : undefined,
    };
    sent.push(request);
    const reply = replies.shift();
    if (reply === undefined) throw new Error(`unexpected request ${request.method} ${url}`);
    if (reply instanceof Error) throw reply;
    return typeof reply === 'function' ? reply(request) : reply;
  };
  return { fetch, sent };
}

export function client(replies: Reply[], options: Partial<TillOptions> = {}) {
  const { fetch, sent } = fakeFetch(replies);
  const sleeps: number[] = [];
  let clock = NOW_S * 1000;
  const till = new Till({
    secretKey: SECRET_KEY,
    baseUrl: BASE,
    fetch,
    sleep: async (ms) => {
      sleeps.push(ms);
    },
    now: () => clock,
    ...options,
  });
  return { till, sent, sleeps, advance: (ms: number) => (clock += ms) };
}

export async function rejection(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  throw new Error('expected a rejection');
}

export function webhookEvent(type: WebhookEvent['type'] = 'order.paid'): WebhookEvent {
  const { client_token: _token, ...object } = order({ status: 'paid', paid_at: NOW_S });
  return { id: `evt_${'E'.repeat(24)}`, object: 'event', type, created: NOW_S, mode: 'test', data: { object } };
}
