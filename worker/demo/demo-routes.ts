/**
 * A small real shop that embeds Till exactly as a merchant would: its server side creates the
 * order with the secret key over the public API, its page loads /v1/till.js, and its webhook
 * endpoint verifies Till's signature before recording an event. Served only in development.
 */
import { Hono } from 'hono';
import { z } from 'zod';
import { Till, TillApiError, TillWebhookError, type WebhookEvent } from '../../sdk/index.ts';
import { TillError } from '../../shared/errors.ts';
import { WEBHOOK_SIGNATURE_HEADER } from '../../shared/webhook-signature.ts';
import { now } from '../base/clock.ts';
import type { AppEnv, Env } from '../base/env.ts';
import { dispatchToSelf } from '../base/self-dispatch.ts';
import { adminAuth } from '../http/auth.ts';
import { readJson } from '../http/input.ts';
import { DEMO_PAGE, DEMO_SCRIPT } from './demo-page.ts';

/** The same cart priced for each market: in yuan, Alipay and WeChat Pay are offered too. */
export const DEMO_CARTS = {
  USD: { description: 'Till tote bag ×1 + shipping', amount: 2900, currency: 'USD' },
  CNY: { description: 'Till 帆布袋 ×1 + 运费', amount: 19900, currency: 'CNY' },
} as const;

const shop = (env: Env) => env.DEMO_SHOP.get(env.DEMO_SHOP.idFromName('demo'));

const DemoConfigSchema = z.strictObject({
  merchant_id: z.string(),
  publishable_key: z.string(),
  secret_key: z.string(),
  webhook_secret: z.string(),
});

/** The shop's server-side client, as a merchant would build it; here its requests stay inside this worker. */
const tillClient = (env: Env, origin: string, secretKey: string) =>
  new Till({ secretKey, baseUrl: origin, fetch: (url, init) => dispatchToSelf(new Request(url, init), env) });

/** The API's error, passed on to the shop's page as the API gave it. */
function envelopeOf(error: TillApiError) {
  const { type, code, message, param, requestId } = error;
  return { error: { type, code, message, ...(param === undefined ? {} : { param }), request_id: requestId ?? null } };
}

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
    const till = tillClient(c.env, new URL(c.req.url).origin, config.secret_key);
    try {
      // The SDK adds a fresh Idempotency-Key and retries a failed try with it.
      const cart = c.req.query('currency') === 'CNY' ? DEMO_CARTS.CNY : DEMO_CARTS.USD;
      const order = await till.orders.create({ ...cart, metadata: { cart: 'demo' } });
      return c.json({ order_id: order.id, client_token: order.client_token }, 201);
    } catch (error) {
      if (error instanceof TillApiError) return c.json(envelopeOf(error), error.status as 400);
      throw error;
    }
  })

  // The shop's webhook endpoint: verify, then record.
  .post('/webhooks', async (c) => {
    const config = await shop(c.env).config();
    if (!config) return c.text('not configured', 503);
    const body = await c.req.text();
    let event: WebhookEvent;
    try {
      event = await Till.webhooks.verify(body, c.req.header(WEBHOOK_SIGNATURE_HEADER), config.webhook_secret);
    } catch (error) {
      if (error instanceof TillWebhookError)
        return c.text(error.reason === 'invalid_payload' ? 'bad payload' : 'bad signature', 400);
      throw error;
    }
    await shop(c.env).record({
      id: event.id,
      type: event.type,
      order_id: event.data.object.id,
      order_status: event.data.object.status,
      received_at: now(),
      signature_verified: true,
    });
    return c.text('ok');
  })

  .get('/api/events', async (c) => {
    c.header('cache-control', 'no-store');
    return c.json({ data: await shop(c.env).events(c.req.query('order') ?? null) });
  });
