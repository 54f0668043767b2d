/**
 * Defects found by probing a running server: every answer of the API's origin is the one error
 * envelope where the worker can answer, and a malformed request changes nothing.
 */
import { env, runInDurableObject, SELF } from 'cloudflare:test';
import { describe, expect, it } from 'vitest';
import type { ErrorEnvelope } from '../../shared/errors.ts';
import type { Order } from '../../shared/schemas.ts';
import { call, createMerchant, newOrder, ORIGIN } from './helpers.ts';

const KEY = 'dGhlIHNhbXBsZSBub25jZQ==';

describe('answers at the edge', () => {
  it('refuses a malformed body on a route that takes none, and cancels nothing', async () => {
    const merchant = await createMerchant();
    const order = await newOrder(merchant.secret_key);
    for (const rawBody of ['{', '{"at_once":true}', '[]']) {
      const { status, body } = await call<ErrorEnvelope>(`/v1/orders/${order.id}/cancel`, {
        key: merchant.secret_key,
        rawBody,
        headers: { 'content-type': 'application/json' },
      });
      expect(status, rawBody).toBe(400);
      expect(['invalid_json', 'unknown_parameter', 'invalid_parameter']).toContain(body.error.code);
    }
    const { body: after } = await call<Order>(`/v1/orders/${order.id}`, { key: merchant.secret_key });
    expect(after.status).toBe('open');
    expect((await call(`/v1/orders/${order.id}/cancel`, { key: merchant.secret_key, body: {} })).status).toBe(200);
  });

  it('answers another method on the loader with the envelope and Allow', async () => {
    const response = await SELF.fetch(`${ORIGIN}/v1/till.js`, { method: 'POST', body: 'x' });
    expect(response.status).toBe(405);
    expect(response.headers.get('allow')).toMatch(/GET/);
    expect(((await response.json()) as ErrorEnvelope).error.code).toBe('method_not_allowed');
    const script = await SELF.fetch(`${ORIGIN}/v1/till.js`);
    expect(script.status).toBe(200);
    expect(script.headers.get('content-type')).toMatch(/javascript/);
    // Served through the worker, the files keep the headers dist/widget/_headers gives them.
    expect(script.headers.get('cache-control')).toBe('public, max-age=300');
    const missing = await SELF.fetch(`${ORIGIN}/v1/assets/no-such-file.js`);
    expect(missing.status).toBe(404);
    expect(((await missing.json()) as ErrorEnvelope).error.code).toBe('not_found');
  });

  it('answers a WebSocket handshake it cannot complete with the envelope, and opens no socket', async () => {
    const merchant = await createMerchant();
    const order = await newOrder(merchant.secret_key);
    const open = (headers: Record<string, string>) =>
      SELF.fetch(`${ORIGIN}/v1/checkout/${order.id}/live`, {
        headers: { authorization: `Bearer ${order.client_token}`, origin: ORIGIN, upgrade: 'websocket', ...headers },
      });
    const noKey = await open({ 'sec-websocket-version': '13' });
    expect(noKey.status).toBe(400);
    expect(((await noKey.json()) as ErrorEnvelope).error).toMatchObject({
      code: 'invalid_parameter',
      param: 'Sec-WebSocket-Key',
    });
    const oldVersion = await open({ 'sec-websocket-version': '8', 'sec-websocket-key': KEY });
    expect(oldVersion.status).toBe(426);
    expect(oldVersion.headers.get('sec-websocket-version')).toBe('13');
    expect(((await oldVersion.json()) as ErrorEnvelope).error.code).toBe('upgrade_required');
    const stub = env.ORDERS.get(env.ORDERS.idFromName(order.id));
    expect(await runInDurableObject(stub, (_object, state) => state.getWebSockets().length)).toBe(0);
  });
});

describe('a merchant that does not exist', () => {
  it('answers 404 to every admin call and is left as empty as it was found', async () => {
    const id = 'mer_0000000000000000';
    const calls: Array<[string, unknown]> = [
      [`/v1/admin/merchants/${id}/channels/sandbox`, { enabled: false }],
      [`/v1/admin/merchants/${id}/channels/sandbox`, { enabled: true }],
      [`/v1/admin/merchants/${id}`, { name: 'Ghost', disabled: true }],
      [`/v1/admin/merchants/${id}/keys`, { kind: 'secret', mode: 'test' }],
      [`/v1/admin/merchants/${id}/reencrypt`, {}],
    ];
    for (const [path, body] of calls) {
      const { status, body: answer } = await call<ErrorEnvelope>(path, { key: env.TILL_ADMIN_KEY, body });
      expect([path, status, answer.error?.code]).toEqual([path, 404, 'merchant_not_found']);
    }
    const stub = env.MERCHANTS.get(env.MERCHANTS.idFromName(id));
    const filled = await runInDurableObject(stub, (_object, state) => {
      const sql = state.storage.sql;
      const tables = sql
        .exec<{ name: string }>(
          "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE '\\_%' ESCAPE '\\'",
        )
        .toArray()
        .map((row) => row.name)
        .filter((name) => !name.startsWith('sqlite_') && name !== 'migrations');
      return tables.filter((name) => sql.exec(`SELECT 1 FROM "${name}" LIMIT 1`).toArray().length > 0);
    });
    expect(filled).toEqual([]);
  });
});
