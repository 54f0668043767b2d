/**
 * A merchant's Adyen account, as pasted into `PUT /v1/merchant/channels/adyen`: an API credential's
 * key (Customer Area, Developers > API credentials, with the Checkout webservice role), the merchant
 * account it pays into, the HMAC key of the standard webhook that posts to
 * `…/v1/channels/adyen/events`, and for live mode the prefix Adyen assigns to the company's live
 * endpoints (Developers > API URLs).
 */
import { z } from 'zod';

export const AdyenCredentialsSchema = z.strictObject({
  // Adyen's keys are long opaque strings of base64 and punctuation; only whitespace is sure to be a paste error.
  api_key: z
    .string()
    .trim()
    .regex(/^\S{20,512}$/, 'must be the API credential’s key (X-API-Key)'),
  merchant_account: z
    .string()
    .trim()
    .regex(/^[\w.-]{1,80}$/, 'must be the merchant account’s name, as the Customer Area shows it'),
  hmac_key: z
    .string()
    .trim()
    .regex(/^[0-9A-Fa-f]{64}$/, 'must be the standard webhook’s HMAC key: 64 hex digits'),
  live_url_prefix: z
    .string()
    .trim()
    .regex(/^[0-9A-Za-z-]{1,100}$/, 'must be the live endpoint prefix, as in https://[prefix]-checkout-live…')
    .optional(),
});
export type AdyenCredentials = z.infer<typeof AdyenCredentialsSchema>;
