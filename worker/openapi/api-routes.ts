/**
 * Every public API route, one entry each. The OpenAPI document is generated from this table and a
 * worker test checks it against the routes the Hono app registers, so they cannot drift apart.
 */
import * as s from '../../shared/schemas.ts';
import * as x from './extra-schemas.ts';
import { route, type ApiRoute } from './route-types.ts';

const orderId = { schema: s.OrderIdSchema, description: 'The order id, `ord_…`.' };
const merchantId = { schema: x.MerchantIdSchema, description: 'The merchant id, `mer_…`.' };
const channel = { schema: x.ChannelIdSchema, description: 'The channel id, e.g. `sandbox`.' };
const eventId = { schema: x.EventIdSchema, description: 'The event id, `evt_…`.' };
const endpointId = { schema: s.WebhookEndpointIdSchema, description: 'The webhook endpoint id, `we_…`.' };
const READ = ['secret', 'restricted'] as const;

const orderRoutes = [
  route({
    method: 'post', path: '/v1/orders', operationId: 'createOrder', tags: ['Orders'], auth: ['secret'], idempotent: true,
    summary: 'Create an order',
    description: 'Creates an order for the shopper to pay, with the `client_token` the widget needs. With an Idempotency-Key, retries return the same order.',
    body: s.CreateOrderRequestSchema,
    bodyExample: { amount: 2900, currency: 'USD', description: 'Tote bag', metadata: { cart_id: 'c_123' } },
    responses: { 201: { schema: s.OrderSchema, description: 'The new order (or, on an idempotent replay, the first one).' } },
    errors: ['amount_over_limit', 'channel_not_available'],
  }),
  route({
    method: 'get', path: '/v1/orders', operationId: 'listOrders', tags: ['Orders'], auth: READ, idempotent: false,
    summary: 'List orders',
    description: 'Lists your orders, newest first, with cursor pagination and filters on status, channel, currency, creation time and metadata.',
    query: s.OrderListQuerySchema,
    deepObjectQuery: [
      { name: 'metadata', schema: x.MetadataFilterSchema, description: 'Only orders whose metadata has every given pair, e.g. `metadata[cart_id]=c_123`; up to 5 pairs.' },
    ],
    responses: { 200: { schema: s.OrderListSchema, description: 'A page of orders.' } },
    errors: [],
  }),
  route({
    method: 'get', path: '/v1/orders/{id}', operationId: 'retrieveOrder', tags: ['Orders'], auth: READ, idempotent: false,
    params: { id: orderId },
    summary: 'Retrieve an order',
    description: 'Returns the order with its attempts, current status and, once paid, its signed receipt.',
    responses: { 200: { schema: s.OrderSchema, description: 'The order.' } },
    errors: ['order_not_found'],
  }),
  route({
    method: 'post', path: '/v1/orders/{id}/cancel', operationId: 'cancelOrder', tags: ['Orders'], auth: ['secret'], idempotent: true,
    params: { id: orderId },
    summary: 'Cancel an order',
    description: 'Cancels an order that is not paid yet; the shopper can no longer pay it. Canceling a canceled order returns it unchanged.',
    responses: { 200: { schema: s.OrderSchema, description: 'The canceled order.' } },
    errors: ['order_not_found', 'order_not_cancelable'],
  }),
  route({
    method: 'post', path: '/v1/orders/{id}/capture', operationId: 'captureOrder', tags: ['Orders'], auth: ['secret'], idempotent: true,
    params: { id: orderId },
    summary: 'Capture an authorization',
    description: 'Captures in full the authorization of an order created with `capture_method: "manual"`; the order becomes `paid`. Takes no body (or `{}`).',
    responses: { 200: { schema: s.OrderSchema, description: 'The paid order.' } },
    errors: ['order_not_found', 'order_not_capturable', 'capture_in_progress', 'capture_failed', 'channel_error'],
  }),
  route({
    method: 'post', path: '/v1/orders/{id}/void', operationId: 'voidOrder', tags: ['Orders'], auth: ['secret'], idempotent: true,
    params: { id: orderId },
    summary: 'Void an authorization',
    description: 'Releases the authorization of an `authorized` order; the order becomes `voided` and the shopper is not charged. Authorizations left for 7 days are voided by Till. Takes no body (or `{}`).',
    responses: { 200: { schema: s.OrderSchema, description: 'The voided order.' } },
    errors: ['order_not_found', 'order_not_voidable', 'capture_in_progress'],
  }),
  route({
    method: 'post', path: '/v1/orders/{id}/refunds', operationId: 'createRefund', tags: ['Refunds'], auth: ['secret'], idempotent: true,
    params: { id: orderId },
    summary: 'Refund an order',
    description: 'Refunds part or all of a paid order; several refunds may follow each other. Pending and succeeded refunds together never exceed what was paid. The answer carries the channel\'s verdict (`succeeded`, `failed`) or `pending` while the channel works; `refund.*` webhooks follow.',
    body: s.CreateRefundRequestSchema,
    bodyExample: { amount: 1000, reason: 'requested_by_customer' },
    responses: { 201: { schema: s.RefundSchema, description: 'The refund (or, on an idempotent replay, the first one).' } },
    errors: ['order_not_found', 'order_not_refundable', 'refund_exceeds_payment'],
  }),
  route({
    method: 'get', path: '/v1/orders/{id}/refunds', operationId: 'listRefunds', tags: ['Refunds'], auth: READ, idempotent: false,
    params: { id: orderId },
    summary: "List an order's refunds",
    description: "Every refund of the order, oldest first, including Till's automatic refunds of money taken twice.",
    responses: { 200: { schema: s.RefundListSchema, description: 'The refunds.' } },
    errors: ['order_not_found'],
  }),
  route({
    method: 'get', path: '/v1/orders/{id}/refunds/{refund}', operationId: 'retrieveRefund', tags: ['Refunds'], auth: READ, idempotent: false,
    params: { id: orderId, refund: { schema: s.RefundSchema.shape.id, description: 'The refund id, `re_…`.' } },
    summary: 'Retrieve a refund',
    description: 'Returns one refund of the order.',
    responses: { 200: { schema: s.RefundSchema, description: 'The refund.' } },
    errors: ['order_not_found', 'refund_not_found'],
  }),
  route({
    method: 'get', path: '/v1/orders/{id}/events', operationId: 'listOrderEvents', tags: ['Orders', 'Events'], auth: READ, idempotent: false,
    params: { id: orderId },
    summary: "List an order's events",
    description: "The order's timeline: every event it emitted, each with its delivery to each webhook endpoint (state, tries, next attempt, last error).",
    responses: { 200: { schema: s.OrderEventListSchema, description: 'The events, oldest first.' } },
    errors: ['order_not_found'],
  }),
];

