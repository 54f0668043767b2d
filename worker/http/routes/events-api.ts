/** Events of all the merchant's orders, from the D1 copy the order objects keep. */
import { Hono } from 'hono';
import { TillError } from '../../../shared/errors.ts';
import {
  type DeliveryAttempt,
  EventListQuerySchema,
  type List,
  RedeliverRequestSchema,
  type WebhookEvent,
} from '../../../shared/schemas.ts';
import { type ListRequest, listPage, ownedBy } from '../../base/listing.ts';
import { orderStub } from '../../base/order-stub.ts';
import { unwrap } from '../../base/result.ts';
import type { MerchantPrincipal } from '../../merchants/merchant-principal.ts';
import type { MerchantEnv } from '../auth.ts';
import { merchantKeyRateLimit } from '../rate-limit.ts';
import { readOptionalJson } from '../request.ts';
import { listQuery } from './list-query.ts';
import { merchantIdempotency, readers, writers } from './merchant-auth.ts';

const EVENT_ID = /^evt_[0-9A-Za-z]{24}$/;

/** The order an event of this merchant and mode belongs to, from the index; its object has the deliveries. */
async function orderOfEvent(db: D1Database, merchant: MerchantPrincipal, id: string): Promise<string> {
  const row = EVENT_ID.test(id)
    ? await db
        .prepare('SELECT order_id FROM events WHERE id = ? AND merchant_id = ? AND mode = ?')
        .bind(id, merchant.id, merchant.mode)
        .first<{ order_id: string }>()
    : null;
  if (!row) throw new TillError('event_not_found', 'No such event', 'id');
  return row.order_id;
}

export const eventsApi = new Hono<MerchantEnv>()
  .use('/events/*', merchantKeyRateLimit())
  .get('/events', readers, async (c) => {
    const { query } = listQuery(c, EventListQuerySchema, { metadata: false });
    const filters: Array<[string, ...unknown[]]> = [];
    if (query.type) filters.push(['type = ?', query.type]);
    if (query.order) filters.push(['order_id = ?', query.order]);
    // An order copies its events in the order they happened, so positions keep that order.
    const request: ListRequest = {
      table: 'events',
      owner: ownedBy(c.get('merchant')),
      filters,
      query,
      url: '/v1/events',
    };
    return c.json(await listPage(c.env.DB, request, (row: { body: string }) => JSON.parse(row.body) as WebhookEvent));
  })

  .get('/events/:id', readers, async (c) => {
    const id = c.req.param('id');
    const merchant = c.get('merchant');
    const row = EVENT_ID.test(id)
      ? await c.env.DB.prepare('SELECT body FROM events WHERE id = ? AND merchant_id = ? AND mode = ?')
          .bind(id, merchant.id, merchant.mode)
          .first<{ body: string }>()
      : null;
    if (!row) throw new TillError('event_not_found', 'No such event', 'id');
    return c.json(JSON.parse(row.body) as WebhookEvent);
  })

  .get('/events/:id/deliveries', readers, async (c) => {
    const id = c.req.param('id');
    const merchant = c.get('merchant');
    const order = orderStub(c.env, await orderOfEvent(c.env.DB, merchant, id));
    const data = unwrap(await order.deliveryAttempts(merchant, id));
    return c.json({
      object: 'list',
      data,
      has_more: false,
      url: `/v1/events/${id}/deliveries`,
    } satisfies List<DeliveryAttempt>);
  })

  .post('/events/:id/redeliver', writers, merchantIdempotency, async (c) => {
    const id = c.req.param('id');
    const { endpoint_id } = await readOptionalJson(c, RedeliverRequestSchema);
    const merchant = c.get('merchant');
    const order = orderStub(c.env, await orderOfEvent(c.env.DB, merchant, id));
    return c.json(unwrap(await order.redeliver(merchant, id, endpoint_id ?? null)));
  });
