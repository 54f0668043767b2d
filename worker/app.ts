/**
 * The composition root: one Hono app mounting the API from its route table, the pages that are
 * not API (the checkout frame, the sandbox's bank pages, the demo shop, benchmarks), and one error
 * handler that turns every failure into the one envelope.
 */
import { Hono } from 'hono';
import { API_ROUTES } from '../shared/api/routes.ts';
import type { AppEnv } from './base/env.ts';
import { serveSelfWith } from './base/self-dispatch.ts';
import { demoRoutes } from './demo/demo-routes.ts';
import { notFound, onError, requestId } from './http/errors.ts';
import { mountRoutes } from './http/mount.ts';
import { ASSET_PATHS, serveAsset } from './http/pages/assets.ts';
import { devBench } from './http/pages/dev-bench.ts';
import { FRAME_PATHS, framePage } from './http/pages/frame-page.ts';
import { sandboxPages } from './http/pages/sandbox-pages.ts';
import { adminHandlers } from './http/routes/admin.ts';
import { channelNotifyHandlers } from './http/routes/channel-notify.ts';
import { checkoutHandlers } from './http/routes/checkout.ts';
import { eventHandlers } from './http/routes/events.ts';
import { merchantHandlers } from './http/routes/merchant.ts';
import { metaHandlers } from './http/routes/meta.ts';
import { orderHandlers } from './http/routes/orders.ts';
import { webhookEndpointHandlers } from './http/routes/webhook-endpoints.ts';

export const app = new Hono<AppEnv>()
  .use(requestId())
  .get('/healthz', (c) => c.json({ ok: true }))
  .get('/', (c) =>
    c.env.TILL_ENV === 'development' ? c.redirect('/demo') : c.json({ name: 'till', docs: '/v1/openapi.json' }),
  )
  .route(FRAME_PATHS[0], framePage)
  .route(FRAME_PATHS[1], framePage)
  .route('/sandbox', sandboxPages)
  .route('/demo', demoRoutes)
  .route('/_bench', devBench)
  // The widget's files: the worker runs first for every path (wrangler.toml), so that another
  // method on them gets the envelope and `Allow` rather than the platform's empty 405.
  .get(ASSET_PATHS[0], serveAsset)
  .get(ASSET_PATHS[1], serveAsset)
  .onError(onError);

mountRoutes(app, API_ROUTES, {
  ...orderHandlers,
  ...eventHandlers,
  ...webhookEndpointHandlers,
  ...merchantHandlers,
  ...checkoutHandlers,
  ...channelNotifyHandlers,
  ...adminHandlers,
  ...metaHandlers,
});

// Set after the fact: a 405 needs the full route table.
app.notFound((c) => notFound(c, app.routes));

// The sandbox processor and the demo shop reach these routes in-process (base/self-dispatch.ts).
serveSelfWith((request, env) => app.fetch(request, env));
