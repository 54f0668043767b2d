/** Drives the worker through its public HTTP surface, as merchants and widgets do. */
import { env, runInDurableObject, SELF } from 'cloudflare:test';
import type { ErrorEnvelope } from '../../shared/errors.ts';
import type { CheckoutSummary, MerchantWithKeys, Order } from '../../shared/schemas.ts';
import { signPayload } from '../../shared/signature.ts';
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
export const sandboxStub = (attemptId: string) => env.SANDBOX.get(env.SANDBOX.idFromName(attemptId));

/** The sandbox's word that an attempt of a 29.00 USD order (the tests' default) took the money. */
export const paidNote = (orderId: string, attemptId: string, eventId?: string): SandboxNotification =>
  sandboxNotification({ orderId, attemptId, amount: 2900, currency: 'USD' }, 'succeeded', null, eventId);

/** Posts a notification signed as the sandbox channel signs it. */
export async function sandboxNotify(note: SandboxNotification, secret = env.SANDBOX_NOTIFY_SECRET) {
  const body = JSON.stringify(note);
  return call<string>(`/v1/channels/sandbox/notify/${note.order_id}`, {
    rawBody: body,
    headers: { 'content-type': 'application/json', 'sandbox-signature': await signPayload(body, secret) },
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
