/**
 * Authorising a card with Adyen (`POST /v71/payments`, raw card data: Till is the PCI boundary) and
 * finishing a 3-D Secure redirect (`POST /v71/payments/details`). The number, expiry and CVC go to
 * Adyen only in the request's body (never logged), under an Idempotency-Key made from the attempt,
 * so a retry of a lost answer (the router's "did it run?") replays the first answer instead of
 * charging again.
 */
import type { CardDeclineCode } from '../../../shared/card-declines.ts';
import { sha256Hex } from '../../../shared/encoding.ts';
import { TillError } from '../../../shared/errors.ts';
import { declineFailure } from '../card/decline-failure.ts';
import { returnRoute } from '../card/return-route.ts';
import type { ChannelOutcome, StartRequest, StartResult, TradeRef } from '../types.ts';
import { fromAdyenAmount, toAdyenAmount } from './amounts.ts';
import { AdyenApiError, type AdyenCall, adyenRequest, refusedAccount } from './api.ts';
import { paymentReference, readReference } from './references.ts';
import { type AdyenPaymentAnswer, paymentOutcome } from './results.ts';

const failed = (raw: string, channelRef = ''): StartResult => ({
  channelRef,
  outcome: { status: 'failed', failure: declineFailure('processing_error', raw) },
});

/** Adyen's validation codes (422) for a card detail the shopper can retype (development-resources/error-codes). */
const CARD_FIELD_ERRORS: Record<string, CardDeclineCode> = {
  '101': 'incorrect_number',
  '103': 'incorrect_cvc',
  '129': 'expired_card',
  '141': 'expired_card',
};

const isAnswer = (value: unknown): value is AdyenPaymentAnswer => typeof value === 'object' && value !== null;

export async function startPayment(call: AdyenCall, origin: string, request: StartRequest): Promise<StartResult> {
  const { card } = request;
  if (!card) throw new TillError('invalid_parameter', 'A card payment needs the card', 'card');
  const instrument = { brand: card.brand, last4: card.number.slice(-4) };
  const manualCapture = request.captureMethod === 'manual';
  const body = {
    reference: paymentReference(request.orderId, request.attemptId, manualCapture),
    amount: { value: toAdyenAmount(request.amount, request.currency), currency: request.currency },
    paymentMethod: {
      type: 'scheme',
      number: card.number,
      expiryMonth: String(card.expMonth).padStart(2, '0'),
      expiryYear: String(card.expYear),
      cvc: card.cvc,
      ...(card.name ? { holderName: card.name } : {}),
    },
    returnUrl: returnRoute(origin, request),
    // The issuer's page is opened by a link, and the shopper comes back by one: Till's return route is a GET.
    redirectToIssuerMethod: 'GET',
    redirectFromIssuerMethod: 'GET',
    // Per payment, whatever the merchant account's capture delay is (docs.adyen.com/online-payments/capture).
    ...(manualCapture ? { additionalData: { manualCapture: 'true' } } : {}),
    shopperInteraction: 'Ecommerce',
    channel: 'Web',
    ...(request.shopper.ip ? { shopperIP: request.shopper.ip } : {}),
    metadata: { till_order: request.orderId, till_attempt: request.attemptId, till_merchant: request.merchantId },
  };
  let answer: unknown;
  try {
    answer = await adyenRequest<unknown>(call, '/payments', body, `till_${request.attemptId}_payment`);
  } catch (error) {
    const account = refusedAccount(error);
    if (account) throw account;
    if (!(error instanceof AdyenApiError)) throw error;
    // A request Adyen will never take (a 422 on a field): this try fails; Adyen's code says which.
    console.warn('adyen refused the payment request', {
      attempt: request.attemptId,
      status: error.httpStatus,
      code: error.error.errorCode,
    });
    const raw = `${error.httpStatus}/${error.error.errorCode ?? 'unknown'}`;
    const cardCode = CARD_FIELD_ERRORS[error.error.errorCode ?? ''];
    const failure = declineFailure(cardCode ?? 'processing_error', raw);
    return { channelRef: '', instrument, outcome: { status: 'failed', failure } };
  }
  if (!isAnswer(answer) || typeof answer.pspReference !== 'string') return failed('unexpected_answer');
  const amount = answer.amount;
  if (
    amount !== undefined &&
    (amount.currency !== request.currency ||
      typeof amount.value !== 'number' ||
      fromAdyenAmount(amount.value, request.currency) !== request.amount)
  ) {
    // Not the payment Till asked for: never taken as this attempt's.
    return failed('amount_mismatch', answer.pspReference);
  }
  return { channelRef: answer.pspReference, instrument, outcome: paymentOutcome(answer, manualCapture) };
}

/**
 * The shopper is back from the issuer with Adyen's `redirectResult`: Adyen redeems it and says how
 * the payment ended. A redirectResult Adyen refuses (forged, already redeemed, another account's),
 * or one of another payment, is no news.
 */
export async function finishRedirect(
  call: AdyenCall,
  trade: TradeRef,
  redirectResult: string,
): Promise<ChannelOutcome | null> {
  let answer: unknown;
  try {
    answer = await adyenRequest<unknown>(
      call,
      '/payments/details',
      { details: { redirectResult } },
      // One key per redirectResult (Adyen takes keys up to 64 characters): a forged one never blocks the real one.
      `till_${trade.attemptId}_${(await sha256Hex(redirectResult)).slice(0, 24)}`,
    );
  } catch (error) {
    const account = refusedAccount(error);
    if (account) throw account;
    if (error instanceof AdyenApiError && error.httpStatus < 500) return null;
    throw error;
  }
  if (!isAnswer(answer)) return null;
  const reference = readReference(answer.merchantReference);
  const ours = trade.channelRef ? answer.pspReference === trade.channelRef : reference?.attemptId === trade.attemptId;
  if (!ours || !reference || reference.attemptId !== trade.attemptId) return null;
  return paymentOutcome(answer, reference.manualCapture);
}
