/**
 * Cards through Stripe PaymentIntents, confirmed server-side with the vaulted card's data (Till is
 * the PCI boundary, as a self-hosted orchestrator is): 3-D Secure through `next_action.redirect_to_url`
 * with the shopper back at Till's return route, manual and partial capture, cancel, refunds, and
 * account-wide webhooks. Plain fetch rather than the `stripe` package, which would add 32.7 KB gzip
 * to the worker for the eight calls Till makes (docs/decisions.md); the package checks the stand-in.
 */
import { TillError } from '../../../shared/errors.ts';
import { formatMoney } from '../../../shared/money.ts';
import { cardAttemptSchema } from '../card/card-input.ts';
import type { Channel, ChannelContext, TradeRef } from '../types.ts';
import { stripeTakes, toStripeAmount } from './amounts.ts';
import { StripeApiError, type StripeCall, stripeRequest } from './api.ts';
import { keyMode, type StripeCredentials, StripeCredentialsSchema } from './credentials.ts';
import { stripeDisputePayment } from './disputes.ts';
import { intentOutcome, isPaymentIntent, type PaymentIntent } from './intents.ts';
import { stripeEventNews, stripeEventOrder, verifyStripeEvent } from './notification.ts';
import { startPayment } from './payments.ts';

const StripeInputSchema = cardAttemptSchema('stripe');

/** The merchant's account for the order's mode; a key of the other mode is refused before any call. */
export function stripeCall(ctx: ChannelContext<StripeCredentials>): StripeCall {
  const { credentials } = ctx;
  if (!credentials) throw new TillError('channel_not_available', 'Stripe is not configured for this mode');
  if (keyMode(credentials.secret_key) !== ctx.mode) {
    throw new TillError('channel_not_available', `The Stripe key configured is not a ${ctx.mode} mode key`);
  }
  return { env: ctx.env, mode: ctx.mode, credentials };
}

/** The attempt's intent: by its id, or (a create whose answer was lost) by the metadata Till gave it. */
async function findIntent(call: StripeCall, trade: TradeRef): Promise<PaymentIntent | null> {
  if (trade.channelRef) {
    const intent = await stripeRequest<unknown>(call, 'GET', `/v1/payment_intents/${trade.channelRef}`);
    if (!isPaymentIntent(intent)) throw new TillError('channel_error', 'Stripe answered no PaymentIntent');
    return intent;
  }
  const found = await stripeRequest<{ data?: unknown[] }>(call, 'GET', '/v1/payment_intents/search', {
    query: `metadata['till_attempt']:'${trade.attemptId}'`,
  });
  return (found.data ?? []).find(isPaymentIntent) ?? null;
}

/** The intent's id, looked up when the call that made it lost its answer (the router found it later). */
async function intentIdOf(call: StripeCall, trade: TradeRef): Promise<string> {
  if (trade.channelRef) return trade.channelRef;
  const intent = await findIntent(call, trade);
  if (!intent) throw new TillError('channel_trade_not_found', 'Stripe has no PaymentIntent for this attempt');
  return intent.id;
}

