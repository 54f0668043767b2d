/** The webhook events of the merchant's orders, and where they are delivered. */
import * as s from '../../schemas.ts';
import { eventId, webhookEndpointId } from '../params.ts';
import { route } from '../route.ts';
import { MERCHANT_READ, MERCHANT_WRITE } from './kinds.ts';

const LIMITS = ['merchant-key'] as const;

export const EVENT_ROUTES = {
  listEvents: route({
    ...MERCHANT_READ,
    path: '/v1/events',
    tags: ['Events'],
    summary: 'List events',
    description:
      'Lists the webhook events of all your orders, newest first; use it to catch up on deliveries your ' +
      'endpoint missed.',
    query: s.EventListQuerySchema,
    queryExample: { limit: '20', type: 'order.paid' },
    responses: { 200: { schema: s.EventListSchema, description: 'A page of events.' } },
    errors: [],
    sdk: { resource: 'events', method: 'list' },
  }),
  retrieveEvent: route({
    ...MERCHANT_READ,
    path: '/v1/events/{id}',
    tags: ['Events'],
    params: { id: eventId },
    summary: 'Retrieve an event',
    description: 'Returns one event exactly as it was sent to your webhook endpoint.',
    responses: { 200: { schema: s.WebhookEventSchema, description: 'The event.' } },
    errors: ['event_not_found'],
    sdk: { resource: 'events', method: 'retrieve' },
  }),
  listEventDeliveryAttempts: route({
    ...MERCHANT_READ,
    path: '/v1/events/{id}/deliveries',
    tags: ['Events'],
    params: { id: eventId },
    summary: "List an event's delivery attempts",
    description:
      'Every HTTP request made to deliver the event, oldest first, to every endpoint: when, the HTTP status ' +
      '(or timeout / network error), latency and the first 200 characters of the answer.',
    responses: { 200: { schema: s.DeliveryAttemptListSchema, description: 'The attempts.' } },
    errors: ['event_not_found'],
    sdk: { resource: 'events', method: 'deliveries' },
  }),
  redeliverEvent: route({
    ...MERCHANT_WRITE,
    path: '/v1/events/{id}/redeliver',
    tags: ['Events'],
    params: { id: eventId },
    summary: 'Redeliver an event',
    description:
      'Queues a fresh delivery of the event now, whether earlier ones were delivered or failed: to ' +
      "`endpoint_id`, or to every enabled endpoint that receives it. The endpoint's other waiting deliveries " +
      'of the order are brought forward too, in order. Body optional.',
    body: s.RedeliverRequestSchema,
    optionalBody: true,
    bodyExample: { endpoint_id: 'we_0123456789abcdefghijABCD' },
    responses: {
      200: { schema: s.OrderEventEntrySchema, description: 'The event with its deliveries, the new one pending.' },
    },
    errors: ['event_not_found', 'webhook_endpoint_not_found', 'webhook_endpoint_disabled'],
    sdk: { resource: 'events', method: 'redeliver' },
  }),
};

