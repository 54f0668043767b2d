/**
 * Path parameters the routes share: their schema, how they read in the document and the SDK, and
 * the answer to a malformed one.
 */
import { z } from 'zod';
import { CHANNEL_ID_PATTERN, MERCHANT_ID, OrderIdSchema, REFUND_ID, WebhookEndpointIdSchema } from '../schemas.ts';
import type { ParamSpec } from './route.ts';

export const EVENT_ID = /^evt_[0-9A-Za-z]{24}$/;

export const MerchantIdSchema = z.string().regex(MERCHANT_ID);
export const EventIdSchema = z.string().regex(EVENT_ID);
export const ChannelIdSchema = z.string().regex(CHANNEL_ID_PATTERN);
export const ApiKeyIdSchema = z.string().regex(/^key_[0-9A-Za-z]{20}$/);

export const orderId = {
  schema: OrderIdSchema,
  description: 'The order id, `ord_…`.',
  label: 'order id',
  example: 'ord_0123456789abcdefghijABCD',
  invalid: { code: 'order_not_found', message: 'No such order' },
} as const satisfies ParamSpec;

export const refundId = {
  schema: z.string().regex(REFUND_ID),
  description: 'The refund id, `re_…`.',
  label: 'refund id',
  example: 're_0123456789abcdefghijABCD',
  invalid: { code: 'refund_not_found', message: 'No such refund on this order' },
} as const satisfies ParamSpec;

export const merchantId = {
  schema: MerchantIdSchema,
  description: 'The merchant id, `mer_…`.',
  label: 'merchant id',
  example: 'mer_0123456789abcdef',
  invalid: { code: 'merchant_not_found', message: 'No such merchant' },
} as const satisfies ParamSpec;

export const channelId = {
  schema: ChannelIdSchema,
  description: 'The channel id, e.g. `sandbox`.',
  label: 'channel',
  example: 'sandbox',
  invalid: { code: 'channel_not_available', message: 'Unknown channel' },
} as const satisfies ParamSpec;

export const eventId = {
  schema: EventIdSchema,
  description: 'The event id, `evt_…`.',
  label: 'event id',
  example: 'evt_0123456789abcdefghijABCD',
  invalid: { code: 'event_not_found', message: 'No such event' },
} as const satisfies ParamSpec;

export const webhookEndpointId = {
  schema: WebhookEndpointIdSchema,
  description: 'The webhook endpoint id, `we_…`.',
  label: 'webhook endpoint id',
  example: 'we_0123456789abcdefghijABCD',
  invalid: { code: 'webhook_endpoint_not_found', message: 'No such webhook endpoint' },
} as const satisfies ParamSpec;

export const apiKeyId = {
  schema: ApiKeyIdSchema,
  description: 'The API key id, `key_…`.',
  label: 'key id',
  example: 'key_01234567890123456789',
  invalid: { code: 'api_key_not_found', message: 'No such API key' },
} as const satisfies ParamSpec;
