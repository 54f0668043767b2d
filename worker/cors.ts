/**
 * CORS only where a browser on the merchant's own pages needs it (the widget frame itself is
 * same-origin), and only for the origins the merchant allowed. Merchant secret-key routes never
 * answer CORS: a secret key has no business in a browser.
 */
import type { Context, Env as HonoEnv, MiddlewareHandler } from 'hono';
import { cors } from 'hono/cors';

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

/** Allowed origins looked up recently in this isolate, by what they were looked up for (an order). */
const originsByKey = new Map<string, { origins: readonly string[]; until: number }>();
const ORIGINS_TTL_MS = 30_000;

export async function cachedOrigins(key: string, load: () => Promise<readonly string[]>): Promise<readonly string[]> {
  const hit = originsByKey.get(key);
  if (hit && hit.until > Date.now()) return hit.origins;
  const origins = await load();
  originsByKey.set(key, { origins, until: Date.now() + ORIGINS_TTL_MS });
  return origins;
}