export const WEBHOOK_ENDPOINT_ROUTES = {
  createWebhookEndpoint: route({
    ...MERCHANT_WRITE,
    path: '/v1/webhook_endpoints',
    tags: ['Webhook endpoints'],
    summary: 'Create a webhook endpoint',
    description:
      'Adds an endpoint that receives the events of your key\'s mode listed in `enabled_events` (`["*"]`: ' +
      'all), signed with its own secret, shown in this response only. Live endpoints must use https; up to 16 ' +
      'per mode.',
    body: s.CreateWebhookEndpointRequestSchema,
    bodyExample: {
      url: 'https://shop.example/till/webhooks',
      description: 'Fulfilment',
      enabled_events: ['order.paid', 'refund.succeeded'],
    },
    responses: { 201: { schema: s.WebhookEndpointWithSecretSchema, description: 'The endpoint with its secret.' } },
    errors: ['too_many_webhook_endpoints'],
    sdk: { resource: 'webhookEndpoints', method: 'create' },
  }),
  listWebhookEndpoints: route({
    ...MERCHANT_READ,
    path: '/v1/webhook_endpoints',
    tags: ['Webhook endpoints'],
    summary: 'List webhook endpoints',
    description:
      "Your key's mode's endpoints, and the primary endpoint (your `webhook_url` setting, which receives both " +
      "modes' events) while one is set; secrets are never listed.",
    responses: { 200: { schema: s.WebhookEndpointListSchema, description: 'All the endpoints, primary first.' } },
    errors: [],
    sdk: { resource: 'webhookEndpoints', method: 'list' },
  }),
  retrieveWebhookEndpoint: route({
    ...MERCHANT_READ,
    path: '/v1/webhook_endpoints/{id}',
    tags: ['Webhook endpoints'],
    params: { id: webhookEndpointId },
    summary: 'Retrieve a webhook endpoint',
    description:
      'Returns the endpoint and its health: since when its deliveries fail, the last error and, once disabled, why.',
    responses: { 200: { schema: s.WebhookEndpointSchema, description: 'The endpoint.' } },
    errors: ['webhook_endpoint_not_found'],
    sdk: { resource: 'webhookEndpoints', method: 'retrieve' },
  }),
  updateWebhookEndpoint: route({
    ...MERCHANT_WRITE,
    path: '/v1/webhook_endpoints/{id}',
    tags: ['Webhook endpoints'],
    params: { id: webhookEndpointId },
    summary: 'Update a webhook endpoint',
    description:
      'Changes the URL, description or event filter, or enables or disables the endpoint; enabling clears its ' +
      'failure record. Of the primary endpoint only `status` changes here (its URL is the `webhook_url` ' +
      'setting), and once live mode is on only with a live secret key.',
    body: s.UpdateWebhookEndpointRequestSchema,
    bodyExample: { status: 'enabled' },
    responses: { 200: { schema: s.WebhookEndpointSchema, description: 'The updated endpoint.' } },
    errors: ['webhook_endpoint_not_found'],
    sdk: { resource: 'webhookEndpoints', method: 'update' },
  }),
  deleteWebhookEndpoint: route({
    method: 'delete',
    path: '/v1/webhook_endpoints/{id}',
    tags: ['Webhook endpoints'],
    auth: ['secret'],
    limits: LIMITS,
    idempotent: false,
    params: { id: webhookEndpointId },
    summary: 'Delete a webhook endpoint',
    description:
      'Deletes the endpoint; deliveries still waiting for it stop. The primary endpoint is removed by setting ' +
      '`webhook_url` to null instead.',
    responses: { 200: { schema: s.DeletedWebhookEndpointSchema, description: 'The deleted endpoint.' } },
    errors: ['webhook_endpoint_not_found', 'invalid_parameter'],
    sdk: { resource: 'webhookEndpoints', method: 'del' },
  }),
  rollWebhookEndpointSecret: route({
    ...MERCHANT_WRITE,
    path: '/v1/webhook_endpoints/{id}/roll_secret',
    tags: ['Webhook endpoints'],
    params: { id: webhookEndpointId },
    summary: "Roll a webhook endpoint's secret",
    description:
      'Replaces the secret and returns the new one, shown this once. With `expires_in`, the old secret keeps ' +
      'signing too (a second `v1`) for that many seconds, so your receiver can switch without dropping events. ' +
      'Body optional.',
    body: s.RollWebhookSecretRequestSchema,
    optionalBody: true,
    bodyExample: { expires_in: 86400 },
    responses: {
      200: { schema: s.WebhookEndpointWithSecretSchema, description: 'The endpoint with its new secret.' },
    },
    errors: ['webhook_endpoint_not_found'],
    sdk: { resource: 'webhookEndpoints', method: 'rollSecret' },
  }),
};
