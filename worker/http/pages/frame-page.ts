/**
 * The checkout frame's page. Its files are static assets, but its Content-Security-Policy is
 * not: `frame-ancestors` names the origins the order's merchant allowed, so only the merchant's
 * own sites can frame its checkout (clickjacking) — wrangler.toml runs the worker first here.
 */
import { Hono } from 'hono';
import type { AppEnv } from '../../base/env.ts';
import { orderMerchantOrigins } from '../cors.ts';
import { checkoutReadRateLimit } from '../rate-limit.ts';

/** Our own code only: no inline script or style, no third-party origin, no plugin, no form posted elsewhere. */
const FRAME_POLICY = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "connect-src 'self'",
  "font-src 'self'",
  "form-action 'self'",
  "base-uri 'none'",
];

/**
 * The policy for a frame of this order: framed by Till's own pages (the demo shop) and the
 * merchant's origins. An IPv6 literal (`http://[::1]:8080`) is no CSP host source and would void
 * the directive, so it is left out; a lookup that fails frames nowhere but here.
 */
export async function frameAncestors(env: AppEnv['Bindings'], orderId: string | undefined): Promise<string> {
  const origins = orderId ? await orderMerchantOrigins(env, orderId).catch(() => []) : [];
  return ["frame-ancestors 'self'", ...origins.filter((origin) => !origin.includes('['))].join(' ');
}

async function framePolicy(env: AppEnv['Bindings'], orderId: string | undefined): Promise<string> {
  return [...FRAME_POLICY, await frameAncestors(env, orderId)].join('; ');
}

/** Where the page is served (wrangler.toml's run_worker_first lists the same): a page, not part of the API. */
export const FRAME_PATHS = ['/v1/frame', '/v1/frame.html'] as const;

// Each page load may cost two object lookups: limited per client like the checkout's reads.
export const framePage = new Hono<AppEnv>().get('/', checkoutReadRateLimit(), async (c) => {
  const url = new URL(c.req.url);
  const [policy, page] = await Promise.all([
    framePolicy(c.env, c.req.query('order')),
    c.env.ASSETS.fetch(new URL('/v1/frame', url.origin)),
  ]);
  const response = new Response(page.body, page);
  response.headers.set('content-security-policy', policy);
  response.headers.set('referrer-policy', 'no-referrer');
  response.headers.set('x-content-type-options', 'nosniff');
  // The policy follows the merchant's settings: always ask again.
  response.headers.set('cache-control', 'no-cache');
  response.headers.delete('etag');
  return response;
});
