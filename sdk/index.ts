/**
 * Till's server SDK for a merchant's Node (≥ 22) or Workers server. It needs only `fetch` and
 * WebCrypto, and takes every type from the API's own schemas (`shared/schemas.ts`).
 *
 *     const till = new Till({ secretKey: env.TILL_SECRET_KEY, baseUrl: 'https://till.example.com' });
 *     const order = await till.orders.create({ amount: 2900, currency: 'USD', description: 'Tote bag' });
 *     const signature = request.headers.get('Till-Signature');
 *     const event = await Till.webhooks.verify(rawBody, signature, env.TILL_WEBHOOK_SECRET);
 */

export type { RequestSigningKey } from '../shared/request-signature.ts';
export type {
  ApiKey,
  Attempt,
  CreatedApiKey,
  DeletedWebhookEndpoint,
  DeliveryAttempt,
  List,
  Merchant,
  NextAction,
  Order,
  OrderEventEntry,
  OrderListItem,
  UpdateMerchantSettings,
  UpdateWebhookEndpointRequest,
  WebhookDelivery,
  WebhookEndpoint,
  WebhookEndpointWithSecret,
  WebhookEvent,
} from '../shared/schemas.ts';
export type { ReceiptClaims } from '../shared/tokens.ts';
export type {
  ApiKeyCreateParams,
  ApiKeyRollParams,
  CreatedRange,
  EventListParams,
  Events,
  Keys,
  MerchantResource,
  OrderCreateParams,
  OrderEventList,
  OrderListParams,
  Orders,
  PaymentMethodListParams,
  PaymentMethods,
  WebhookEndpointCreateParams,
  WebhookEndpointRollParams,
  WebhookEndpoints,
} from './client.ts';
export { Till } from './client.ts';
export type { ReceiptFailure, TillApiErrorFields, WebhookFailure } from './errors.ts';
export { TillApiError, TillConnectionError, TillReceiptError, TillWebhookError } from './errors.ts';
export type { RequestOptions } from './http.ts';
export type { FetchLike, TillOptions } from './options.ts';
export { OPTION_ERRORS } from './options.ts';
export { JWKS_REFETCH_COOLDOWN_MS, JWKS_TTL_MS, type Receipts } from './receipts.ts';
export {
  type ClientWebhookJwksVerifyOptions,
  type ClientWebhooks,
  verifyWebhook,
  verifyWebhookWithJwks,
  type WebhookJwks,
  type WebhookJwksVerifyOptions,
  type Webhooks,
  type WebhookVerifyOptions,
} from './webhooks.ts';
