/**
 * Cards through Adyen's Checkout API (v71), authorised server-side with the vaulted card's data
 * (Till is the PCI boundary, as a self-hosted orchestrator is): 3-D Secure 2 through Adyen's
 * redirect with the shopper back at Till's return route, manual capture, cancel, refunds, and the
 * account-wide standard webhook. Plain fetch rather than @adyen/api-library, which only speaks to
 * Adyen's own hosts; the library checks the stand-in.
 *
 * Adyen answers every modification (capture, cancel, refund) with `received` and tells the outcome
 * in a webhook; its Checkout API has no way to look a payment up.
 */
import { TillError } from '../../../shared/errors.ts';
import { formatMoney } from '../../../shared/money.ts';
import { cardAttemptSchema } from '../card/card-input.ts';
import type { Channel, ChannelContext } from '../types.ts';
import { adyenTakes } from './amounts.ts';
import type { AdyenCall } from './api.ts';
import { type AdyenCredentials, AdyenCredentialsSchema } from './credentials.ts';
import { cancelPayment, capturePayment, refundPayment } from './modifications.ts';
import { adyenEventOrder, adyenNews } from './notification.ts';
import { finishRedirect, startPayment } from './payments.ts';
import { verifiedItem } from './webhook.ts';

const AdyenInputSchema = cardAttemptSchema('adyen');

/** The merchant's account for the order's mode. */
export function adyenCall(ctx: ChannelContext<AdyenCredentials>): AdyenCall {
  const { credentials } = ctx;
  if (!credentials) throw new TillError('channel_not_available', 'Adyen is not configured for this mode');
  return { env: ctx.env, mode: ctx.mode, credentials };
}

export const adyen: Channel<typeof AdyenInputSchema._output, AdyenCredentials> = {
  id: 'adyen',
  credentials: AdyenCredentialsSchema,

  amountProblem: (amount, currency) =>
    adyenTakes(amount, currency) ? null : `Adyen cannot move ${formatMoney(amount, currency)} exactly`,

  // Live calls go to the company's own endpoint, named by its prefix (unless the operator points them elsewhere).
  credentialsProblem: (credentials, mode, env) =>
    mode === 'live' && !credentials.live_url_prefix && !env.ADYEN_API_LIVE
      ? { param: 'live_url_prefix', message: 'is required for live mode (Customer Area, Developers > API URLs)' }
      : null,

  methods(order) {
    return adyenTakes(order.amount, order.currency)
      ? [{ channel: 'adyen', method: 'card', kind: 'card', label: 'Card' }]
      : [];
  },

  input: AdyenInputSchema,

  start: (ctx, request) => startPayment(adyenCall(ctx), ctx.origin, request),

  async parseNotification(ctx, { orderId, body }) {
    if (!ctx.credentials) throw new TillError('invalid_signature', 'Adyen is not configured for this mode');
    const item = await verifiedItem(body, ctx.credentials.hmac_key, ctx.mode === 'live');
    return adyenNews(orderId, ctx.credentials.merchant_account, item);
  },

  acknowledge(applied) {
    // Adyen retries until the body is exactly `[accepted]`.
    return applied
      ? new Response('[accepted]', { headers: { 'content-type': 'text/plain' } })
      : new Response('retry', { status: 500 });
  },

  notificationOrder: ({ body }) => adyenEventOrder(body),

  // Adyen's Checkout API has no payment lookup: the webhook and the shopper's return carry the outcome.
  query: async () => null,

  // Adyen redeems the return's redirectResult and says how the payment ended; the parameter itself proves nothing.
  async returned(ctx, trade, params) {
    const redirectResult = params.redirectResult;
    return redirectResult ? finishRedirect(adyenCall(ctx), trade, redirectResult) : null;
  },

  refund: (ctx, trade, amount, refundId) => refundPayment(adyenCall(ctx), ctx, trade, amount, refundId),

  capture: (ctx, trade, amount) => capturePayment(adyenCall(ctx), ctx, trade, amount),

  cancel: (ctx, trade) => cancelPayment(adyenCall(ctx), ctx, trade),
};
