/** The composition root: one Hono app mounting the HTTP edge's routes and pages and the demo shop, one error handler. */
import { Hono } from 'hono';
import type { AppEnv } from './base/env.ts';
import { serveSelfWith } from './base/self-dispatch.ts';
import { demoRoutes } from './demo/demo-routes.ts';
import { devBench } from './http/pages/dev-bench.ts';
import { FRAME_PATHS, framePage } from './http/pages/frame-page.ts';
import { sandboxPages } from './http/pages/sandbox-pages.ts';
import { notFound, onError, requestId } from './http/request.ts';
import { adminApi } from './http/routes/admin-api.ts';
import { channelNotify } from './http/routes/channel-notify.ts';
import { checkoutApi } from './http/routes/checkout-api.ts';
import { eventsApi } from './http/routes/events-api.ts';
import { merchantSettingsApi } from './http/routes/merchant-settings-api.ts';
import { openApi } from './http/routes/openapi.ts';
import { ordersApi } from './http/routes/orders-api.ts';
import { webhookEndpointsApi } from './http/routes/webhook-endpoints-api.ts';
import { wellKnown } from './http/routes/well-known.ts';

export const app = new Hono<AppEnv>()
  .use(requestId())
  .get('/healthz', (c) => c.json({ ok: true }))
  .get('/', (c) =>
    c.env.TILL_ENV === 'development' ? c.redirect('/demo') : c.json({ name: 'till', docs: '/v1/openapi.json' }),
  )
  .route('/.well-known', wellKnown)
  .route('/v1/admin', adminApi)
  .route('/v1/checkout', checkoutApi)
  .route(FRAME_PATHS[0], framePage)
  .route(FRAME_PATHS[1], framePage)
  .route('/v1/channels', channelNotify)
  .route('/v1', openApi)
  .route('/v1', ordersApi)
  .route('/v1', eventsApi)
  .route('/v1', merchantSettingsApi)
  .route('/v1', webhookEndpointsApi)
  .route('/sandbox', sandboxPages)
  .route('/demo', demoRoutes)
  .route('/_bench', devBench)
  .onError(onError);

// Set after the fact: a 405 needs the full route table.
app.notFound((c) => notFound(c, app.routes));

// The sandbox processor and the demo shop reach these routes in-process (base/self-dispatch.ts).
serveSelfWith((request, env) => app.fetch(request, env));
