/**
 * CORS only where a browser on the merchant's own pages needs it (the widget frame itself is
 * same-origin), and only for the origins the merchant allowed. Merchant secret-key routes never
 * answer CORS: a secret key has no business in a browser.
 */
import type { Context, Env as HonoEnv, MiddlewareHandler } from 'hono';
import { cors } from 'hono/cors';
import { ORDER_ID } from '../../shared/schema-primitives.ts';
import { nowMs } from '../base/clock.ts';
import type { Env } from '../base/env.ts';
import { merchantStub } from '../base/merchant-stub.ts';
import { unwrap } from '../base/result.ts';

export interface AllowedOriginsOptions<E extends HonoEnv> {
  /** The origins allowed for this request (e.g. those of the order's merchant). */
  originsFor: (c: Context<E>) => Promise<readonly string[]>;
}

export function allowedOriginsCors<E extends HonoEnv>(options: AllowedOriginsOptions<E>): MiddlewareHandler<E> {
  const { originsFor } = options;
  if (typeof originsFor !== 'function') throw new TypeError('allowedOriginsCors needs an originsFor function');
  return cors({
    origin: async (origin, c) => {
      if (!origin || origin === new URL(c.req.url).origin) return null;
      const allowed = await originsFor(c as Context<E>);
      return allowed.includes(origin) ? origin : null;
    },
    allowMethods: ['GET', 'POST'],
    allowHeaders: ['authorization', 'content-type', 'idempotency-key'],
    exposeHeaders: ['request-id', 'idempotent-replayed', 'retry-after', 'ratelimit-policy'],
    maxAge: 600,
  }) as MiddlewareHandler<E>;
}

/** Allowed origins looked up recently in this isolate, by the order they were looked up for. */
const originsByOrder = new Map<string, { origins: readonly string[]; until: number }>();
const ORIGINS_TTL_MS = 30_000;
/** Enough for every order open in a busy isolate; the oldest entry goes first. */
const MAX_CACHED_ORDERS = 1000;

/** The origins the order's merchant allowed, cached briefly per isolate; none for an unknown order. */
export async function orderMerchantOrigins(env: Env, orderId: string): Promise<readonly string[]> {
  if (!ORDER_ID.test(orderId)) return [];
  const hit = originsByOrder.get(orderId);
  if (hit && hit.until > nowMs()) return hit.origins;
  const owner = await env.ORDERS.get(env.ORDERS.idFromName(orderId)).owner();
  const origins = owner ? unwrap(await merchantStub(env, owner.id).retrieve()).allowed_origins : [];
  originsByOrder.delete(orderId);
  const oldest = originsByOrder.keys().next();
  if (originsByOrder.size >= MAX_CACHED_ORDERS && !oldest.done) originsByOrder.delete(oldest.value);
  originsByOrder.set(orderId, { origins, until: nowMs() + ORIGINS_TTL_MS });
  return origins;
}
