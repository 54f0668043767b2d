/**
 * Stripe's decline and error codes in Till's words (shared/card-declines.ts), the raw code kept for
 * the merchant. `decline_code` is the issuer's reason inside a `card_declined`; `code` alone names
 * what Stripe itself refused (a past expiry, a wrong CVC, a failed 3-D Secure).
 */
import type { CardDeclineCode } from '../../../shared/card-declines.ts';
import type { Failure } from '../../../shared/schemas.ts';
import { declineFailure } from '../card/decline-failure.ts';
import type { StripeErrorBody } from './api.ts';

const BY_DECLINE_CODE: Record<string, CardDeclineCode> = {
  generic_decline: 'card_declined',
  insufficient_funds: 'insufficient_funds',
  lost_card: 'lost_card',
  stolen_card: 'stolen_card',
  fraudulent: 'fraudulent',
  merchant_blacklist: 'fraudulent',
  do_not_honor: 'do_not_honor',
  expired_card: 'expired_card',
  incorrect_cvc: 'incorrect_cvc',
  invalid_cvc: 'incorrect_cvc',
  incorrect_number: 'incorrect_number',
  invalid_number: 'incorrect_number',
  processing_error: 'processing_error',
  issuer_not_available: 'try_again_later',
  try_again_later: 'try_again_later',
  reenter_transaction: 'try_again_later',
  card_not_supported: 'card_not_supported',
  transaction_not_allowed: 'card_not_supported',
  currency_not_supported: 'currency_not_supported',
  card_velocity_exceeded: 'card_velocity_exceeded',
  withdrawal_count_limit_exceeded: 'card_velocity_exceeded',
  invalid_amount: 'invalid_amount',
  authentication_required: 'authentication_required',
};

const BY_CODE: Record<string, CardDeclineCode> = {
  expired_card: 'expired_card',
  invalid_expiry_month: 'expired_card',
  invalid_expiry_year: 'expired_card',
  incorrect_cvc: 'incorrect_cvc',
  invalid_cvc: 'incorrect_cvc',
  incorrect_number: 'incorrect_number',
  invalid_number: 'incorrect_number',
  processing_error: 'processing_error',
  authentication_required: 'authentication_required',
  payment_intent_authentication_failure: 'authentication_required',
  amount_too_small: 'invalid_amount',
  amount_too_large: 'invalid_amount',
  card_decline_rate_limit_exceeded: 'card_velocity_exceeded',
};

/**
 * A card's failure as Stripe reported it (`last_payment_error` or a 402's `error`), or null when it
 * is no card's fault.
 */
export function stripeFailure(error: Pick<StripeErrorBody, 'code' | 'decline_code'>): Failure | null {
  const raw = [error.code, error.decline_code].filter(Boolean).join('/');
  if (error.code === 'card_declined') {
    return declineFailure(BY_DECLINE_CODE[error.decline_code ?? ''] ?? 'card_declined', raw);
  }
  const known = BY_CODE[error.code ?? ''] ?? BY_DECLINE_CODE[error.decline_code ?? ''];
  return known ? declineFailure(known, raw) : null;
}
