/** The widget's API, authenticated by the order's client token. */
import { Hono } from 'hono';
import { TillError } from '../../shared/errors.ts';
import { ShopperContextSchema, StartAttemptBaseSchema } from '../../shared/schemas.ts';
import { clientTokenAuth, type CheckoutEnv } from '../auth.ts';
import { channelOf, isChannelId } from '../channels/registry.ts';
import { originOf, parseWith, readJsonValue } from '../http.ts';
import { attemptIpRateLimit, attemptOrderRateLimit, checkoutReadRateLimit } from '../rate-limit.ts';
import { unwrap } from '../result.ts';
import { allowedOriginsCors, cachedOrigins } from '../cors.ts';
import { idempotency } from '../idempotency/idempotency.ts';
import { merchantStub } from '../merchants/merchant-stub.ts';
import { orderStub } from './orders-api.ts';

function shopperContext(value: string | undefined) {
  return parseWith(ShopperContextSchema, value ?? 'desktop');
}

/** The merchant pages of the order's merchant may call these from the browser. */
const merchantPagesCors = allowedOriginsCors<CheckoutEnv>({
  originsFor: (c) =>
    cachedOrigins(c.req.param('id') ?? '', async () => {
      const owner = await orderStub(c.env, c.req.param('id') ?? '').owner();
      return owner ? unwrap(await merchantStub(c.env, owner.id).retrieve()).allowed_origins : [];
    }),
});

const attemptIdempotency = idempotency<CheckoutEnv>({ scope: (c) => `checkout:${c.get('claims').sub}` });

export const checkoutApi = new Hono<CheckoutEnv>()
  // `/:id/*` matches `/:id` too: each middleware runs once per request.
  // Limited first: a preflight looks the order up too, and must not be free.
  .use('/:id/*', checkoutReadRateLimit())
  .use('/:id/*', merchantPagesCors)
  .use('/:id/attempts', attemptIpRateLimit())
  .use('/:id/*', clientTokenAuth({ param: 'id' }))
  .use('/:id/attempts', attemptOrderRateLimit())

  .get('/:id', async (c) => {
    const context = shopperContext(c.req.query('context'));
    const summary = unwrap(await orderStub(c.env, c.req.param('id')).checkout(c.get('claims'), context));
    c.header('cache-control', 'no-store');
    return c.json(summary);
  })

  .post('/:id/attempts', attemptIdempotency, async (c) => {
    const raw = await readJsonValue(c);
    const base = parseWith(StartAttemptBaseSchema.loose(), raw);
    if (!isChannelId(base.channel)) {
      throw new TillError('channel_not_available', `Unknown channel: ${base.channel}`, 'channel');
    }
    // The channel's schema is strict: card fields and the like are checked here, at the edge.
    const body = parseWith(channelOf(base.channel).input, raw) as typeof base;
    const summary = unwrap(
      await orderStub(c.env, c.req.param('id')).startAttempt({
        claims: c.get('claims'),
        body,
        origin: originOf(c),
        context: shopperContext(c.req.query('context')),
      }),
    );
    c.header('cache-control', 'no-store');
    return c.json(summary, 201);
  });