const eventRoutes = [
  route({
    method: 'get', path: '/v1/events', operationId: 'listEvents', tags: ['Events'], auth: READ, idempotent: false,
    summary: 'List events',
    description: 'Lists the webhook events of all your orders, newest first; use it to catch up on deliveries your endpoint missed.',
    query: s.EventListQuerySchema,
    responses: { 200: { schema: s.EventListSchema, description: 'A page of events.' } },
    errors: [],
  }),
  route({
    method: 'get', path: '/v1/events/{id}', operationId: 'retrieveEvent', tags: ['Events'], auth: READ, idempotent: false,
    params: { id: { schema: x.EventIdSchema, description: 'The event id, `evt_…`.' } },
    summary: 'Retrieve an event',
    description: 'Returns one event exactly as it was sent to your webhook endpoint.',
    responses: { 200: { schema: s.WebhookEventSchema, description: 'The event.' } },
    errors: ['event_not_found'],
  }),
  route({
    method: 'get', path: '/v1/events/{id}/deliveries', operationId: 'listEventDeliveryAttempts', tags: ['Events'], auth: READ, idempotent: false,
    params: { id: eventId },
    summary: "List an event's delivery attempts",
    description: 'Every HTTP request made to deliver the event, oldest first, to every endpoint: when, the HTTP status (or timeout / network error), latency and the first 200 characters of the answer.',
    responses: { 200: { schema: s.DeliveryAttemptListSchema, description: 'The attempts.' } },
    errors: ['event_not_found'],
  }),
  route({
    method: 'post', path: '/v1/events/{id}/redeliver', operationId: 'redeliverEvent', tags: ['Events'], auth: ['secret'], idempotent: true,
    params: { id: eventId },
    summary: 'Redeliver an event',
    description: "Queues a fresh delivery of the event now, whether earlier ones were delivered or failed: to `endpoint_id`, or to every enabled endpoint that receives it. The endpoint's other waiting deliveries of the order are brought forward too, in order. Body optional.",
    body: s.RedeliverRequestSchema,
    optionalBody: true,
    bodyExample: { endpoint_id: 'we_0123456789abcdefghijABCD' },
    responses: { 200: { schema: s.OrderEventEntrySchema, description: 'The event with its deliveries, the new one pending.' } },
    errors: ['event_not_found', 'webhook_endpoint_not_found', 'webhook_endpoint_disabled'],
  }),
];

