/** `till.events`: the merchant's webhook events, listed or one by one. */
import { EventListSchema, WebhookEventSchema, type EventListQuery, type List, type WebhookEvent } from '../../shared/schemas.ts';
import type { HttpClient } from '../http.ts';
import { autoPage, segment } from '../pagination.ts';
import { encodeQuery } from '../query.ts';
import type { CreatedRange } from './orders.ts';

export type EventListParams = Partial<Pick<EventListQuery, 'limit' | 'starting_after' | 'ending_before' | 'type' | 'order'>> & {
  created?: CreatedRange;
};

export class Events {
  readonly #http: HttpClient;

  constructor(http: HttpClient) {
    this.#http = http;
  }

  async list(params: EventListParams = {}): Promise<List<WebhookEvent>> {
    const { limit, starting_after, ending_before, type, order, created } = params;
    const query = encodeQuery({ limit, starting_after, ending_before, type, order, created: { ...created } });
    return this.#http.request({ method: 'GET', path: '/v1/events', query }, EventListSchema);
  }

  listAutoPaging(params: EventListParams = {}): AsyncGenerator<WebhookEvent, void, undefined> {
    return autoPage(params, (page) => this.list(page));
  }

  async retrieve(id: string): Promise<WebhookEvent> {
    return this.#http.request({ method: 'GET', path: `/v1/events/${segment(id, 'event id')}` }, WebhookEventSchema);
  }
}
