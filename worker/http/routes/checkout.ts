/** The widget's API, authenticated by the order's client token. */
import type { Context } from 'hono';
import type { CHECKOUT_ROUTES } from '../../../shared/api/routes/checkout.ts';
import { TillError } from '../../../shared/errors.ts';
import { StartAttemptBaseSchema } from '../../../shared/schemas.ts';
import type { AppEnv } from '../../base/env.ts';
import { orderStub } from '../../base/order-stub.ts';
import { unwrap } from '../../base/result.ts';
import { cardAttemptSchema } from '../../channels/card/card-input.ts';
import { CARD_ROUTER } from '../../channels/card/router.ts';
import { type ChannelId, channelOf, isChannelId } from '../../channels/registry.ts';
import { grantedRequest, LIVE_PROTOCOL, refusalOf } from '../../orders/live-status.ts';
import type { CheckoutEnv } from '../auth.ts';
import { orderMerchantOrigins } from '../cors.ts';
import { originOf, parseWith } from '../input.ts';
import type { Handlers } from '../mount.ts';

/**
 * Origins an attempt's return_url may point at. The merchant's are looked up (two object round
 * trips, cached per order) only when the URL leaves the checkout's own origin.
 */
async function returnOrigins<E extends AppEnv>(c: Context<E>, orderId: string, returnUrl: string | undefined) {
  const own = originOf(c);
  if (returnUrl === undefined || (URL.canParse(returnUrl) && new URL(returnUrl).origin === own)) return [own];
  return [own, ...(await orderMerchantOrigins(c.env, orderId))];
}

/** A base64 nonce of 16 bytes (RFC 6455 §4.1): 22 characters and `==`. */
const WEBSOCKET_KEY = /^[A-Za-z0-9+/]{21}[AQgw]==$/;

/**
 * The rest of the opening handshake (RFC 6455 §4.2.1), checked before the order's object opens a
 * socket: the runtime would refuse a 101 to a request without them, in plain text, after the
 * object had already accepted the socket.
 */
function checkHandshake(c: Context<CheckoutEnv>): void {
  if (c.req.header('sec-websocket-version') !== '13') {
    throw new TillError('upgrade_required', 'Open the socket with WebSocket version 13 (RFC 6455)').withHeaders({
      Upgrade: 'websocket',
      'Sec-WebSocket-Version': '13',
    });
  }
  if (!WEBSOCKET_KEY.test(c.req.header('sec-websocket-key') ?? '')) {
    throw new TillError(
      'invalid_parameter',
      'Sec-WebSocket-Key must be a base64 nonce of 16 bytes (RFC 6455)',
      'Sec-WebSocket-Key',
    );
  }
}

export const checkoutHandlers: Handlers<typeof CHECKOUT_ROUTES> = {
  async retrieveCheckout(c, { params, query }) {
    const summary = unwrap(await orderStub(c.env, params.id).checkout(c.get('claims'), query.context));
    c.header('cache-control', 'no-store');
    return summary;
  },

  async startAttempt(c, { params, query, raw }) {
    const base = parseWith(StartAttemptBaseSchema.loose(), raw);
    const routed = base.channel === CARD_ROUTER;
    if (!routed && !isChannelId(base.channel)) {
      throw new TillError('channel_not_available', `Unknown channel: ${base.channel}`, 'channel');
    }
    // The channel's schema is strict: card fields and the like are checked here, at the edge.
    const schema = routed ? cardAttemptSchema(CARD_ROUTER) : channelOf(base.channel as ChannelId).input;
    const body = parseWith(schema, raw) as typeof base;
    const summary = unwrap(
      await orderStub(c.env, params.id).startAttempt({
        claims: c.get('claims'),
        body,
        origin: originOf(c),
        context: query.context,
        returnOrigins: await returnOrigins(c, params.id, body.return_url),
        ip: c.req.header('cf-connecting-ip') ?? null,
        userAgent: c.req.header('user-agent') ?? null,
      }),
    );
    c.header('cache-control', 'no-store');
    return summary;
  },

  // No credentials: a bank's page sends the shopper here. It can only make Till ask the processor.
  async returnFromAction(c, { params, query }) {
    const { to, ...given } = query;
    const processorParams: Record<string, string> = {};
    for (const [name, value] of Object.entries(given)) if (typeof value === 'string') processorParams[name] = value;
    const target = unwrap(
      await orderStub(c.env, params.id).returnFromAction({
        attemptId: params.attempt,
        params: processorParams,
        to: to ?? null,
        origin: originOf(c),
        returnOrigins: await returnOrigins(c, params.id, to),
      }),
    );
    c.header('cache-control', 'no-store');
    return c.redirect(target, 303);
  },

  // Each change of the order, pushed as it happens (orders/live-status.ts).
  async followCheckout(c, { params, query }) {
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
      ).withHeaders({ Upgrade: 'websocket' });
    }
    checkHandshake(c);
    const grant = { claims: c.get('claims'), context: query.context };
    const response = await orderStub(c.env, params.id).fetch(grantedRequest(c.req.raw, grant));
    if (response.status !== 101) throw refusalOf(response.status, await response.json().catch(() => null));
    return response;
  },
};