const webhookEndpointRoutes = [
  route({
    method: 'post', path: '/v1/webhook_endpoints', operationId: 'createWebhookEndpoint', tags: ['Webhook endpoints'], auth: ['secret'], idempotent: true,
    summary: 'Create a webhook endpoint',
    description: "Adds an endpoint that receives the events of your key's mode listed in `enabled_events` (`[\"*\"]`: all), signed with its own secret, shown in this response only. Live endpoints must use https; up to 16 per mode.",
    body: s.CreateWebhookEndpointRequestSchema,
    bodyExample: { url: 'https://shop.example/till/webhooks', description: 'Fulfilment', enabled_events: ['order.paid', 'refund.succeeded'] },
    responses: { 201: { schema: s.WebhookEndpointWithSecretSchema, description: 'The endpoint with its secret.' } },
    errors: ['too_many_webhook_endpoints'],
  }),
  route({
    method: 'get', path: '/v1/webhook_endpoints', operationId: 'listWebhookEndpoints', tags: ['Webhook endpoints'], auth: READ, idempotent: false,
    summary: 'List webhook endpoints',
    description: "Your key's mode's endpoints, and the primary endpoint (your `webhook_url` setting, which receives both modes' events) while one is set; secrets are never listed.",
    responses: { 200: { schema: s.WebhookEndpointListSchema, description: 'All the endpoints, primary first.' } },
    errors: [],
  }),
  route({
    method: 'get', path: '/v1/webhook_endpoints/{id}', operationId: 'retrieveWebhookEndpoint', tags: ['Webhook endpoints'], auth: READ, idempotent: false,
    params: { id: endpointId },
    summary: 'Retrieve a webhook endpoint',
    description: 'Returns the endpoint and its health: since when its deliveries fail, the last error and, once disabled, why.',
    responses: { 200: { schema: s.WebhookEndpointSchema, description: 'The endpoint.' } },
    errors: ['webhook_endpoint_not_found'],
  }),
  route({
    method: 'post', path: '/v1/webhook_endpoints/{id}', operationId: 'updateWebhookEndpoint', tags: ['Webhook endpoints'], auth: ['secret'], idempotent: true,
    params: { id: endpointId },
    summary: 'Update a webhook endpoint',
    description: 'Changes the URL, description or event filter, or enables or disables the endpoint; enabling clears its failure record. Of the primary endpoint only `status` changes here (its URL is the `webhook_url` setting), and once live mode is on only with a live secret key.',
    body: s.UpdateWebhookEndpointRequestSchema,
    bodyExample: { status: 'enabled' },
    responses: { 200: { schema: s.WebhookEndpointSchema, description: 'The updated endpoint.' } },
    errors: ['webhook_endpoint_not_found'],
  }),
  route({
    method: 'delete', path: '/v1/webhook_endpoints/{id}', operationId: 'deleteWebhookEndpoint', tags: ['Webhook endpoints'], auth: ['secret'], idempotent: false,
    params: { id: endpointId },
    summary: 'Delete a webhook endpoint',
    description: 'Deletes the endpoint; deliveries still waiting for it stop. The primary endpoint is removed by setting `webhook_url` to null instead.',
    responses: { 200: { schema: s.DeletedWebhookEndpointSchema, description: 'The deleted endpoint.' } },
    errors: ['webhook_endpoint_not_found', 'invalid_parameter'],
  }),
  route({
    method: 'post', path: '/v1/webhook_endpoints/{id}/roll_secret', operationId: 'rollWebhookEndpointSecret', tags: ['Webhook endpoints'],
    auth: ['secret'], idempotent: true,
    params: { id: endpointId },
    summary: "Roll a webhook endpoint's secret",
    description: 'Replaces the secret and returns the new one, shown this once. With `expires_in`, the old secret keeps signing too (a second `v1`) for that many seconds, so your receiver can switch without dropping events. Body optional.',
    body: s.RollWebhookSecretRequestSchema,
    optionalBody: true,
    bodyExample: { expires_in: 86400 },
    responses: { 200: { schema: s.WebhookEndpointWithSecretSchema, description: 'The endpoint with its new secret.' } },
    errors: ['webhook_endpoint_not_found'],
  }),
];

