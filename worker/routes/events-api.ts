/** Events of all the merchant's orders, from the D1 copy the order objects keep. */
import { Hono } from 'hono';
import { TillError } from '../../shared/errors.ts';
import { EventListQuerySchema, type List, type WebhookEvent } from '../../shared/schemas.ts';
import type { MerchantEnv } from '../auth.ts';
import { createdFilters, listPage } from '../listing.ts';
import { merchantKeyRateLimit } from '../rate-limit.ts';
import { listQuery } from './list-query.ts';
import { readers } from './merchant-auth.ts';

const EVENT_ID = /^evt_[0-9A-Za-z]{24}$/;

export const eventsApi = new Hono<MerchantEnv>()
  .use('/events/*', merchantKeyRateLimit())
  .get('/events', readers, async (c) => {
    const { query } = listQuery(c, EventListQuerySchema, { metadata: false });
    const merchant = c.get('merchant');
    const where: Array<[string, ...unknown[]]> = [
      ['merchant_id = ?', merchant.id],
      ['mode = ?', merchant.mode],
    ];
    if (query.type) where.push(['type = ?', query.type]);
    if (query.order) where.push(['order_id = ?', query.order]);
    for (const filter of createdFilters(query)) where.push(filter);
    const page = await listPage<{ body: string }>(c.env.DB, {
      table: 'events',
      // Within one order, seq keeps events in the order they happened.
      sortKey: ['created_at', 'order_id', 'seq'],
      where,
      limit: query.limit,
      startingAfter: query.starting_after,
      endingBefore: query.ending_before,
      cursorLookup: { idColumn: 'id', param: query.ending_before ? 'ending_before' : 'starting_after' },
    });
    const data = page.rows.map((row) => JSON.parse(row.body) as WebhookEvent);
    return c.json({ object: 'list', data, has_more: page.hasMore, url: '/v1/events' } satisfies List<WebhookEvent>);
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
  });
