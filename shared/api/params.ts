/**
 * Path parameters the routes share: their schema, how they read in the document and the SDK, and
 * the answer to a malformed one (a malformed id is a missing object: no lookup is made for it).
 */
import { z } from 'zod';
import type { ErrorCode } from '../errors.ts';
import { ATTEMPT_ID, CHANNEL_ID_PATTERN, MERCHANT_ID, ORDER_ID, REFUND_ID, WEBHOOK_ENDPOINT_ID } from '../schemas.ts';
import type { ParamSpec } from './route.ts';

interface Naming {
  /** How the SDK names it in its errors, when not `<what> id`. */
  label?: string;
  /** Said after "No such <what>". */
  where?: string;
}

/** The id of a `<prefix>_…` object: what the document, the SDK and a refusal call it. */
function objectId(what: string, pattern: RegExp, example: string, invalid: ErrorCode, naming: Naming = {}): ParamSpec {
  const prefix = example.slice(0, example.indexOf('_') + 1);
  return {
    schema: z.string().regex(pattern),
    description: `The ${what} id, \`${prefix}…\`.`,
    label: naming.label ?? `${what} id`,
    example,
    invalid: { code: invalid, message: `No such ${what}${naming.where ?? ''}` },
  };
}

export const orderId = objectId('order', ORDER_ID, 'ord_0123456789abcdefghijABCD', 'order_not_found');
export const attemptId = objectId('attempt', ATTEMPT_ID, 'att_0123456789abcdefghij', 'attempt_not_found', {
  where: ' on this order',
});
export const refundId = objectId('refund', REFUND_ID, 're_0123456789abcdefghijABCD', 'refund_not_found', {
  where: ' on this order',
});
export const merchantId = objectId('merchant', MERCHANT_ID, 'mer_0123456789abcdef', 'merchant_not_found');
export const eventId = objectId('event', /^evt_[0-9A-Za-z]{24}$/, 'evt_0123456789abcdefghijABCD', 'event_not_found');
export const webhookEndpointId = objectId(
  'webhook endpoint',
  WEBHOOK_ENDPOINT_ID,
  'we_0123456789abcdefghijABCD',
  'webhook_endpoint_not_found',
);
export const apiKeyId = objectId('API key', /^key_[0-9A-Za-z]{20}$/, 'key_01234567890123456789', 'api_key_not_found', {
  label: 'key id',
});

export const channelId: ParamSpec = {
  schema: z.string().regex(CHANNEL_ID_PATTERN),
  description: 'The channel id, e.g. `sandbox`.',
  label: 'channel',
  example: 'sandbox',
  invalid: { code: 'channel_not_available', message: 'Unknown channel' },
};