export const stripe: Channel<typeof StripeInputSchema._output, StripeCredentials> = {
  id: 'stripe',
  credentials: StripeCredentialsSchema,

  methods(order) {
    return stripeTakes(order.amount, order.currency)
      ? [{ channel: 'stripe', method: 'card', kind: 'card', label: 'Card' }]
      : [];
  },

  credentialsProblem: ({ secret_key }, mode) =>
    keyMode(secret_key) === mode
      ? null
      : { param: 'secret_key', message: `is a ${keyMode(secret_key)} mode key; ${mode} mode needs a ${mode} key` },

  amountProblem: (amount, currency) =>
    stripeTakes(amount, currency) ? null : `Stripe cannot move ${formatMoney(amount, currency)} exactly`,

  input: StripeInputSchema,

  start: (ctx, request) => startPayment(stripeCall(ctx), ctx.origin, request),

  async parseNotification(ctx, { orderId, body, headers }) {
    if (!ctx.credentials) throw new TillError('invalid_signature', 'Stripe is not configured for this mode');
    const event = await verifyStripeEvent(body, headers.get('stripe-signature'), ctx.credentials.webhook_secret);
    return stripeEventNews(orderId, event);
  },

  acknowledge(applied) {
    // Stripe retries anything but a 2xx for days.
    return applied ? Response.json({ received: true }) : new Response('retry', { status: 500 });
  },

  notificationOrder: ({ body }) => stripeEventOrder(body),

  notificationPayment: ({ body }) => stripeDisputePayment(body),

  async query(ctx, trade) {
    const intent = await findIntent(stripeCall(ctx), trade);
    if (!intent) throw new TillError('channel_trade_not_found', 'Stripe has no PaymentIntent for this attempt');
    return intentOutcome(intent);
  },

  // The return's query string (payment_intent, redirect_status) is not believed: the intent is read.
  returned: (ctx, trade) => stripe.query(ctx, trade),

  async refund(ctx, trade, amount, refundId) {
    const call = stripeCall(ctx);
    const intentId = await intentIdOf(call, trade);
    try {
      const refund = await stripeRequest<{ id: string; status: string; failure_reason?: string }>(
        call,
        'POST',
        '/v1/refunds',
        {
          payment_intent: intentId,
          amount: toStripeAmount(amount, trade.currency),
          metadata: { till_refund: refundId, till_attempt: trade.attemptId },
        },
        `till_refund_${refundId}`,
      );
      if (refund.status === 'succeeded') return { status: 'succeeded', channelRef: refund.id };
      if (refund.status === 'pending' || refund.status === 'requires_action')
        return { status: 'pending', channelRef: refund.id };
      return {
        status: 'failed',
        channelRef: refund.id,
        failure: {
          code: 'refund_failed',
          message: `Stripe could not refund: ${refund.failure_reason ?? refund.status}`,
        },
      };
    } catch (error) {
      if (!(error instanceof StripeApiError) || error.httpStatus >= 500) throw error;
      return {
        status: 'failed',
        channelRef: '',
        failure: {
          code: 'refund_failed',
          message: `Stripe refused the refund: ${error.error.message ?? error.error.type}`,
        },
      };
    }
  },

  async capture(ctx, trade, amount) {
    const call = stripeCall(ctx);
    const intentId = await intentIdOf(call, trade);
    try {
      const intent = await stripeRequest<unknown>(
        call,
        'POST',
        `/v1/payment_intents/${intentId}/capture`,
        { amount_to_capture: toStripeAmount(amount, trade.currency) },
        // Keyed by the amount too: a capture retried after a refusal may ask for another amount, which
        // Stripe would refuse under a key it saw with other parameters.
        `till_${trade.attemptId}_capture_${amount}`,
      );
      if (isPaymentIntent(intent) && intent.status === 'succeeded')
        return intentOutcome(intent) ?? { status: 'succeeded' };
    } catch (error) {
      if (!(error instanceof StripeApiError) || error.httpStatus >= 500) throw error;
    }
    return {
      status: 'failed',
      failure: { code: 'capture_failed', message: 'The authorization could not be captured.' },
    };
  },

  async cancel(ctx, trade) {
    const call = stripeCall(ctx);
    const intent = trade.channelRef ? { id: trade.channelRef } : await findIntent(call, trade);
    if (!intent) return;
    try {
      await stripeRequest(
        call,
        'POST',
        `/v1/payment_intents/${intent.id}/cancel`,
        {},
        `till_${trade.attemptId}_cancel`,
      );
    } catch (error) {
      // Already final (canceled, or succeeded: reconciliation refunds what was taken after all).
      if (error instanceof StripeApiError && error.error.code === 'payment_intent_unexpected_state') return;
      throw error;
    }
  },
};
