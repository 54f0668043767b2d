/** The widget's API, authenticated by the order's client token. */
import { type Context, Hono } from 'hono';
import { TillError } from '../../../shared/errors.ts';
import { ShopperContextSchema, StartAttemptBaseSchema } from '../../../shared/schemas.ts';
import { orderStub } from '../../base/order-stub.ts';
import { unwrap } from '../../base/result.ts';
import { channelOf, isChannelId } from '../../channels/registry.ts';
import { grantedRequest, LIVE_PROTOCOL, protocolToken, refusalOf } from '../../orders/live-status.ts';
import { type CheckoutEnv, clientTokenAuth } from '../auth.ts';
import { allowedOriginsCors, orderMerchantOrigins } from '../cors.ts';
import { idempotency } from '../idempotency.ts';
import { attemptIpRateLimit, attemptOrderRateLimit, checkoutReadRateLimit } from '../rate-limit.ts';
import { bearer, originOf, parseWith, readJsonValue } from '../request.ts';

function shopperContext(value: string | undefined) {
  return parseWith(ShopperContextSchema, value ?? 'desktop');
}

const merchantOrigins = (c: Context<CheckoutEnv>) => orderMerchantOrigins(c.env, c.req.param('id') ?? '');

/**
 * Origins an attempt's return_url may point at. The merchant's are looked up (two object round
 * trips, cached per order) only when the URL leaves the checkout's own origin.
 */
async function returnOrigins(c: Context<CheckoutEnv>, returnUrl: string | undefined): Promise<readonly string[]> {
  const own = originOf(c);
  if (returnUrl === undefined || (URL.canParse(returnUrl) && new URL(returnUrl).origin === own)) return [own];
  return [own, ...(await merchantOrigins(c))];
}

/** The merchant pages of the order's merchant may call these from the browser. */
const merchantPagesCors = allowedOriginsCors<CheckoutEnv>({ originsFor: merchantOrigins });

/**
 * Browsers cannot set Authorization on a WebSocket: the live socket offers the client token as a
 * subprotocol next to `till.v1` (a JWS is all tchars). Other clients may still send the header.
 */
function checkoutToken(c: Context<CheckoutEnv>) {
  const token = bearer(c);
  if (token !== null || !c.req.path.endsWith('/live')) {
    return { token, missing: 'Send the order client token as Authorization: Bearer …' };
  }
  return {
    token: protocolToken(c.req.header('sec-websocket-protocol')),
    missing: `Offer the subprotocols ${LIVE_PROTOCOL} and the order client token in Sec-WebSocket-Protocol`,
  };
}

const attemptIdempotency = idempotency<CheckoutEnv>({ scope: (c) => `checkout:${c.get('claims').sub}` });

export const checkoutApi = new Hono<CheckoutEnv>()
  // `/:id/*` matches `/:id` too: each middleware runs once per request.
  // Limited first: a preflight looks the order up too, and must not be free.
  .use('/:id/*', checkoutReadRateLimit())
  .use('/:id/*', merchantPagesCors)
  .use('/:id/attempts', attemptIpRateLimit())
  .use('/:id/*', clientTokenAuth({ param: 'id', token: checkoutToken }))
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
        returnOrigins: await returnOrigins(c, body.return_url),
        ip: c.req.header('cf-connecting-ip') ?? null,
        userAgent: c.req.header('user-agent') ?? null,
      }),
    );
    c.header('cache-control', 'no-store');
    return c.json(summary, 201);
  })

  // Each change of the order, pushed as it happens (orders/live-status.ts).
  .get('/:id/live', async (c) => {
    // The frame runs on this origin; a token leaked to another site must not open a socket there.
    // Browsers always send Origin on a WebSocket; a client without one is no browser, and could
    // read the same summary with GET /v1/checkout/:id anyway.
    const origin = c.req.header('origin');
    if (origin !== undefined && origin !== originOf(c)) {
      throw new TillError('forbidden', 'The live checkout can be opened only by the checkout frame, on its own origin');
    }
    if (c.req.header('upgrade')?.toLowerCase() !== 'websocket') {
      throw new TillError(
        'upgrade_required',
        `Open this URL as a WebSocket, offering the subprotocol ${LIVE_PROTOCOL}`,
      ).withHeaders({
        Upgrade: 'websocket',
      });
    }
    const grant = { claims: c.get('claims'), context: shopperContext(c.req.query('context')) };
    const response = await orderStub(c.env, c.req.param('id')).fetch(grantedRequest(c.req.raw, grant));
    if (response.status !== 101) throw refusalOf(response.status, await response.json().catch(() => null));
    return response;
  });
