/** Public keys for verifying client tokens and receipts with any JOSE library. */
import { Hono } from 'hono';
import type { AppEnv } from '../../base/env.ts';
import { signingKeys } from '../../base/keys.ts';

export const wellKnown = new Hono<AppEnv>().get('/jwks.json', (c) => {
  c.header('cache-control', 'public, max-age=300');
  c.header('access-control-allow-origin', '*');
  return c.json({ keys: signingKeys(c.env).verification });
});
