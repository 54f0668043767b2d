/** Orders and their refunds, for the merchant's server. */
import * as s from '../../schemas.ts';
import { orderId, refundId } from '../params.ts';
import { route } from '../route.ts';
import { MetadataFilterSchema } from '../schemas.ts';
import { MERCHANT_READ, MERCHANT_WRITE } from './kinds.ts';

export const ORDER_ROUTES = {
  createOrder: route({
    ...MERCHANT_WRITE,
    path: '/v1/orders',
    tags: ['Orders'],
    summary: 'Create an order',
    description:
      'Creates an order for the shopper to pay, with the `client_token` the widget needs. ' +
      'With an Idempotency-Key, retries return the same order.',
    body: s.CreateOrderRequestSchema,
    bodyExample: { amount: 2900, currency: 'USD', description: 'Tote bag', metadata: { cart_id: 'c_123' } },
    responses: {
      201: { schema: s.OrderSchema, description: 'The new order (or, on an idempotent replay, the first one).' },
    },
    errors: ['amount_over_limit', 'channel_not_available'],
    sdk: { resource: 'orders', method: 'create' },
  }),
  listOrders: route({
    ...MERCHANT_READ,
    path: '/v1/orders',
    tags: ['Orders'],
    summary: 'List orders',
    description:
      'Lists your orders, newest first, with cursor pagination and filters on status, channel, currency, ' +
      'creation time and metadata.',
    query: s.OrderListQuerySchema,
    queryExample: { limit: '10', status: 'paid' },
    deepObjectQuery: [
      {
        name: 'metadata',
        schema: MetadataFilterSchema,
        description: 'Only orders whose metadata has every given pair, e.g. `metadata[cart_id]=c_123`; up to 5 pairs.',
      },
    ],
    responses: { 200: { schema: s.OrderListSchema, description: 'A page of orders.' } },
    errors: [],
    sdk: { resource: 'orders', method: 'list' },
  }),
  retrieveOrder: route({
    ...MERCHANT_READ,
    path: '/v1/orders/{id}',
    tags: ['Orders'],
    params: { id: orderId },
    summary: 'Retrieve an order',
    description: 'Returns the order with its attempts, current status and, once paid, its signed receipt.',
    responses: { 200: { schema: s.OrderSchema, description: 'The order.' } },
    errors: ['order_not_found'],
    sdk: { resource: 'orders', method: 'retrieve' },
  }),
  cancelOrder: route({
    ...MERCHANT_WRITE,
    path: '/v1/orders/{id}/cancel',
    tags: ['Orders'],
    params: { id: orderId },
    summary: 'Cancel an order',
    description:
      'Cancels an order that is not paid yet; the shopper can no longer pay it. Canceling a canceled order ' +
      'returns it unchanged. Takes no body (or `{}`).',
    responses: { 200: { schema: s.OrderSchema, description: 'The canceled order.' } },
    errors: ['order_not_found', 'order_not_cancelable'],
    sdk: { resource: 'orders', method: 'cancel' },
  }),
  captureOrder: route({
    ...MERCHANT_WRITE,
    path: '/v1/orders/{id}/capture',
    tags: ['Orders'],
    params: { id: orderId },
    summary: 'Capture an authorization',
    description:
      'Captures the authorization of an order created with `capture_method: "manual"`: all of it, or the ' +
      '`amount` given (a partial capture: the rest of the hold is released to the shopper at once). The order ' +
      'becomes `paid` with `amount_captured`; refunds may give back at most that. One capture per order. ' +
      'The body may be empty.',
    body: s.CaptureOrderRequestSchema,
    optionalBody: true,
    bodyExample: { amount: 2400 },
    responses: { 200: { schema: s.OrderSchema, description: 'The paid order.' } },
    errors: [
      'order_not_found',
      'order_not_capturable',
      'capture_exceeds_authorization',
      'capture_in_progress',
      'capture_failed',
      'channel_error',
    ],
    sdk: { resource: 'orders', method: 'capture' },
  }),
  voidOrder: route({
    ...MERCHANT_WRITE,
    path: '/v1/orders/{id}/void',
    tags: ['Orders'],
    params: { id: orderId },
    summary: 'Void an authorization',
    description:
      'Releases the authorization of an `authorized` order; the order becomes `voided` and the shopper is not ' +
      'charged. Authorizations left for 7 days are voided by Till. Takes no body (or `{}`).',
    responses: { 200: { schema: s.OrderSchema, description: 'The voided order.' } },
    errors: ['order_not_found', 'order_not_voidable', 'capture_in_progress'],
    sdk: { resource: 'orders', method: 'void' },
  }),
  createRefund: route({
    ...MERCHANT_WRITE,
    path: '/v1/orders/{id}/refunds',
    tags: ['Refunds'],
    params: { id: orderId },
    summary: 'Refund an order',
    description:
      'Refunds part or all of a paid order; several refunds may follow each other. Pending and succeeded ' +
      "refunds together never exceed what was paid. The answer carries the channel's verdict (`succeeded`, " +
      '`failed`) or `pending` while the channel works; `refund.*` webhooks follow.',
    body: s.CreateRefundRequestSchema,
    bodyExample: { amount: 1000, reason: 'requested_by_customer' },
    responses: {
      201: { schema: s.RefundSchema, description: 'The refund (or, on an idempotent replay, the first one).' },
    },
    errors: ['order_not_found', 'order_not_refundable', 'refund_exceeds_payment'],
    sdk: { resource: 'orders', method: 'refund' },
  }),
  listRefunds: route({
    ...MERCHANT_READ,
    path: '/v1/orders/{id}/refunds',
    tags: ['Refunds'],
    params: { id: orderId },
    summary: "List an order's refunds",
    description: "Every refund of the order, oldest first, including Till's automatic refunds of money taken twice.",
    responses: { 200: { schema: s.RefundListSchema, description: 'The refunds.' } },
    errors: ['order_not_found'],
    sdk: { resource: 'orders', method: 'refunds' },
  }),
  retrieveRefund: route({
    ...MERCHANT_READ,
    path: '/v1/orders/{id}/refunds/{refund}',
    tags: ['Refunds'],
    params: { id: orderId, refund: refundId },
    summary: 'Retrieve a refund',
    description: 'Returns one refund of the order.',
    responses: { 200: { schema: s.RefundSchema, description: 'The refund.' } },
    errors: ['order_not_found', 'refund_not_found'],
    sdk: { resource: 'orders', method: 'retrieveRefund' },
  }),
  listOrderEvents: route({
    ...MERCHANT_READ,
    path: '/v1/orders/{id}/events',
    tags: ['Orders', 'Events'],
    params: { id: orderId },
    summary: "List an order's events",
    description:
      "The order's timeline: every event it emitted, each with its delivery to each webhook endpoint (state, " +
      'tries, next attempt, last error).',
    responses: { 200: { schema: s.OrderEventListSchema, description: 'The events, oldest first.' } },
    errors: ['order_not_found'],
    sdk: { resource: 'orders', method: 'events' },
  }),
  listOrderNotifications: route({
    ...MERCHANT_READ,
    path: '/v1/orders/{id}/notifications',
    tags: ['Orders'],
    params: { id: orderId },
    summary: 'List the channel notifications of an order',
    description:
      'Every notification the payment channels sent about the order, oldest first, once its signature ' +
      "verified: when it came, the channel's event id, and what Till made of it (`applied`, `duplicate`, or " +
      '`rejected` with a reason when it could never apply, such as an amount that does not match). Never its body.',
    responses: { 200: { schema: s.ChannelNotificationListSchema, description: 'The notifications, oldest first.' } },
    errors: ['order_not_found'],
    sdk: { resource: 'orders', method: 'notifications' },
  }),
};
