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
    const filters: Array<[string, ...unknown[]]> = createdFilters(query);
    if (query.type) filters.push(['type = ?', query.type]);
    if (query.order) filters.push(['order_id = ?', query.order]);
    const page = await listPage<{ body: string }>(c.env.DB, {
      table: 'events',
      // An order copies its events in the order they happened, so positions keep that order.
      sortKey: ['position'],
      owner: [
        ['merchant_id = ?', merchant.id],
        ['mode = ?', merchant.mode],
      ],
      filters,
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
