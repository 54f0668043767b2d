/**
 * The middleware a route's declaration asks for, in the one order every route follows:
 *
 *   limits counted per client or key → CORS → limits counted per caller → auth → limits counted
 *   per verified caller → idempotency
 *
 * Limits that run before CORS count preflights too (a preflight looks the order up, so it must
 * not be free); the per-order attempt limit needs the verified client token, so it runs after auth.
 */
import type { Context, MiddlewareHandler } from 'hono';
import type { ApiRoute, CorsRule, RateLimitPolicy, Role } from '../../shared/api/route.ts';
import type { AppEnv } from '../base/env.ts';
import { LIVE_PROTOCOL, protocolToken } from '../orders/live-status.ts';
import { adminAuth, type CheckoutEnv, clientTokenAuth, type MerchantEnv, merchantAuth } from './auth.ts';
import { allowedOriginsCors, orderMerchantOrigins } from './cors.ts';
import { idempotency } from './idempotency.ts';
import { bearer } from './input.ts';
import {
  attemptIpRateLimit,
  attemptOrderRateLimit,
  checkoutReadRateLimit,
  merchantKeyRateLimit,
} from './rate-limit.ts';

type Stage = 'edge' | 'caller' | 'verified';
type Middleware = MiddlewareHandler<AppEnv>;

/** Each policy a route may declare: its middleware, and when it can run (what its counter keys on). */
const LIMITS: Record<RateLimitPolicy, { stage: Stage; middleware: () => MiddlewareHandler }> = {
  'merchant-key': { stage: 'edge', middleware: merchantKeyRateLimit },
  'checkout-ip': { stage: 'edge', middleware: checkoutReadRateLimit },
  'attempts-ip': { stage: 'caller', middleware: attemptIpRateLimit },
  'attempts-order': { stage: 'verified', middleware: attemptOrderRateLimit as () => MiddlewareHandler },
};

const limitsAt = (route: ApiRoute, stage: Stage): Middleware[] =>
  (route.limits ?? []).filter((policy) => LIMITS[policy].stage === stage).map((policy) => LIMITS[policy].middleware());

const MERCHANT_ROLES: readonly Role[] = ['secret', 'restricted', 'publishable'];
const isMerchantRoute = (route: ApiRoute) => route.auth.some((role) => MERCHANT_ROLES.includes(role));

/**
 * Browsers cannot set Authorization on a WebSocket: the live socket offers the client token as a
 * subprotocol next to `till.v1` (a JWS is all tchars). Other clients may still send the header.
 */
function socketToken(c: Context<CheckoutEnv>) {
  const token = bearer(c);
  if (token !== null) return { token, missing: 'Send the order client token as Authorization: Bearer …' };
  return {
    token: protocolToken(c.req.header('sec-websocket-protocol')),
    missing: `Offer the subprotocols ${LIVE_PROTOCOL} and the order client token in Sec-WebSocket-Protocol`,
  };
}

function authOf(route: ApiRoute): Middleware[] {
  const roles = route.auth;
  if (roles.length === 0 || roles.includes('channel')) return []; // public, or signed in the channel's own format
  if (roles.includes('admin')) return [adminAuth()];
  if (roles.includes('client_token')) {
    if (!route.params?.id) throw new TypeError(`${route.path}: a client-token route names its order {id}`);
    const options = route.websocket ? { param: 'id', token: socketToken } : { param: 'id' };
    return [clientTokenAuth(options) as unknown as Middleware];
  }
  const keys = roles.filter((role): role is 'secret' | 'restricted' | 'publishable' => MERCHANT_ROLES.includes(role));
  const inHeader = merchantAuth({ roles: keys });
  if (!route.keyInQuery) return [inHeader as unknown as Middleware];
  // Only a publishable key may travel in the query; with an Authorization header, any listed key.
  const inQuery = merchantAuth({ roles: ['publishable'], keyInQuery: true });
  const either: MiddlewareHandler<MerchantEnv> = (c, next) =>
    c.req.header('authorization') ? inHeader(c, next) : inQuery(c, next);
  return [either as unknown as Middleware];
}

/** Sets `Access-Control-Allow-Origin: *` on public documents any docs viewer may fetch. */
const anyOrigin: Middleware = async (c, next) => {
  await next();
  c.res.headers.set('access-control-allow-origin', '*');
};

function corsOf(rule: CorsRule): Middleware {
  if (rule === 'any') return anyOrigin;
  if (rule === 'order_merchant_origins') {
    return allowedOriginsCors<AppEnv>({ originsFor: (c) => orderMerchantOrigins(c.env, c.req.param('id') ?? '') });
  }
  return allowedOriginsCors<MerchantEnv>({
    originsFor: async (c) => c.get('merchant').allowedOrigins,
  }) as unknown as Middleware;
}

/** Whose Idempotency-Keys a route's keys are compared with: a key never meets another caller's. */
function idempotencyOf(route: ApiRoute): Middleware[] {
  if (!route.idempotent) return [];
  if (route.auth.includes('admin')) return [idempotency<AppEnv>({ scope: () => 'admin' })];
  if (route.auth.includes('client_token')) {
    return [idempotency<CheckoutEnv>({ scope: (c) => `checkout:${c.get('claims').sub}` }) as unknown as Middleware];
  }
  if (!isMerchantRoute(route)) throw new TypeError(`${route.path}: idempotency needs a caller to scope its keys to`);
  const scope = (c: Context<MerchantEnv>) => `merchant:${c.get('merchant').id}:${c.get('merchant').mode}`;
  return [idempotency<MerchantEnv>({ scope }) as unknown as Middleware];
}

/** The middleware in front of a route's handler. */
export function routeChain(route: ApiRoute): Middleware[] {
  // The merchant's own origins are known only once its key is checked.
  const corsFirst = route.cors !== undefined && route.cors !== 'merchant_origins';
  return [
    ...limitsAt(route, 'edge'),
    ...(corsFirst && route.cors ? [corsOf(route.cors)] : []),
    ...limitsAt(route, 'caller'),
    ...authOf(route),
    ...(route.cors === 'merchant_origins' ? [corsOf(route.cors)] : []),
    ...limitsAt(route, 'verified'),
    ...idempotencyOf(route),
  ];
}

/**
 * What answers a CORS preflight for the route, or null when it takes none: only routes a merchant
 * page calls with headers a simple request cannot carry (the checkout's, with its client token).
 */
export function preflightChain(route: ApiRoute): Middleware[] | null {
  if (route.cors !== 'order_merchant_origins') return null;
  return [...limitsAt(route, 'edge'), corsOf(route.cors)];
}
