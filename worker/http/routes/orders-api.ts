/** Orders, for the merchant's server: create, list, retrieve, cancel, capture, void, refunds, timeline. */
import { Hono } from 'hono';
import { sha256Hex } from '../../../shared/encoding.ts';
import { TillError } from '../../../shared/errors.ts';
import { formatMoney } from '../../../shared/money.ts';
import {
  CreateOrderRequestSchema,
  CreateRefundRequestSchema,
  type OrderListItem,
  OrderListItemSchema,
  OrderListQuerySchema,
  REFUND_ID,
} from '../../../shared/schemas.ts';
import { newOrderId, newRefundId, orderIdForIdempotencyKey, refundIdForIdempotencyKey } from '../../base/ids.ts';
import { listPage, ownedBy } from '../../base/listing.ts';
import { orderStub } from '../../base/order-stub.ts';
import { unwrap } from '../../base/result.ts';
import type { MerchantEnv } from '../auth.ts';
import { IDEMPOTENCY_KEY_HEADER } from '../idempotency.ts';
import { merchantKeyRateLimit } from '../rate-limit.ts';
import { parseWith, readEmptyBody, readJsonValue } from '../request.ts';
import { listQuery } from './list-query.ts';
import { merchantIdempotency, readers, writers } from './merchant-auth.ts';

/** An index row as the API lists it; parsing drops the index's own columns (position, version). */
const listItem = (row: { metadata: string }): OrderListItem =>
  OrderListItemSchema.parse({ ...row, object: 'order', metadata: JSON.parse(row.metadata) as unknown });

export const ordersApi = new Hono<MerchantEnv>()
  .use('/orders/*', merchantKeyRateLimit())
  .post('/orders', writers, merchantIdempotency, async (c) => {
    const raw = await readJsonValue(c);
    const request = parseWith(CreateOrderRequestSchema, raw);
    const merchant = c.get('merchant');
    const limit = merchant.limits.max_order_amount[request.currency];
    if (limit !== undefined && request.amount > limit) {
      throw new TillError(
        'amount_over_limit',
        `amount is over this merchant's limit of ${formatMoney(limit, request.currency)} per order`,
        'amount',
      );
    }
    const idempotencyKey = c.req.header(IDEMPOTENCY_KEY_HEADER);
    const id = idempotencyKey
      ? await orderIdForIdempotencyKey(`${merchant.id}:${merchant.mode}`, idempotencyKey)
      : newOrderId();
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

  .get('/orders', readers, async (c) => {
    const { query, metadata } = listQuery(c, OrderListQuerySchema);
    const filters: Array<[string, ...unknown[]]> = [];
    if (query.status) filters.push(['status = ?', query.status]);
    if (query.currency) filters.push(['currency = ?', query.currency]);
    if (query.channel) filters.push(['paid_channel = ?', query.channel]);
    for (const [key, value] of Object.entries(metadata))
      filters.push(['json_extract(metadata, ?) = ?', `$."${key}"`, value]);
    const owner = ownedBy(c.get('merchant'));
    return c.json(await listPage(c.env.DB, { table: 'orders', owner, filters, query, url: '/v1/orders' }, listItem));
  })

  .get('/orders/:id', readers, async (c) => {
    return c.json(unwrap(await orderStub(c.env, c.req.param('id')).retrieve(c.get('merchant'))));
  })

  .post('/orders/:id/cancel', writers, merchantIdempotency, async (c) => {
    return c.json(unwrap(await orderStub(c.env, c.req.param('id')).cancel(c.get('merchant'))));
  })

  .post('/orders/:id/capture', writers, merchantIdempotency, async (c) => {
    await readEmptyBody(c);
    return c.json(unwrap(await orderStub(c.env, c.req.param('id')).capture(c.get('merchant'))));
  })

  .post('/orders/:id/void', writers, merchantIdempotency, async (c) => {
    await readEmptyBody(c);
    return c.json(unwrap(await orderStub(c.env, c.req.param('id')).void(c.get('merchant'))));
  })

  .post('/orders/:id/refunds', writers, merchantIdempotency, async (c) => {
    const raw = await readJsonValue(c);
    const request = parseWith(CreateRefundRequestSchema, raw);
    const orderId = c.req.param('id');
    const idempotencyKey = c.req.header(IDEMPOTENCY_KEY_HEADER);
    const id = idempotencyKey ? await refundIdForIdempotencyKey(orderId, idempotencyKey) : newRefundId();
    const { refund, replayed } = unwrap(
      await orderStub(c.env, orderId).createRefund(c.get('merchant'), {
        id,
        request,
        requestHash: await sha256Hex(JSON.stringify(raw)),
      }),
    );
    if (replayed) c.header('Idempotent-Replayed', 'true');
    return c.json(refund, 201);
  })

  .get('/orders/:id/refunds', readers, async (c) => {
    const refunds = unwrap(await orderStub(c.env, c.req.param('id')).refunds(c.get('merchant')));
    return c.json({ object: 'list', data: refunds });
  })

  .get('/orders/:id/refunds/:refund', readers, async (c) => {
    const refundId = c.req.param('refund');
    if (!REFUND_ID.test(refundId)) throw new TillError('refund_not_found', 'No such refund on this order', 'refund');
    return c.json(unwrap(await orderStub(c.env, c.req.param('id')).refund(c.get('merchant'), refundId)));
  })

  .get('/orders/:id/events', readers, async (c) => {
    const events = unwrap(await orderStub(c.env, c.req.param('id')).events(c.get('merchant')));
    return c.json({ object: 'list', data: events });
  });