const merchantRoutes = [
  route({
    method: 'get', path: '/v1/merchant', operationId: 'retrieveMerchant', tags: ['Merchant'], auth: READ, idempotent: false,
    summary: 'Retrieve your merchant account',
    description: 'Returns your settings, channels and limits. Channel credentials are write-only and never returned.',
    responses: { 200: { schema: s.MerchantSchema, description: 'Your merchant account.' } },
    errors: [],
  }),
  route({
    method: 'post', path: '/v1/merchant', operationId: 'updateMerchant', tags: ['Merchant'], auth: ['secret'], idempotent: true,
    summary: 'Update your settings',
    description: 'Changes your webhook URL, allowed widget origins, request-signing requirement or Ed25519 signing keys. Fields left out stay as they are. Once live mode is on, this needs a live secret key: these settings serve both modes.',
    body: s.UpdateMerchantSettingsSchema,
    bodyExample: { webhook_url: 'https://shop.example/till/webhooks', allowed_origins: ['https://shop.example'] },
    responses: { 200: { schema: s.MerchantSchema, description: 'Your updated merchant account.' } },
    errors: [],
  }),
  route({
    method: 'post', path: '/v1/merchant/channels/{channel}', operationId: 'configureChannel', tags: ['Merchant'], auth: ['secret'], idempotent: true,
    params: { channel },
    summary: 'Configure a channel',
    description: "Enables or disables a payment channel and stores its credentials, checked against the channel's own schema and kept encrypted. Once live mode is on, this needs a live secret key: these settings serve both modes.",
    body: s.ConfigureChannelRequestSchema,
    responses: { 200: { schema: s.MerchantSchema, description: 'Your updated merchant account.' } },
    errors: ['channel_not_available', 'channel_error'],
  }),
  route({
    method: 'post', path: '/v1/merchant/signing_secret/roll', operationId: 'rollSigningSecret', tags: ['Merchant'], auth: ['secret'], idempotent: true,
    summary: 'Roll the request-signing secret',
    description: 'Replaces the HMAC secret you sign requests with (`Till-Signature: …,v1=`) and returns the new one; this is the only time it is shown. Once live mode is on, this needs a live secret key: these settings serve both modes.',
    responses: { 200: { schema: s.RollSecretResponseSchema, description: 'The new secret.' } },
    errors: [],
  }),
  route({
    method: 'get', path: '/v1/keys', operationId: 'listApiKeys', tags: ['API keys'], auth: ['secret'], idempotent: false,
    summary: 'List API keys',
    description: 'Lists the API keys of the calling key\'s mode by prefix; secrets are shown only when a key is created or rolled.',
    responses: { 200: { schema: s.ApiKeyListSchema, description: 'Your keys.' } },
    errors: [],
  }),
  route({
    method: 'post', path: '/v1/keys', operationId: 'createApiKey', tags: ['API keys'], auth: ['secret'], idempotent: true,
    summary: 'Create a restricted key',
    description: 'Creates a read-only restricted key (`rk_…`) for reporting tools, in the mode of the calling key; its secret is in this response only.',
    body: s.CreateApiKeyRequestSchema,
    bodyExample: { kind: 'restricted' },
    responses: { 201: { schema: s.CreatedApiKeySchema, description: 'The new key with its secret.' } },
    errors: [],
  }),
  route({
    method: 'post', path: '/v1/keys/{id}/roll', operationId: 'rollApiKey', tags: ['API keys'], auth: ['secret'], idempotent: true,
    params: { id: { schema: x.ApiKeyIdSchema, description: 'The key id, `key_…`.' } },
    summary: 'Roll an API key',
    description: 'Issues a replacement for a key; the old one keeps working for `expires_in` seconds so you can deploy the new one. A key rolls once, and only keys of the calling key\'s mode.',
    body: s.RollApiKeyRequestSchema,
    bodyExample: { expires_in: 3600 },
    responses: { 200: { schema: s.CreatedApiKeySchema, description: 'The replacement key with its secret.' } },
    errors: ['api_key_not_found', 'api_key_not_active'],
  }),
  route({
    method: 'post', path: '/v1/keys/{id}/revoke', operationId: 'revokeApiKey', tags: ['API keys'], auth: ['secret'], idempotent: true,
    params: { id: { schema: x.ApiKeyIdSchema, description: 'The key id, `key_…`.' } },
    summary: 'Revoke an API key',
    description: 'Refuses the key from now on. A revoked key cannot be restored.',
    responses: { 200: { schema: s.ApiKeySchema, description: 'The revoked key.' } },
    errors: ['api_key_not_found'],
  }),
  route({
    method: 'get', path: '/v1/payment_methods', operationId: 'listPaymentMethods', tags: ['Payment methods'], idempotent: false,
    auth: ['publishable', 'secret', 'restricted'],
    summary: 'List payment methods',
    description: 'The methods you offer for an amount, to show on your own pages. From a browser, send the publishable key as `?key=pk_…`: no CORS preflight.',
    query: s.PaymentMethodsQuerySchema,
    responses: { 200: { schema: s.PaymentMethodListSchema, description: 'The methods that fit this amount and shopper, in display order.' } },
    errors: [],
  }),
];

