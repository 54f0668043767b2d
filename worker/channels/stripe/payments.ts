/**
 * Creating and confirming a PaymentIntent in one call with the attempt's card: the number, expiry
 * and CVC go to Stripe only in this request's body (never logged), under an Idempotency-Key made
 * from the attempt, so a retry of a lost answer (the router's "did it run?") replays the first
 * answer instead of charging again.
 */
import { TillError } from '../../../shared/errors.ts';
import { declineFailure } from '../card/decline-failure.ts';
import { returnRoute } from '../card/return-route.ts';
import type { StartRequest, StartResult } from '../types.ts';
import { fromStripeAmount, toStripeAmount } from './amounts.ts';
import { StripeApiError, type StripeCall, stripeRequest } from './api.ts';
import { stripeFailure } from './declines.ts';
import { intentOutcome, isPaymentIntent } from './intents.ts';

/** The key of an attempt's create call: the same for every try of it, so Stripe runs it once. */
export const createKey = (attemptId: string): string => `till_${attemptId}_create`;

const failed = (code: Parameters<typeof declineFailure>[0], raw: string, channelRef = ''): StartResult => ({
  channelRef,
  outcome: { status: 'failed', failure: declineFailure(code, raw) },
});

export async function startPayment(call: StripeCall, origin: string, request: StartRequest): Promise<StartResult> {
  const { card } = request;
  if (!card) throw new TillError('invalid_parameter', 'A card payment needs the card', 'card');
  const instrument = { brand: card.brand, last4: card.number.slice(-4) };
  const params = {
    amount: toStripeAmount(request.amount, request.currency),
    currency: request.currency.toLowerCase(),
    confirm: true,
    capture_method: request.captureMethod === 'manual' ? 'manual' : 'automatic',
    payment_method_types: ['card'],
    payment_method_data: {
      type: 'card',
      card: { number: card.number, exp_month: card.expMonth, exp_year: card.expYear, cvc: card.cvc },
      ...(card.name ? { billing_details: { name: card.name } } : {}),
    },
    return_url: returnRoute(origin, request),
    description: request.description.slice(0, 1000),
    metadata: { till_order: request.orderId, till_attempt: request.attemptId, till_merchant: request.merchantId },
  };
  let answer: unknown;
  try {
    answer = await stripeRequest<unknown>(call, 'POST', '/v1/payment_intents', params, createKey(request.attemptId));
  } catch (error) {
    if (!(error instanceof StripeApiError)) throw error;
    if (error.httpStatus === 401 || error.httpStatus === 403) {
      throw new TillError('channel_not_available', `Stripe refused the merchant's key (${error.httpStatus})`);
    }
    // A decline (402, the intent embedded) or a card Stripe refused outright (400): the card's answer.
    const intent = isPaymentIntent(error.error.payment_intent) ? error.error.payment_intent : null;
    const failure = stripeFailure(error.error);
    const raw = [error.error.code, error.error.decline_code].filter(Boolean).join('/') || error.error.type;
    if (failure) return { channelRef: intent?.id ?? '', instrument, outcome: { status: 'failed', failure } };
    console.warn('stripe refused the payment request', {
      attempt: request.attemptId,
      code: raw,
      param: error.error.param,
    });
    return { ...failed('processing_error', raw, intent?.id), instrument };
  }
  if (!isPaymentIntent(answer)) return failed('processing_error', 'unexpected_answer');
  const amount = fromStripeAmount(answer.amount, request.currency);
  if (amount !== request.amount || answer.currency.toUpperCase() !== request.currency) {
    // Not the payment Till asked for: never taken as this attempt's.
    return failed('processing_error', 'amount_mismatch', answer.id);
  }
  return { channelRef: answer.id, instrument, outcome: intentOutcome(answer) ?? { status: 'processing' } };
}
