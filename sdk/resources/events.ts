/** `till.events`: the merchant's webhook events, listed or one by one, their delivery attempts, redelivery. */
import {
  type DeliveryAttempt,
  DeliveryAttemptListSchema,
  type EventListQuery,
  EventListSchema,
  type List,
  type OrderEventEntry,
  OrderEventEntrySchema,
  type RedeliverRequest,
  type WebhookEvent,
  WebhookEventSchema,
} from '../../shared/schemas.ts';
import type { HttpClient, RequestOptions } from '../http.ts';
import { autoPage, segment } from '../pagination.ts';
import { encodeQuery } from '../query.ts';
import type { CreatedRange } from './orders.ts';

export type EventListParams = Partial<
  Pick<EventListQuery, 'limit' | 'starting_after' | 'ending_before' | 'type' | 'order'>
> & {
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

  /** Every HTTP attempt to deliver the event, oldest first: status or error, latency, the answer's start. */
  async deliveries(id: string): Promise<List<DeliveryAttempt>> {
    return this.#http.request(
      { method: 'GET', path: `/v1/events/${segment(id, 'event id')}/deliveries` },
      DeliveryAttemptListSchema,
    );
  }

  /** Delivers the event again now, to one endpoint or to every enabled endpoint that receives it. */
  async redeliver(id: string, params: RedeliverRequest = {}, options: RequestOptions = {}): Promise<OrderEventEntry> {
    const path = `/v1/events/${segment(id, 'event id')}/redeliver`;
    return this.#http.request(
      { method: 'POST', path, body: params, idempotencyKey: options.idempotencyKey },
      OrderEventEntrySchema,
    );
  }
}
