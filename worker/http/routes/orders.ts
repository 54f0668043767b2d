/** Orders, for the merchant's server: create, list, retrieve, cancel, capture, void, refunds, timeline. */

import type { ORDER_ROUTES } from '../../../shared/api/routes/orders.ts';
import { sha256Hex } from '../../../shared/encoding.ts';
import { TillError } from '../../../shared/errors.ts';
import { formatMoney } from '../../../shared/money.ts';
import { type OrderListItem, OrderListItemSchema } from '../../../shared/schemas.ts';
import { newOrderId, newRefundId, orderIdForIdempotencyKey, refundIdForIdempotencyKey } from '../../base/ids.ts';
import { listPage, ownedBy } from '../../base/listing.ts';
import { orderStub } from '../../base/order-stub.ts';
import { unwrap } from '../../base/result.ts';
import { IDEMPOTENCY_KEY_HEADER } from '../idempotency.ts';
import type { Handlers } from '../mount.ts';

/** An index row as the API lists it; parsing drops the index's own columns (position, version). */
const listItem = (row: { metadata: string }): OrderListItem =>
  OrderListItemSchema.parse({ ...row, object: 'order', metadata: JSON.parse(row.metadata) as unknown });

export const orderHandlers: Handlers<typeof ORDER_ROUTES> = {
  async createOrder(c, { body: request, raw }) {
    const merchant = c.get('merchant');
    const limit = merchant.limits.max_order_amount[request.currency];
    if (limit !== undefined && request.amount > limit) {
      const max = formatMoney(limit, request.currency);
      throw new TillError('amount_over_limit', `amount is over this merchant's limit of ${max} per order`, 'amount');
    }
    const idempotencyKey = c.req.header(IDEMPOTENCY_KEY_HEADER);
    const id = idempotencyKey
      ? await orderIdForIdempotencyKey(`${merchant.id}:${merchant.mode}`, idempotencyKey)
      : newOrderId();
    const { order, replayed } = unwrap(
      await orderStub(c.env, id).create({
        id,
        merchant: {
          id: merchant.id,
          name: merchant.name,
          mode: merchant.mode,
          channels: merchant.channels,
          cardRouting: merchant.cardRouting,
        },
        request,
        requestHash: await sha256Hex(JSON.stringify(raw)),
      }),
    );
    if (replayed) c.header('Idempotent-Replayed', 'true');
    return order;
  },

  async listOrders(c, { query, metadata }) {
    const filters: Array<[string, ...unknown[]]> = [];
    if (query.status) filters.push(['status = ?', query.status]);
    if (query.currency) filters.push(['currency = ?', query.currency]);
    if (query.channel) filters.push(['paid_channel = ?', query.channel]);
    for (const [key, value] of Object.entries(metadata)) {
      filters.push(['json_extract(metadata, ?) = ?', `$."${key}"`, value]);
    }
    const owner = ownedBy(c.get('merchant'));
    return listPage(c.env.DB, { table: 'orders', owner, filters, query, url: '/v1/orders' }, listItem);
  },

  retrieveOrder: async (c, { params }) => unwrap(await orderStub(c.env, params.id).retrieve(c.get('merchant'))),
  cancelOrder: async (c, { params }) => unwrap(await orderStub(c.env, params.id).cancel(c.get('merchant'))),
  captureOrder: async (c, { params, body }) =>
    unwrap(await orderStub(c.env, params.id).capture(c.get('merchant'), body.amount)),
  voidOrder: async (c, { params }) => unwrap(await orderStub(c.env, params.id).void(c.get('merchant'))),

  async createRefund(c, { params, body: request, raw }) {
    const idempotencyKey = c.req.header(IDEMPOTENCY_KEY_HEADER);
    const id = idempotencyKey ? await refundIdForIdempotencyKey(params.id, idempotencyKey) : newRefundId();
    const requestHash = await sha256Hex(JSON.stringify(raw));
    const { refund, replayed } = unwrap(
      await orderStub(c.env, params.id).createRefund(c.get('merchant'), { id, request, requestHash }),
    );
    if (replayed) c.header('Idempotent-Replayed', 'true');
    return refund;
  },

  async listRefunds(c, { params }) {
    return { object: 'list', data: unwrap(await orderStub(c.env, params.id).refunds(c.get('merchant'))) };
  },

  retrieveRefund: async (c, { params }) =>
    unwrap(await orderStub(c.env, params.id).refund(c.get('merchant'), params.refund)),

  async listOrderEvents(c, { params }) {
    return { object: 'list', data: unwrap(await orderStub(c.env, params.id).events(c.get('merchant'))) };
  },

  async listOrderNotifications(c, { params }) {
    const data = unwrap(await orderStub(c.env, params.id).channelNotifications(c.get('merchant')));
    return { object: 'list', data };
  },
};