const checkoutRoutes = [
  route({
    method: 'get', path: '/v1/checkout/{id}', operationId: 'retrieveCheckout', tags: ['Checkout'], auth: ['client_token'], idempotent: false,
    params: { id: orderId },
    summary: 'Retrieve the checkout',
    description: 'What the widget shows: the order as the shopper may see it, the methods that fit the shopper, and the attempt in progress.',
    query: x.CheckoutQuerySchema,
    responses: { 200: { schema: s.CheckoutSummarySchema, description: 'The checkout summary.' } },
    errors: ['order_not_found'],
  }),
  route({
    method: 'post', path: '/v1/checkout/{id}/attempts', operationId: 'startAttempt', tags: ['Checkout'], auth: ['client_token'], idempotent: true,
    params: { id: orderId },
    summary: 'Start a payment attempt',
    description: 'Starts paying the order with the chosen method. The summary says what happens next: a redirect, a 3-D Secure challenge, a QR code, or the result.',
    query: x.CheckoutQuerySchema,
    body: x.StartAttemptRequestSchema,
    bodyExample: { channel: 'sandbox', method: 'card', card: { number: '4242 4242 4242 4242', exp_month: 12, exp_year: 2030, cvc: '123' } },
    responses: { 201: { schema: s.CheckoutSummarySchema, description: 'The checkout summary with the new attempt.' } },
    errors: ['order_not_found', 'channel_not_available', 'order_not_payable', 'attempt_in_progress', 'channel_error'],
  }),
  route({
    method: 'get', path: '/v1/checkout/{id}/live', operationId: 'followCheckout', tags: ['Checkout'], auth: ['client_token'], idempotent: false,
    params: { id: orderId },
    summary: 'Follow the checkout live (WebSocket)',
    description:
      'A WebSocket that sends the checkout summary at once and again after every change. Browsers offer the subprotocols `till.v1` and the client token (`new WebSocket(url, ["till.v1", token])`); other clients may send `Authorization: Bearer` instead. Only the checkout frame\'s own origin may open it. The server closes it with 1000 shortly after a final status, or 4001 when the token expires; `ping` is answered with `pong`.',
    query: x.CheckoutQuerySchema,
    responses: { 101: { schema: s.CheckoutSummarySchema, description: 'Switching Protocols (subprotocol `till.v1`); every text message is a checkout summary.' } },
    errors: ['order_not_found', 'forbidden', 'upgrade_required'],
  }),
];

