/**
 * The platform's signing keys, parsed once per isolate from the Worker secrets.
 */
import { z } from 'zod';
import { type PrivateJwk, type PublicJwk, PublicJwkSchema, parsePrivateJwk, publicJwk } from '../../shared/jws.ts';
import type { Env } from './env.ts';

interface SigningKeys {
  current: PrivateJwk;
  verification: PublicJwk[];
}

let cached: { source: string; keys: SigningKeys } | undefined;

export function signingKeys(env: Pick<Env, 'TILL_SIGNING_KEY' | 'TILL_PREVIOUS_PUBLIC_KEYS'>): SigningKeys {
  const source = `${env.TILL_SIGNING_KEY}\n${env.TILL_PREVIOUS_PUBLIC_KEYS ?? ''}`;
  if (cached?.source === source) return cached.keys;
  if (!env.TILL_SIGNING_KEY)
    throw new Error('TILL_SIGNING_KEY is not set (run `npm run setup` or `wrangler secret put`)');
  const current = parsePrivateJwk(env.TILL_SIGNING_KEY);
  const previous = env.TILL_PREVIOUS_PUBLIC_KEYS
    ? z.array(PublicJwkSchema).parse(JSON.parse(env.TILL_PREVIOUS_PUBLIC_KEYS))
    : [];
  const keys = { current, verification: [publicJwk(current), ...previous.filter((key) => key.kid !== current.kid)] };
  cached = { source, keys };
  return keys;
}
