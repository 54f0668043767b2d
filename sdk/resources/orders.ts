/** `till.orders`: create, read, list, cancel, capture and void orders, refund them, and read an order's event timeline. */
import type { z } from 'zod';
import {
  type CreateOrderRequestSchema,
  type CreateRefundRequest,
  type List,
  type Order,
  type OrderEventEntry,
  OrderEventListSchema,
  type OrderListItem,
  type OrderListQuery,
  OrderListSchema,
  OrderSchema,
  type Refund,
  RefundListSchema,
  RefundSchema,
} from '../../shared/schemas.ts';
import type { HttpClient, RequestOptions } from '../http.ts';
import { autoPage, segment } from '../pagination.ts';
import { encodeQuery } from '../query.ts';

/** What `orders.create` takes: the API's request body (currency as a plain string code). */
export type OrderCreateParams = z.input<typeof CreateOrderRequestSchema>;

/** Unix-seconds bounds on `created`, sent as `created[gt]=…`. */
export interface CreatedRange {
  gt?: number;
  gte?: number;
  lt?: number;
  lte?: number;
}

export type OrderListParams = Partial<
  Pick<OrderListQuery, 'limit' | 'starting_after' | 'ending_before' | 'status' | 'channel' | 'currency'>
> & {
  created?: CreatedRange;
  /** Exact matches on metadata values, sent as `metadata[key]=value`. */
  metadata?: Record<string, string>;
};

export interface OrderEventList {
  object: 'list';
  data: OrderEventEntry[];
}

export class Orders {
  readonly #http: HttpClient;

  constructor(http: HttpClient) {
    this.#http = http;
  }

  async create(params: OrderCreateParams, options: RequestOptions = {}): Promise<Order> {
    return this.#http.request(
      { method: 'POST', path: '/v1/orders', body: params, idempotencyKey: options.idempotencyKey },
      OrderSchema,
    );
  }

  async retrieve(id: string): Promise<Order> {
    return this.#http.request({ method: 'GET', path: `/v1/orders/${segment(id, 'order id')}` }, OrderSchema);
  }

  async list(params: OrderListParams = {}): Promise<List<OrderListItem>> {
    const { limit, starting_after, ending_before, status, channel, currency, created, metadata } = params;
    const query = encodeQuery({
      limit,
      starting_after,
      ending_before,
      status,
      channel,
      currency,
      created: { ...created },
      metadata,
    });
    return this.#http.request({ method: 'GET', path: '/v1/orders', query }, OrderListSchema);
  }

  /** Every order matching `params`, newest first, fetching pages as the loop asks for them. */
  listAutoPaging(params: OrderListParams = {}): AsyncGenerator<OrderListItem, void, undefined> {
    return autoPage(params, (page) => this.list(page));
  }

  async cancel(id: string, options: RequestOptions = {}): Promise<Order> {
    const path = `/v1/orders/${segment(id, 'order id')}/cancel`;
    return this.#http.request({ method: 'POST', path, idempotencyKey: options.idempotencyKey }, OrderSchema);
  }

  /** Captures in full the authorization of an order created with `capture_method: 'manual'`. */
  async capture(id: string, options: RequestOptions = {}): Promise<Order> {
    const path = `/v1/orders/${segment(id, 'order id')}/capture`;
    return this.#http.request({ method: 'POST', path, idempotencyKey: options.idempotencyKey }, OrderSchema);
  }

  /** Releases the authorization of an `authorized` order. */
  async void(id: string, options: RequestOptions = {}): Promise<Order> {
    const path = `/v1/orders/${segment(id, 'order id')}/void`;
    return this.#http.request({ method: 'POST', path, idempotencyKey: options.idempotencyKey }, OrderSchema);
  }

  /** Refunds part (`amount`) or all of what is left of a paid order. Pass an idempotencyKey so a retry never refunds twice. */
  async refund(id: string, params: CreateRefundRequest = {}, options: RequestOptions = {}): Promise<Refund> {
    const path = `/v1/orders/${segment(id, 'order id')}/refunds`;
    return this.#http.request(
      { method: 'POST', path, body: params, idempotencyKey: options.idempotencyKey },
      RefundSchema,
    );
  }

  async refunds(id: string): Promise<{ object: 'list'; data: Refund[] }> {
    return this.#http.request(
      { method: 'GET', path: `/v1/orders/${segment(id, 'order id')}/refunds` },
      RefundListSchema,
    );
  }

  async retrieveRefund(id: string, refundId: string): Promise<Refund> {
    const path = `/v1/orders/${segment(id, 'order id')}/refunds/${segment(refundId, 'refund id')}`;
    return this.#http.request({ method: 'GET', path }, RefundSchema);
  }

  /** The order's timeline: each event with the state of its webhook delivery. */
  async events(id: string): Promise<OrderEventList> {
    return this.#http.request(
      { method: 'GET', path: `/v1/orders/${segment(id, 'order id')}/events` },
      OrderEventListSchema,
    );
  }
}
