/**
 * Development-only endpoints `npm run bench` measures against: the bare Hono → Durable Object
 * round trip that every order call pays, the same to a new order object (its database and schema
 * made), and Ed25519 signing by @noble/curves vs WebCrypto.
 */

import { ed25519 } from '@noble/curves/ed25519.js';
import { Hono } from 'hono';
import { fromBase64Url, utf8 } from '../../../shared/encoding.ts';
import { TillError } from '../../../shared/errors.ts';
import type { AppEnv } from '../../base/env.ts';
import { signingKeys } from '../../base/keys.ts';

export const devBench = new Hono<AppEnv>()
  .use(async (c, next) => {
    if (c.env.TILL_ENV !== 'development') throw new TillError('not_found', 'Benchmarks run only in development');
    await next();
  })

  .get('/ping', async (c) => {
    const stub = c.env.MERCHANTS.get(c.env.MERCHANTS.idFromName('bench-baseline'));
    return c.json({ pong: await stub.ping() });
  })

  // A new order object each time: what every order's first call pays for its own SQLite database
  // and schema (the migrations), beside /ping's warm object. Its answer is order_not_found.
  .get('/fresh-order', async (c) => {
    const stub = c.env.ORDERS.get(c.env.ORDERS.newUniqueId());
    const answer = await stub.retrieve({ id: 'mer_BenchBench123456', mode: 'test' });
    return c.json({ found: answer.ok });
  })

  .get('/sign', async (c) => {
    const count = Math.min(Number(c.req.query('n') ?? 100), 2000);
    const key = signingKeys(c.env).current;
    const message = utf8('eyJhbGciOiJFZERTQSJ9.eyJzdWIiOiJvcmRfYmVuY2gifQ');
    if (c.req.query('impl') === 'webcrypto') {
      const cryptoKey = await crypto.subtle.importKey(
        'jwk',
        { kty: 'OKP', crv: 'Ed25519', d: key.d, x: key.x },
        { name: 'Ed25519' },
        false,
        ['sign'],
      );
      for (let i = 0; i < count; i++) await crypto.subtle.sign('Ed25519', cryptoKey, message);
    } else {
      const secret = fromBase64Url(key.d);
      for (let i = 0; i < count; i++) ed25519.sign(message, secret);
    }
    return c.json({ signed: count });
  });
