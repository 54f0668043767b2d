/** Drives the worker through its public HTTP surface, as merchants and widgets do. */
import { env, runDurableObjectAlarm, runInDurableObject, SELF } from 'cloudflare:test';
import type { ErrorEnvelope } from '../../shared/errors.ts';
import {
  type ChannelNotification,
  ChannelNotificationListSchema,
  type CheckoutSummary,
  type MerchantWithKeys,
  type Order,
} from '../../shared/schemas.ts';
import { signPayload } from '../../shared/signature.ts';
import { advanceClock, now, nowMs } from '../../worker/base/clock.ts';
import { type SandboxNotification, sandboxNotification } from '../../worker/channels/sandbox/index.ts';

export const ORIGIN = 'https://till.test';

export async function call<T = unknown>(
  path: string,
  options: { method?: string; key?: string; body?: unknown; rawBody?: string; headers?: Record<string, string> } = {},
): Promise<{ status: number; body: T; headers: Headers }> {
  const headers: Record<string, string> = { ...options.headers };
  if (options.key) headers.authorization = `Bearer ${options.key}`;
  let body: string | undefined = options.rawBody;
  if (options.body !== undefined) {
    body = JSON.stringify(options.body);
    headers['content-type'] ??= 'application/json';
  }
  const response = await SELF.fetch(`${ORIGIN}${path}`, {
    method: options.method ?? (body === undefined ? 'GET' : 'POST'),
    headers,
    body,
    redirect: 'manual',
  });
  const text = await response.text();
  let parsed: unknown = text;
  try {
    parsed = JSON.parse(text);
  } catch {
    // not JSON (an HTML page or a channel acknowledgement)
  }
  return { status: response.status, body: parsed as T, headers: response.headers };
}

export async function createMerchant(webhookUrl?: string): Promise<MerchantWithKeys> {
  const { status, body } = await call<MerchantWithKeys>('/v1/admin/merchants', {
    key: env.TILL_ADMIN_KEY,
    body: { name: 'Test shop', ...(webhookUrl ? { webhook_url: webhookUrl } : {}) },
  });
  if (status !== 201) throw new Error(`merchant not created: ${JSON.stringify(body)}`);
  return body;
}

export async function createOrder(secretKey: string, overrides: Record<string, unknown> = {}, idempotencyKey?: string) {
  return call<Order & ErrorEnvelope>('/v1/orders', {
    key: secretKey,
    body: { amount: 2900, currency: 'USD', description: 'Tote bag', ...overrides },
    ...(idempotencyKey ? { headers: { 'idempotency-key': idempotencyKey } } : {}),
  });
}

export async function newOrder(secretKey: string, overrides: Record<string, unknown> = {}): Promise<Order> {
  const { status, body } = await createOrder(secretKey, overrides);
  if (status !== 201) throw new Error(`order not created: ${JSON.stringify(body)}`);
  return body;
}

export const card = (number: string) => ({
  channel: 'sandbox',
  method: 'card',
  card: { number, exp_month: 12, exp_year: 2030, cvc: '123' },
  return_url: `${ORIGIN}/v1/frame?order=x`,
});

export function pay(order: Order, attempt: unknown, token = order.client_token) {
  return call<CheckoutSummary & ErrorEnvelope>(`/v1/checkout/${order.id}/attempts`, { key: token, body: attempt });
}

export function summary(order: Order, token = order.client_token) {
  return call<CheckoutSummary & ErrorEnvelope>(`/v1/checkout/${order.id}`, { key: token });
}

export const orderStub = (id: string) => env.ORDERS.get(env.ORDERS.idFromName(id));

/** The order as its merchant reads it (`GET /v1/orders/:id`). */
export const retrieve = async (secretKey: string, orderId: string): Promise<Order> =>
  (await call<Order>(`/v1/orders/${orderId}`, { key: secretKey })).body;

/** The channel notifications an order received (test mode), checked against the schema the API answers with. */
export async function notificationLog(merchantId: string, orderId: string): Promise<ChannelNotification[]> {
  const result = await orderStub(orderId).channelNotifications({ id: merchantId, mode: 'test' });
  if (!result.ok) throw new Error(`no notification log: ${JSON.stringify(result.error)}`);
  return ChannelNotificationListSchema.parse({ object: 'list', data: result.value }).data;
}

/** The types of the order's events, oldest first, as its merchant reads them. */
export async function eventTypes(secretKey: string, orderId: string): Promise<string[]> {
  const { body } = await call<{ data: Array<{ type: string }> }>(`/v1/orders/${orderId}/events`, { key: secretKey });
  return body.data.map((event) => event.type);
}

/**
 * Lets `seconds` pass (worker/base/clock.ts) and runs the order's alarm, as the platform would once
 * its time came. Tests using it reset the clock after each test (`afterEach(resetClock)`).
 */
export async function alarmAfter(orderId: string, seconds: number): Promise<void> {
  advanceClock(seconds);
  await runDurableObjectAlarm(orderStub(orderId));
}

/** Lets time pass until the order's next alarm and runs it, as the platform would; false when none is set. */
export async function runNextAlarm(orderId: string): Promise<boolean> {
  const at = await runInDurableObject(orderStub(orderId), (_instance, state) => state.storage.getAlarm());
  if (at === null) return false;
  advanceClock(Math.max(0, at - nowMs()) / 1000);
  return runDurableObjectAlarm(orderStub(orderId));
}
export const sandboxStub = (attemptId: string) => env.SANDBOX.get(env.SANDBOX.idFromName(attemptId));

/** The sandbox's word that an attempt of a 29.00 USD order (the tests' default) took the money. */
export const paidNote = (orderId: string, attemptId: string, eventId?: string): SandboxNotification =>
  sandboxNotification({ orderId, attemptId, amount: 2900, currency: 'USD' }, 'succeeded', null, eventId);

/** Posts a notification signed as the sandbox channel signs it, at the worker's time. */
export async function sandboxNotify(note: SandboxNotification, secret = env.SANDBOX_NOTIFY_SECRET) {
  return sandboxNotifyRaw(note.order_id, JSON.stringify(note), secret);
}

/** Posts any body to an order's sandbox notify URL, signed as the sandbox signs (a body the schema may refuse). */
export async function sandboxNotifyRaw(orderId: string, body: string, secret = env.SANDBOX_NOTIFY_SECRET) {
  return call<string>(`/v1/channels/sandbox/notify/${orderId}`, {
    rawBody: body,
    headers: { 'content-type': 'application/json', 'sandbox-signature': await signPayload(body, secret, now()) },
  });
}

/** Sets a sandbox trade's status at the processor without it notifying: a notification that never arrives. */
export async function settleTradeSilently(
  attemptId: string,
  status: 'succeeded' | 'authorized' | 'failed' | 'canceled',
) {
  await runInDurableObject(sandboxStub(attemptId), (_instance, state) => {
    const row = state.storage.sql.exec<{ body: string }>('SELECT body FROM trade').one();
    const trade = { ...(JSON.parse(row.body) as Record<string, unknown>), status };
    state.storage.sql.exec('UPDATE trade SET body = ?, notify_pending = 0', JSON.stringify(trade));
  });
}