const channelRoutes = [
  route({
    method: 'post', path: '/v1/channels/{channel}/notify/{order}', operationId: 'channelNotify', tags: ['Channels'], auth: ['channel'], idempotent: false,
    params: { channel, order: { schema: s.OrderIdSchema, description: 'The order the notification is about: each trade is opened with this URL as its notify URL.' } },
    summary: 'Receive a channel notification',
    description:
      "Where payment channels report outcomes, signed in their own format and verified with the merchant's credentials for the order's mode; not for merchants to call. The answer is the one the channel expects (Alipay `success`, WeChat Pay 204).",
    body: { opaque: "The channel's own notification, verified with the channel's signature." },
    responses: { 200: { schema: x.ChannelAcknowledgementSchema, contentType: 'text/plain', description: 'Acknowledged; the channel stops retrying.' } },
    errors: ['not_found', 'order_not_found', 'invalid_signature', 'invalid_parameter', 'body_too_large'],
  }),
];

const adminRoutes = [
  route({
    method: 'post', path: '/v1/admin/merchants', operationId: 'adminCreateMerchant', tags: ['Admin'], auth: ['admin'], idempotent: true,
    summary: 'Create a merchant',
    description: 'Creates a merchant with its test and live keys, webhook secret and request-signing secret, shown in this response only.',
    body: s.CreateMerchantRequestSchema,
    bodyExample: { name: 'Tote Shop', webhook_url: 'https://shop.example/till/webhooks', channels: ['sandbox'] },
    responses: { 201: { schema: s.MerchantWithKeysSchema, description: 'The merchant and its secrets.' } },
    errors: ['channel_not_available', 'merchant_already_created'],
  }),
  route({
    method: 'get', path: '/v1/admin/merchants', operationId: 'adminListMerchants', tags: ['Admin'], auth: ['admin'], idempotent: false,
    summary: 'List merchants',
    description: 'Lists merchants, newest first, with cursor pagination.',
    query: x.AdminMerchantListQuerySchema,
    responses: { 200: { schema: s.MerchantListSchema, description: 'A page of merchants.' } },
    errors: [],
  }),
  route({
    method: 'get', path: '/v1/admin/merchants/{id}', operationId: 'adminRetrieveMerchant', tags: ['Admin'], auth: ['admin'], idempotent: false,
    params: { id: merchantId },
    summary: 'Retrieve a merchant',
    description: "Returns a merchant's settings, channels and limits.",
    responses: { 200: { schema: s.MerchantSchema, description: 'The merchant.' } },
    errors: ['merchant_not_found'],
  }),
  route({
    method: 'post', path: '/v1/admin/merchants/{id}', operationId: 'adminUpdateMerchant', tags: ['Admin'], auth: ['admin'], idempotent: true,
    params: { id: merchantId },
    summary: 'Update a merchant',
    description: 'Changes anything the merchant may change, plus its name, limits, live mode and whether it is disabled.',
    body: s.AdminUpdateMerchantSchema,
    bodyExample: { live_enabled: true, limits: { max_order_amount: { USD: 500000 } } },
    responses: { 200: { schema: s.MerchantSchema, description: 'The updated merchant.' } },
    errors: ['merchant_not_found'],
  }),
  route({
    method: 'post', path: '/v1/admin/merchants/{id}/channels/{channel}', operationId: 'adminConfigureChannel', tags: ['Admin'],
    auth: ['admin'], idempotent: true,
    params: { id: merchantId, channel },
    summary: "Configure a merchant's channel",
    description: 'Enables or disables a channel for the merchant and stores its credentials encrypted.',
    body: s.ConfigureChannelRequestSchema,
    responses: { 200: { schema: s.MerchantSchema, description: 'The updated merchant.' } },
    errors: ['merchant_not_found', 'channel_not_available', 'channel_error'],
  }),
  route({
    method: 'post', path: '/v1/admin/merchants/{id}/keys', operationId: 'adminCreateApiKey', tags: ['Admin'], auth: ['admin'], idempotent: true,
    params: { id: merchantId },
    summary: 'Create a key for a merchant',
    description: 'Creates a secret, publishable or restricted key for the merchant; its secret is in this response only.',
    body: x.AdminCreateApiKeyRequestSchema,
    responses: { 201: { schema: s.CreatedApiKeySchema, description: 'The new key with its secret.' } },
    errors: ['merchant_not_found'],
  }),
  route({
    method: 'post', path: '/v1/admin/merchants/{id}/reencrypt', operationId: 'adminReencryptMerchant', tags: ['Admin'], auth: ['admin'], idempotent: true,
    params: { id: merchantId },
    summary: "Re-encrypt a merchant's credentials",
    description: "Seals the merchant's stored channel credentials again under the current master key, after a key rotation.",
    responses: { 200: { schema: x.ReencryptionSchema, description: 'How many credentials were re-encrypted.' } },
    errors: ['merchant_not_found'],
  }),
];

const metaRoutes = [
  route({
    method: 'get', path: '/v1/openapi.json', operationId: 'getOpenApiDocument', tags: ['Meta'], auth: [], idempotent: false,
    summary: 'This document',
    description: 'The OpenAPI 3.1 description of the Till API, generated from the schemas the worker validates with.',
    responses: { 200: { schema: x.OpenApiDocumentSchema, description: 'The OpenAPI document.' } },
    errors: [],
  }),
  route({
    method: 'get', path: '/.well-known/jwks.json', operationId: 'getJwks', tags: ['Meta'], auth: [], idempotent: false,
    summary: 'Verification keys',
    description: 'The Ed25519 public keys that verify client tokens and receipts, for any JOSE library.',
    responses: { 200: { schema: s.JwksSchema, description: 'The JSON Web Key Set.' } },
    errors: [],
  }),
];

export const API_ROUTES: readonly ApiRoute[] = [
  ...orderRoutes,
  ...eventRoutes,
  ...webhookEndpointRoutes,
  ...merchantRoutes,
  ...checkoutRoutes,
  ...channelRoutes,
  ...adminRoutes,
  ...metaRoutes,
];
