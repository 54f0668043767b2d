import { TillError } from '../../shared/errors.ts';
import { MERCHANT_ID } from '../../shared/schemas.ts';
import type { Env } from './env.ts';

/** The merchant's Durable Object; a malformed id is a missing merchant, never a new object. */
export function merchantStub(env: Pick<Env, 'MERCHANTS'>, id: string) {
  if (!MERCHANT_ID.test(id)) throw new TillError('merchant_not_found', 'No such merchant', 'id');
  return env.MERCHANTS.get(env.MERCHANTS.idFromName(id));
}
