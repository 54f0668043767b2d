/**
 * Stripe's PaymentIntent, as far as Till reads it, and what its status means for an attempt. The
 * outcome is always read from an intent Till fetched or was answered itself, never from a redirect's
 * query string.
 */

import { isCurrency } from '../../../shared/money.ts';
import { declineFailure } from '../card/decline-failure.ts';
import type { ChannelOutcome } from '../types.ts';
import { fromStripeAmount } from './amounts.ts';
import { stripeFailure } from './declines.ts';

export interface PaymentIntent {
  id: string;
  object: 'payment_intent';
  status:
    | 'requires_payment_method'
    | 'requires_confirmation'
    | 'requires_action'
    | 'processing'
    | 'requires_capture'
    | 'succeeded'
    | 'canceled';
  amount: number;
  amount_capturable?: number;
  amount_received?: number;
  currency: string;
  metadata?: Record<string, string>;
  last_payment_error?: { code?: string; decline_code?: string; message?: string } | null;
  next_action?: { type: string; redirect_to_url?: { url?: string | null } | null } | null;
  latest_charge?: string | { id: string } | null;
}

const STATUSES = new Set<string>([
  'requires_payment_method',
  'requires_confirmation',
  'requires_action',
  'processing',
  'requires_capture',
  'succeeded',
  'canceled',
]);

/** An answer that is no PaymentIntent Till can read fails the try (processing_error), never pays. */
export function isPaymentIntent(value: unknown): value is PaymentIntent {
  const intent = value as Partial<PaymentIntent> | null;
  return (
    typeof intent === 'object' &&
    intent !== null &&
    intent.object === 'payment_intent' &&
    typeof intent.id === 'string' &&
    /^pi_[0-9A-Za-z_]+$/.test(intent.id) &&
    typeof intent.status === 'string' &&
    STATUSES.has(intent.status) &&
    Number.isInteger(intent.amount) &&
    typeof intent.currency === 'string'
  );
}

/** What the intent says about the attempt now; null while it waits for nothing Till can see. */
export function intentOutcome(intent: PaymentIntent): ChannelOutcome | null {
  switch (intent.status) {
    case 'succeeded':
      return takenBy(intent);
    case 'requires_capture':
      return { status: 'authorized' };
    case 'processing':
      return { status: 'processing' };
    case 'canceled':
      return { status: 'canceled' };
    case 'requires_action': {
      const url = intent.next_action?.redirect_to_url?.url;
      if (intent.next_action?.type === 'redirect_to_url' && url) {
        return { status: 'requires_action', nextAction: { type: 'three_ds', url } };
      }
      // An action Till cannot show (use_stripe_sdk needs Stripe.js): the shopper cannot finish it.
      return {
        status: 'failed',
        failure: declineFailure('authentication_required', `requires_action/${intent.next_action?.type ?? 'none'}`),
      };
    }
    case 'requires_payment_method': {
      const error = intent.last_payment_error;
      if (!error) return null;
      return {
        status: 'failed',
        failure: stripeFailure(error) ?? declineFailure('processing_error', error.code ?? 'unknown'),
      };
    }
    case 'requires_confirmation':
      return null;
  }
}

/** A succeeded intent, with what it took when Stripe says (less than its amount after a partial capture). */
function takenBy(intent: PaymentIntent): ChannelOutcome {
  const currency = intent.currency.toUpperCase();
  const received = intent.amount_received;
  if (!isCurrency(currency) || received === undefined || !Number.isInteger(received)) return { status: 'succeeded' };
  const amount = fromStripeAmount(received, currency);
  return amount === null ? { status: 'succeeded' } : { status: 'succeeded', amount };
}
