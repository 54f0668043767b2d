/**
 * A small real shop that embeds Till exactly as a merchant would: its server side creates the
 * order with the secret key over the public API, its page loads /v1/till.js, and its webhook
 * endpoint verifies Till's signature before recording an event. Served only in development.
 */
import { Hono } from 'hono';
import { z } from 'zod';
import { TillError } from '../../shared/errors.ts';
import { verifyPayload } from '../../shared/signature.ts';
import { adminAuth } from '../auth.ts';
import type { AppEnv, Env } from '../env.ts';
import { readJson } from '../http.ts';
import { SIGNATURE_HEADER } from '../orders/webhook-delivery.ts';
import { dispatchToSelf } from '../self-dispatch.ts';
import { DEMO_PAGE, DEMO_SCRIPT } from './demo-page.ts';

export const DEMO_CART = { description: 'Till tote bag ×1 + shipping', amount: 2900, currency: 'USD' } as const;

const shop = (env: Env) => env.DEMO_SHOP.get(env.DEMO_SHOP.idFromName('demo'));

const DemoConfigSchema = z.strictObject({
  merchant_id: z.string(),
  publishable_key: z.string(),
  secret_key: z.string(),
  webhook_secret: z.string(),
});

const WebhookBodySchema = z.object({
  id: z.string(),
  type: z.string(),
  data: z.object({ object: z.object({ id: z.string(), status: z.string() }) }),
});

export const demoRoutes = new Hono<AppEnv>()
  .use(async (c, next) => {
    if (c.env.TILL_ENV !== 'development') throw new TillError('not_found', 'The demo shop runs only in development');
    await next();
  })

  .get('/', (c) => c.html(DEMO_PAGE))
  .get('/shop.js', (c) => c.body(DEMO_SCRIPT, 200, { 'content-type': 'text/javascript; charset=utf-8' }))

  // Called once by `npm start` after it created the demo merchant through the admin API.
  .post('/setup', adminAuth(), async (c) => {
    await shop(c.env).configure(await readJson(c, DemoConfigSchema));
    return c.json({ ok: true });
  })

  // The shop's server side: creates the order with its secret key, like any merchant backend.
  .post('/api/orders', async (c) => {
    const config = await shop(c.env).config();
    if (!config) throw new TillError('merchant_not_found', 'The demo shop is not set up yet: run `npm start`');
    const origin = new URL(c.req.url).origin;
    const response = await dispatchToSelf(
      new Request(`${origin}/v1/orders`, {
        method: 'POST',
        headers: {
          authorization: `Bearer ${config.secret_key}`,
          'content-type': 'application/json',
          'idempotency-key': crypto.randomUUID(),
        },
        body: JSON.stringify({ ...DEMO_CART, metadata: { cart: 'demo' } }),
      }),
      c.env,
    );
    const order = (await response.json()) as { id?: string; client_token?: string };
    if (!response.ok || !order.id) return c.json(order, response.status as 400);
    return c.json({ order_id: order.id, client_token: order.client_token }, 201);
  })

  // The shop's webhook endpoint: verify, then record.
  .post('/webhooks', async (c) => {
    const config = await shop(c.env).config();
    if (!config) return c.text('not configured', 503);
    const body = await c.req.text();
    try {
      await verifyPayload(body, c.req.header(SIGNATURE_HEADER), config.webhook_secret);
    } catch {
      return c.text('bad signature', 400);
    }
    const event = WebhookBodySchema.parse(JSON.parse(body));
    await shop(c.env).record({
      id: event.id,
      type: event.type,
      order_id: event.data.object.id,
      order_status: event.data.object.status,
      received_at: Math.floor(Date.now() / 1000),
      signature_verified: true,
    });
    return c.text('ok');
  })

  .get('/api/events', async (c) => {
    c.header('cache-control', 'no-store');
    return c.json({ data: await shop(c.env).events(c.req.query('order') ?? null) });
  });
