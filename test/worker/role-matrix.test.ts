/**
 * Every API route against every kind of caller. The matrix is read off the route table, the one
 * place a route says who may call it, so a new route is in it the moment it is declared; the
 * first test checks that the app serves exactly the table's routes.
 */
import { env } from 'cloudflare:test';
import { describe, expect, it } from 'vitest';
import { merchantId, orderId } from '../../shared/api/params.ts';
import { type NamedRoute, ROUTE_LIST } from '../../shared/api/routes.ts';
import type { CreatedApiKey } from '../../shared/schemas.ts';
import { app } from '../../worker/app.ts';
import { ASSET_PATHS } from '../../worker/http/pages/assets.ts';
import { FRAME_PATHS } from '../../worker/http/pages/frame-page.ts';
import { call, createMerchant, newOrder } from './helpers.ts';

type Caller = 'anonymous' | 'admin' | 'secret' | 'restricted' | 'publishable' | 'live_secret' | 'client_token';
const CALLERS: Caller[] = ['anonymous', 'admin', 'secret', 'restricted', 'publishable', 'live_secret', 'client_token'];

/**
 * Who may call the route, from its declaration. Live mode is on below, so settings both modes
 * share may be changed only with a live secret key; channels prove themselves by signature
 * (notifications.test.ts), and a public route lets everyone in.
 */
function allowedCallers(route: NamedRoute): Caller[] | 'everyone' | 'channel' {
  if (route.auth.length === 0) return 'everyone';
  if (route.auth.includes('channel')) return 'channel';
  if (route.sharedSettings) return ['live_secret'];
  return route.auth.flatMap((role): Caller[] => (role === 'secret' ? ['secret', 'live_secret'] : [role as Caller]));
}

describe('role matrix', () => {
  it('is the route table: the app serves exactly its routes under /v1', () => {
    const toTemplate = (path: string) => path.replace(/:(\w+)/g, '{$1}');
    const served = new Set(
      app.routes
        // The checkout frame is a page anyone may load (frame-page.test.ts); OPTIONS answers CORS preflights.
        .filter((route) => route.method !== 'ALL' && route.method !== 'OPTIONS' && route.path.startsWith('/v1/'))
        .filter((route) => ![...FRAME_PATHS, ...ASSET_PATHS].includes(route.path as never))
        .map((route) => `${route.method} ${toTemplate(route.path)}`),
    );
    const declared = new Set(
      ROUTE_LIST.filter((route) => route.path.startsWith('/v1/')).map((r) => `${r.method.toUpperCase()} ${r.path}`),
    );
    expect([...served].filter((route) => !declared.has(route))).toEqual([]);
    expect([...declared].filter((route) => !served.has(route))).toEqual([]);
  });

  it('lets each kind of caller reach exactly the routes its role allows', async () => {
    const merchant = await createMerchant();
    await call(`/v1/admin/merchants/${merchant.id}`, { key: env.TILL_ADMIN_KEY, body: { live_enabled: true } });
    const restricted = (
      await call<CreatedApiKey>('/v1/keys', { key: merchant.secret_key, body: { kind: 'restricted' } })
    ).body.secret;
    const order = await newOrder(merchant.secret_key);
    const credentials: Record<Caller, string | null> = {
      anonymous: null,
      admin: env.TILL_ADMIN_KEY,
      secret: merchant.secret_key,
      restricted,
      publishable: merchant.publishable_key,
      live_secret: merchant.live_secret_key,
      client_token: order.client_token,
    };
    // Ids that must name real objects for a call to get past its lookups; the rest use the examples.
    const realIds = new Map<object, string>([
      [orderId, order.id],
      [merchantId, merchant.id],
    ]);
    const failures: string[] = [];
    let checked = 0;
    for (const route of ROUTE_LIST) {
      const allowed = allowedCallers(route);
      if (allowed === 'channel') continue;
      let path = route.path;
      for (const [name, spec] of Object.entries(route.params ?? {})) {
        path = path.replace(`{${name}}`, realIds.get(spec) ?? spec.example);
      }
      const query = route.queryExample ? `?${new URLSearchParams({ ...route.queryExample })}` : '';
      for (const caller of CALLERS) {
        const key = credentials[caller];
        const response = await call(`${path}${query}`, {
          method: route.method.toUpperCase(),
          ...(key ? { key } : {}),
          ...(route.bodyExample ? { body: route.bodyExample } : route.method === 'post' ? { rawBody: '' } : {}),
        });
        checked++;
        const may = allowed === 'everyone' || allowed.includes(caller);
        const refused = response.status === 401 || response.status === 403;
        if (may === refused || response.status >= 500) {
          failures.push(
            `${caller} ${route.method} ${path} → ${response.status} ${JSON.stringify(response.body).slice(0, 120)}`,
          );
        }
      }
    }
    expect(failures).toEqual([]);
    expect(checked).toBeGreaterThan(250);
  });
});
