/**
 * Every API route against every kind of caller. A route added to the app without a line here
 * fails the first test, so no route escapes the matrix.
 */
import { env } from 'cloudflare:test';
import { describe, expect, it } from 'vitest';
import type { CreatedApiKey } from '../../shared/schemas.ts';
import { app } from '../../worker/app.ts';
import { API_ROUTES } from '../../worker/http/openapi/api-routes.ts';
import { FRAME_PATHS } from '../../worker/http/pages/frame-page.ts';
import { call, createMerchant, newOrder } from './helpers.ts';

type Role = 'anonymous' | 'admin' | 'secret' | 'restricted' | 'publishable' | 'live_secret' | 'client_token';
const ROLES: Role[] = ['anonymous', 'admin', 'secret', 'restricted', 'publishable', 'live_secret', 'client_token'];

interface RouteCase {
  method: 'GET' | 'POST' | 'DELETE';
  /** As the app registers it; `:id`-style parameters are filled per test. */
  route: string;
  body?: unknown;
  query?: string;
  allowed: Role[] | 'everyone' | 'channel';
}

const MERCHANT_READ: Role[] = ['secret', 'restricted', 'live_secret'];
const MERCHANT_WRITE: Role[] = ['secret', 'live_secret'];
/** Settings both modes share: once live is on (it is, below), only a live secret key may change them. */
const SHARED_SETTINGS: Role[] = ['live_secret'];

const MATRIX: RouteCase[] = [
  {
    method: 'POST',
    route: '/v1/orders',
    body: { amount: 100, currency: 'USD', description: 'matrix' },
    allowed: MERCHANT_WRITE,
  },
  { method: 'GET', route: '/v1/orders', allowed: MERCHANT_READ },
  { method: 'GET', route: '/v1/orders/:id', allowed: MERCHANT_READ },
  { method: 'POST', route: '/v1/orders/:id/cancel', allowed: MERCHANT_WRITE },
  { method: 'POST', route: '/v1/orders/:id/capture', allowed: MERCHANT_WRITE },
  { method: 'POST', route: '/v1/orders/:id/void', allowed: MERCHANT_WRITE },
  { method: 'POST', route: '/v1/orders/:id/refunds', allowed: MERCHANT_WRITE },
  { method: 'GET', route: '/v1/orders/:id/refunds', allowed: MERCHANT_READ },
  { method: 'GET', route: '/v1/orders/:id/refunds/:refund', allowed: MERCHANT_READ },
  { method: 'GET', route: '/v1/orders/:id/events', allowed: MERCHANT_READ },
  { method: 'GET', route: '/v1/events', allowed: MERCHANT_READ },
  { method: 'GET', route: '/v1/events/:id', allowed: MERCHANT_READ },
  { method: 'GET', route: '/v1/events/:id/deliveries', allowed: MERCHANT_READ },
  { method: 'POST', route: '/v1/events/:id/redeliver', allowed: MERCHANT_WRITE },
  {
    method: 'POST',
    route: '/v1/webhook_endpoints',
    body: { url: 'https://matrix.example/hook', enabled_events: ['refund.failed'] },
    allowed: MERCHANT_WRITE,
  },
  { method: 'GET', route: '/v1/webhook_endpoints', allowed: MERCHANT_READ },
  { method: 'GET', route: '/v1/webhook_endpoints/:id', allowed: MERCHANT_READ },
  { method: 'POST', route: '/v1/webhook_endpoints/:id', body: {}, allowed: MERCHANT_WRITE },
  { method: 'DELETE', route: '/v1/webhook_endpoints/:id', allowed: MERCHANT_WRITE },
  { method: 'POST', route: '/v1/webhook_endpoints/:id/roll_secret', allowed: MERCHANT_WRITE },
  { method: 'GET', route: '/v1/merchant', allowed: MERCHANT_READ },
  { method: 'POST', route: '/v1/merchant', body: {}, allowed: SHARED_SETTINGS },
  // Credentials are per mode, so a test key configures its own mode's; switching a channel on or
  // off for both modes with live on is refused to it (credentials.test.ts).
  {
    method: 'POST',
    route: '/v1/merchant/channels/:channel',
    body: { enabled: true },
    allowed: ['secret', 'live_secret'],
  },
  { method: 'POST', route: '/v1/merchant/signing_secret/roll', allowed: SHARED_SETTINGS },
  { method: 'GET', route: '/v1/keys', allowed: MERCHANT_WRITE },
  { method: 'POST', route: '/v1/keys', body: { kind: 'restricted' }, allowed: MERCHANT_WRITE },
  { method: 'POST', route: '/v1/keys/:id/roll', body: { expires_in: 0 }, allowed: MERCHANT_WRITE },
  { method: 'POST', route: '/v1/keys/:id/revoke', allowed: MERCHANT_WRITE },
  {
    method: 'GET',
    route: '/v1/payment_methods',
    query: 'amount=100&currency=USD',
    allowed: ['publishable', ...MERCHANT_READ],
  },
  { method: 'GET', route: '/v1/checkout/:id', allowed: ['client_token'] },
  {
    method: 'POST',
    route: '/v1/checkout/:id/attempts',
    body: { channel: 'sandbox', method: 'qr' },
    allowed: ['client_token'],
  },
  // Without `Upgrade: websocket` an authorized caller gets 426; the socket itself: live-status.test.ts.
  { method: 'GET', route: '/v1/checkout/:id/live', allowed: ['client_token'] },
  { method: 'POST', route: '/v1/channels/:channel/notify/:order', body: {}, allowed: 'channel' },
  { method: 'POST', route: '/v1/admin/merchants', body: { name: 'Matrix shop' }, allowed: ['admin'] },
  { method: 'GET', route: '/v1/admin/merchants', allowed: ['admin'] },
  { method: 'GET', route: '/v1/admin/merchants/:id', allowed: ['admin'] },
  { method: 'POST', route: '/v1/admin/merchants/:id', body: {}, allowed: ['admin'] },
  { method: 'POST', route: '/v1/admin/merchants/:id/channels/:channel', body: { enabled: true }, allowed: ['admin'] },
  { method: 'POST', route: '/v1/admin/merchants/:id/keys', body: { kind: 'restricted' }, allowed: ['admin'] },
  { method: 'POST', route: '/v1/admin/merchants/:id/reencrypt', allowed: ['admin'] },
  { method: 'GET', route: '/v1/openapi.json', allowed: 'everyone' },
];

