/**
 * Names under `components.schemas`. A route schema not listed here is still named, after its
 * route (`<operationId>Request`, `<operationId>Response`), so a new route needs no entry here;
 * list a schema to give it a better name or to `$ref` it where it is nested in others.
 */
import type { z } from 'zod';
import * as extra from '../../../shared/api/schemas.ts';
import * as s from '../../../shared/schemas.ts';

/** Request bodies, converted as zod *input* (defaults optional, transforms before they run). */
export const REQUEST_SCHEMA_NAMES = new Map<z.ZodType, string>([
  [s.CreateOrderRequestSchema, 'CreateOrderRequest'],
  [s.UpdateMerchantSettingsSchema, 'UpdateMerchantSettingsRequest'],
  [s.ConfigureChannelRequestSchema, 'ConfigureChannelRequest'],
  [s.CreateApiKeyRequestSchema, 'CreateApiKeyRequest'],
  [s.RollApiKeyRequestSchema, 'RollApiKeyRequest'],
  [s.CreateWebhookEndpointRequestSchema, 'CreateWebhookEndpointRequest'],
  [s.UpdateWebhookEndpointRequestSchema, 'UpdateWebhookEndpointRequest'],
  [s.CreateMerchantRequestSchema, 'CreateMerchantRequest'],
  [s.AdminUpdateMerchantSchema, 'AdminUpdateMerchantRequest'],
  [s.AdminCreateApiKeyRequestSchema, 'AdminCreateApiKeyRequest'],
  [extra.StartAttemptRequestSchema, 'StartAttemptRequest'],
]);

/**
 * Response bodies and the parts they share, converted as zod *output*. Nested schemas listed
 * here become `$ref`s, which keeps the document small and gives SDK generators shared types.
 */
export const RESPONSE_SCHEMA_NAMES = new Map<z.ZodType, string>([
  [s.OrderSchema, 'Order'],
  [s.AttemptSchema, 'Attempt'],
  [s.NextActionSchema, 'NextAction'],
  [s.FailureSchema, 'Failure'],
  [s.OrderListSchema, 'OrderList'],
  [s.OrderListItemSchema, 'OrderListItem'],
  [s.OrderEventListSchema, 'OrderEventList'],
  [s.OrderEventEntrySchema, 'OrderEventEntry'],
  [s.WebhookDeliverySchema, 'WebhookDelivery'],
  [s.DeliveryAttemptSchema, 'DeliveryAttempt'],
  [s.DeliveryAttemptListSchema, 'DeliveryAttemptList'],
  [s.WebhookEndpointSchema, 'WebhookEndpoint'],
  [s.WebhookEndpointWithSecretSchema, 'WebhookEndpointWithSecret'],
  [s.WebhookEndpointListSchema, 'WebhookEndpointList'],
  [s.WebhookEventSchema, 'Event'],
  [s.EventListSchema, 'EventList'],
  [s.MerchantSchema, 'Merchant'],
  [s.MerchantChannelSchema, 'MerchantChannel'],
  [s.MerchantWithKeysSchema, 'MerchantWithKeys'],
  [s.MerchantListSchema, 'MerchantList'],
  [s.ApiKeySchema, 'ApiKey'],
  [s.ApiKeyListSchema, 'ApiKeyList'],
  [s.CreatedApiKeySchema, 'CreatedApiKey'],
  [s.RollSecretResponseSchema, 'SigningSecret'],
  [s.PaymentMethodSchema, 'PaymentMethod'],
  [s.PaymentMethodListSchema, 'PaymentMethodList'],
  [s.CheckoutSummarySchema, 'CheckoutSummary'],
  [s.JwksSchema, 'Jwks'],
  [s.ReencryptionSchema, 'Reencryption'],
  [extra.ChannelAcknowledgementSchema, 'ChannelAcknowledgement'],
  [extra.OpenApiDocumentSchema, 'OpenApiDocument'],
]);

/** Schemas that read the same as request and response, named once and `$ref`ed from both. */
export const SHARED_SCHEMA_NAMES = new Map<z.ZodType, string>([
  [s.CurrencySchema, 'Currency'],
  [s.SigningPublicKeySchema, 'SigningPublicKey'],
]);
