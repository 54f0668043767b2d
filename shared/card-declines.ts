/**
 * The card failures Till names, whichever processor declined: each processor's own codes map to
 * these, so merchants, the router and the widget see one vocabulary.
 */
export const CARD_DECLINE_CODES = [
  'card_declined',
  'insufficient_funds',
  'expired_card',
  'incorrect_cvc',
  'incorrect_number',
  'processing_error',
  'authentication_required',
  'do_not_honor',
  'fraudulent',
  'lost_card',
  'stolen_card',
  'card_not_supported',
  'currency_not_supported',
  'try_again_later',
  'card_velocity_exceeded',
  'invalid_amount',
] as const;

export type CardDeclineCode = (typeof CARD_DECLINE_CODES)[number];

/** For merchants (the OpenAPI document and README); shoppers get the widget's own words. */
export const CARD_DECLINE_DESCRIPTIONS = {
  card_declined: 'The issuer declined the card without giving a reason.',
  insufficient_funds: 'The card has too little balance or credit for the amount.',
  expired_card: 'The card has expired.',
  incorrect_cvc: 'The security code (CVC) does not match the card.',
  incorrect_number: 'The card number is not a valid card at the issuer.',
  processing_error: 'The processor failed while handling the payment; trying again may succeed.',
  authentication_required: 'The issuer demanded 3-D Secure and it was not completed, or it failed.',
  do_not_honor: 'The issuer declined the card with "do not honor" (no reason given).',
  fraudulent: 'The processor or issuer suspects fraud; the shopper sees the generic decline.',
  lost_card: 'The card is reported lost; the shopper sees the generic decline.',
  stolen_card: 'The card is reported stolen; the shopper sees the generic decline.',
  card_not_supported: 'The card cannot be used for this kind of purchase.',
  currency_not_supported: 'The card cannot be charged in the order currency.',
  try_again_later: 'The issuer could not be reached; trying again later may succeed.',
  card_velocity_exceeded: 'The card has reached its spending or transaction-count limit.',
  invalid_amount: 'The amount is not allowed for this card (too large, or otherwise refused).',
} as const satisfies Record<CardDeclineCode, string>;

// Failures of the path, not of the card: another processor may well take the same card.
const ROUTER_RETRYABLE: ReadonlySet<CardDeclineCode> = new Set(['processing_error', 'try_again_later']);

/**
 * Failures the shopper can mend with the same card: retype a detail, finish 3-D Secure, or wait a
 * moment. The rest need another card or a call to the bank.
 */
const SHOPPER_RETRYABLE: ReadonlySet<CardDeclineCode> = new Set([
  'incorrect_cvc',
  'incorrect_number',
  'authentication_required',
  'processing_error',
  'try_again_later',
]);

/** Whether Till's router may send this payment to another processor after this failure (any code). */
export const retryableByRouter = (code: string): boolean => (ROUTER_RETRYABLE as ReadonlySet<string>).has(code);

/** Whether paying again with the same card can succeed. */
export const shopperMayRetry = (code: CardDeclineCode): boolean => SHOPPER_RETRYABLE.has(code);

// Whoever holds a flagged card must not learn that it is flagged (Stripe's advice for these codes).
const GENERIC_FOR_SHOPPER: ReadonlySet<string> = new Set(['fraudulent', 'lost_card', 'stolen_card']);

/** The code a shopper is told: the fraud codes become the generic decline. */
export const shopperDeclineCode = (code: string): string => (GENERIC_FOR_SHOPPER.has(code) ? 'card_declined' : code);
