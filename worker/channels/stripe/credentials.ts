/**
 * A merchant's Stripe account, as pasted into `PUT /v1/merchant/channels/stripe`: its secret key
 * (or a restricted key with PaymentIntents and Refunds write access) and the signing secret of the
 * webhook endpoint the merchant added in Stripe's dashboard (`…/v1/channels/stripe/events`).
 */
import { z } from 'zod';

export const StripeCredentialsSchema = z.strictObject({
  secret_key: z
    .string()
    .trim()
    .regex(
      /^(sk|rk)_(test|live)_[0-9A-Za-z]{10,247}$/,
      'must be a Stripe secret or restricted key: sk_test_…, sk_live_…, rk_test_… or rk_live_…',
    ),
  webhook_secret: z
    .string()
    .trim()
    .regex(/^whsec_[0-9A-Za-z+/=]{16,128}$/, 'must be the webhook endpoint’s signing secret: whsec_…'),
});
export type StripeCredentials = z.infer<typeof StripeCredentialsSchema>;

/** Whether a key is for the mode the order is in: a live key never takes a test order, nor the reverse. */
export const keyMode = (key: string): 'test' | 'live' => (key.includes('_live_') ? 'live' : 'test');
