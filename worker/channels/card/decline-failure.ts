/**
 * A card decline in Till's words (shared/card-declines.ts), whichever processor declined: the code,
 * an English message for the API (the widget shows its own words for each code), and the
 * processor's raw code kept for the merchant.
 */
import type { CardDeclineCode } from '../../../shared/card-declines.ts';
import type { Failure } from '../../../shared/schemas.ts';

const MESSAGES: Record<CardDeclineCode, string> = {
  card_declined: 'Your card was declined.',
  insufficient_funds: 'Your card has insufficient funds.',
  expired_card: 'Your card has expired.',
  incorrect_cvc: "Your card's security code is incorrect.",
  incorrect_number: 'Your card number is incorrect.',
  processing_error: 'An error occurred while processing your card. Try again in a moment.',
  authentication_required: 'Your bank could not verify this payment.',
  do_not_honor: 'Your card was declined.',
  // Never tell whoever holds the card that it is flagged.
  fraudulent: 'Your card was declined.',
  lost_card: 'Your card was declined.',
  stolen_card: 'Your card was declined.',
  card_not_supported: 'Your card cannot be used for this payment.',
  currency_not_supported: 'Your card cannot be used for this payment.',
  try_again_later: 'Your card could not be processed. Try again in a moment.',
  card_velocity_exceeded: 'Your card has reached its spending limit.',
  invalid_amount: 'Your card cannot be used for this payment.',
};

/** The English words of a decline, as every processor's failure (and the sandbox's) carries them. */
export const declineMessage = (code: CardDeclineCode): string => MESSAGES[code];

export const declineFailure = (code: CardDeclineCode, processorCode: string): Failure => ({
  code,
  message: declineMessage(code),
  processor_code: processorCode,
});