describe('role matrix', () => {
  it('covers every /v1 route of the app', () => {
    const registered = new Set(
      app.routes
        // The checkout frame is a page anyone may load (test/worker/frame-page.test.ts).
        .filter(
          (route) =>
            route.method !== 'ALL' &&
            route.path.startsWith('/v1/') &&
            !(FRAME_PATHS as readonly string[]).includes(route.path),
        )
        .map((route) => `${route.method} ${route.path}`),
    );
    const inMatrix = new Set(MATRIX.map((row) => `${row.method} ${row.route}`));
    expect([...registered].filter((route) => !inMatrix.has(route))).toEqual([]);
    expect([...inMatrix].filter((route) => !registered.has(route))).toEqual([]);
  });

  it('matches what the OpenAPI document says each route accepts', () => {
    const documented = new Map(
      API_ROUTES.map((route) => [`${route.method.toUpperCase()} ${route.path}`, [...route.auth].sort()]),
    );
    for (const row of MATRIX) {
      const path = row.route.replace(/:([a-z_]+)/g, '{$1}');
      const roles =
        row.allowed === 'everyone'
          ? []
          : row.allowed === 'channel'
            ? ['channel']
            : [...new Set(row.allowed.map((role) => (role === 'live_secret' ? 'secret' : role)))];
      expect(documented.get(`${row.method} ${path}`), `${row.method} ${path}`).toEqual(roles.sort());
    }
  });

  it('lets each kind of caller reach exactly the routes its role allows', async () => {
    const merchant = await createMerchant();
    await call(`/v1/admin/merchants/${merchant.id}`, { key: env.TILL_ADMIN_KEY, body: { live_enabled: true } });
    const restricted = (
      await call<CreatedApiKey>('/v1/keys', { key: merchant.secret_key, body: { kind: 'restricted' } })
    ).body.secret;
    const order = await newOrder(merchant.secret_key);
    const credentials: Record<Role, string | null> = {
      anonymous: null,
      admin: env.TILL_ADMIN_KEY,
      secret: merchant.secret_key,
      restricted,
      publishable: merchant.publishable_key,
      live_secret: merchant.live_secret_key,
      client_token: order.client_token,
    };
    const failures: string[] = [];
    for (const row of MATRIX) {
      if (row.allowed === 'channel') continue; // channels prove themselves by signature: see notifications.test.ts
      const path = row.route
        .replace('/merchants/:id', `/merchants/${merchant.id}`)
        .replace('/orders/:id', `/orders/${order.id}`)
        .replace('/checkout/:id', `/checkout/${order.id}`)
        .replace('/events/:id', '/events/evt_000000000000000000000000')
        .replace('/keys/:id', '/keys/key_00000000000000000000')
        .replace('/webhook_endpoints/:id', '/webhook_endpoints/we_000000000000000000000000')
        .replace(':refund', 're_000000000000000000000000')
        .replace(':channel', 'sandbox');
      for (const role of ROLES) {
        const key = credentials[role];
        const response = await call(`${path}${row.query ? `?${row.query}` : ''}`, {
          method: row.method,
          ...(key ? { key } : {}),
          ...(row.body !== undefined ? { body: row.body } : row.method === 'POST' ? { rawBody: '' } : {}),
        });
        const allowed = row.allowed === 'everyone' || row.allowed.includes(role);
        const refused = response.status === 401 || response.status === 403;
        if (allowed === refused || response.status >= 500)
          failures.push(
            `${role} ${row.method} ${path} → ${response.status} ${JSON.stringify(response.body).slice(0, 120)}`,
          );
      }
    }
    expect(failures).toEqual([]);
  });
});
