/** The merchant's server-side API, authenticated by secret key. */
import { Hono } from 'hono';
import { TillError } from '../../shared/errors.ts';
import { sha256Hex } from '../../shared/encoding.ts';
import { CreateOrderRequestSchema, ORDER_ID } from '../../shared/schemas.ts';
import { merchantAuth, type MerchantEnv } from '../auth.ts';
import { parseWith, readJsonValue } from '../http.ts';
import { newOrderId, orderIdForIdempotencyKey } from '../ids.ts';
import { unwrap } from '../result.ts';
import type { Env } from '../env.ts';

const IDEMPOTENCY_KEY = /^[\x21-\x7e]{1,255}$/;

export function orderStub(env: Env, id: string) {
  if (!ORDER_ID.test(id)) throw new TillError('order_not_found', 'No such order', 'id');
  return env.ORDERS.get(env.ORDERS.idFromName(id));
}

export const merchantApi = new Hono<MerchantEnv>()
  .use('/orders', merchantAuth())
  .use('/orders/*', merchantAuth())

  .post('/orders', async (c) => {
    const raw = await readJsonValue(c);
    const request = parseWith(CreateOrderRequestSchema, raw);
    const merchant = c.get('merchant');
    const idempotencyKey = c.req.header('idempotency-key');
    if (idempotencyKey !== undefined && !IDEMPOTENCY_KEY.test(idempotencyKey)) {
      throw new TillError('invalid_parameter', 'Idempotency-Key must be 1 to 255 visible ASCII characters', 'Idempotency-Key');
    }
    const id = idempotencyKey ? await orderIdForIdempotencyKey(merchant.id, idempotencyKey) : newOrderId();
    const { order, replayed } = unwrap(
      await orderStub(c.env, id).create({
        id,
        merchant: { id: merchant.id, name: merchant.name, mode: merchant.mode, channels: merchant.channels },
        request,
        requestHash: await sha256Hex(JSON.stringify(raw)),
      }),
    );
    if (replayed) c.header('Idempotent-Replayed', 'true');
    return c.json(order, 201);
  })

  .get('/orders/:id', async (c) => {
    return c.json(unwrap(await orderStub(c.env, c.req.param('id')).retrieve(c.get('merchant').id)));
  })

  .post('/orders/:id/cancel', async (c) => {
    const stub = orderStub(c.env, c.req.param('id'));
    return c.json(unwrap(await stub.cancel(c.get('merchant').id)));
  })

  .get('/orders/:id/events', async (c) => {
    const events = unwrap(await orderStub(c.env, c.req.param('id')).events(c.get('merchant').id));
    return c.json({ object: 'list', data: events });
  });
