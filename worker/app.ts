/** The worker's HTTP surface: one Hono app, one sub-app per area, one error handler. */
import { Hono } from 'hono';
import { sandboxPages } from './channels/sandbox/pages.ts';
import { demoRoutes } from './demo/demo-routes.ts';
import type { AppEnv } from './env.ts';
import { notFound, onError, requestId } from './http.ts';
import { adminApi } from './routes/admin-api.ts';
import { channelNotify } from './routes/channel-notify.ts';
import { checkoutApi } from './routes/checkout-api.ts';
import { devBench } from './routes/dev-bench.ts';
import { eventsApi } from './routes/events-api.ts';
import { FRAME_PATHS, framePage } from './routes/frame-page.ts';
import { merchantSettingsApi } from './routes/merchant-settings-api.ts';
import { openApi } from './routes/openapi.ts';
import { ordersApi } from './routes/orders-api.ts';
import { webhookEndpointsApi } from './routes/webhook-endpoints-api.ts';
import { wellKnown } from './routes/well-known.ts';

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
