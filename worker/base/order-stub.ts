import { TillError } from '../../shared/errors.ts';
import { ORDER_ID } from '../../shared/schemas.ts';
import type { Env } from './env.ts';

/** The order's Durable Object; a malformed id is a missing order, never a new object. */
export function orderStub(env: Pick<Env, 'ORDERS'>, id: string) {
  if (!ORDER_ID.test(id)) throw new TillError('order_not_found', 'No such order', 'id');
  return env.ORDERS.get(env.ORDERS.idFromName(id));
}
