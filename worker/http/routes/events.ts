/** Events of all the merchant's orders, from the D1 copy the order objects keep, and their deliveries. */
import type { EVENT_ROUTES } from '../../../shared/api/routes/events.ts';
import { TillError } from '../../../shared/errors.ts';
import type { WebhookEvent } from '../../../shared/schemas.ts';
import { type ListRequest, listPage, ownedBy } from '../../base/listing.ts';
import { orderStub } from '../../base/order-stub.ts';
import { unwrap } from '../../base/result.ts';
import type { MerchantPrincipal } from '../../merchants/merchant-principal.ts';
import type { Handlers } from '../mount.ts';

/** The indexed event of this merchant and mode (its body and order), or event_not_found. */
async function indexedEvent(db: D1Database, merchant: MerchantPrincipal, id: string) {
  const row = await db
    .prepare('SELECT body, order_id FROM events WHERE id = ? AND merchant_id = ? AND mode = ?')
    .bind(id, merchant.id, merchant.mode)
    .first<{ body: string; order_id: string }>();
  if (!row) throw new TillError('event_not_found', 'No such event', 'id');
  return row;
}

export const eventHandlers: Handlers<typeof EVENT_ROUTES> = {
  async listEvents(c, { query }) {
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
    return listPage(c.env.DB, request, (row: { body: string }) => JSON.parse(row.body) as WebhookEvent);
  },

  async retrieveEvent(c, { params }) {
    return JSON.parse((await indexedEvent(c.env.DB, c.get('merchant'), params.id)).body) as WebhookEvent;
  },

  // The order's object keeps the deliveries: the index says which order the event belongs to.
  async listEventDeliveryAttempts(c, { params }) {
    const merchant = c.get('merchant');
    const { order_id } = await indexedEvent(c.env.DB, merchant, params.id);
    const data = unwrap(await orderStub(c.env, order_id).deliveryAttempts(merchant, params.id));
    return { object: 'list', data, has_more: false, url: `/v1/events/${params.id}/deliveries` };
  },

  async redeliverEvent(c, { params, body }) {
    const merchant = c.get('merchant');
    const { order_id } = await indexedEvent(c.env.DB, merchant, params.id);
    return unwrap(await orderStub(c.env, order_id).redeliver(merchant, params.id, body.endpoint_id ?? null));
  },
};
