/**
 * Stripe's documented test cards (docs.stripe.com/testing) and the checks Stripe makes on raw card
 * data before any charge: the Luhn digit and the expiry. The fake keeps a card's behaviour and its
 * displayable details only; the number and CVC are dropped as soon as they are read.
 */

/** What a card does when charged; `three_ds` cards ask for authentication first, then succeed. */
export type CardBehaviour =
  | { kind: 'succeeds' }
  | { kind: 'three_ds' }
  | { kind: 'declines'; code: string; declineCode?: string; message: string; param?: string };

export interface CardDetails {
  brand: string;
  last4: string;
  exp_month: number;
  exp_year: number;
  funding: 'credit' | 'debit' | 'prepaid' | 'unknown';
  country: string;
  fingerprint: string;
}

const DECLINED = 'Your card was declined.';

const decline = (declineCode: string, message = DECLINED): CardBehaviour => ({
  kind: 'declines',
  code: 'card_declined',
  declineCode,
  message,
});

/** Stripe's table of declines: lost, stolen and fraudulent cards get the generic message, as on Stripe. */
const TEST_CARDS: Record<string, CardBehaviour> = {
  '4242424242424242': { kind: 'succeeds' },
  '5555555555554444': { kind: 'succeeds' },
  '4000002760003184': { kind: 'three_ds' },
  '4000000000003220': { kind: 'three_ds' },
  '4000000000000002': decline('generic_decline'),
  '4000000000009995': decline('insufficient_funds', 'Your card has insufficient funds.'),
  '4000000000009987': decline('lost_card'),
  '4000000000009979': decline('stolen_card'),
  '4100000000000019': decline('fraudulent'),
  '4000000000000069': { kind: 'declines', code: 'expired_card', message: 'Your card has expired.' },
  '4000000000000127': {
    kind: 'declines',
    code: 'incorrect_cvc',
    message: "Your card's security code is incorrect.",
    param: 'cvc',
  },
  '4000000000000119': {
    kind: 'declines',
    code: 'processing_error',
    message: 'An error occurred while processing your card. Try again in a little bit.',
  },
};

/** Raw card data as read from `payment_method_data`; it lives for one request and is never stored. */
export interface RawCard {
  number: string;
  expMonth: number;
  expYear: number;
  cvc: string | undefined;
  name: string | null;
}

/** A check that fails before any charge exists (Stripe answers these as card errors too). */
export interface CardProblem {
  code: string;
  message: string;
  param: string;
}

export function luhnValid(digits: string): boolean {
  let sum = 0;
  for (let i = 0; i < digits.length; i++) {
    let digit = Number(digits[digits.length - 1 - i]);
    if (i % 2 === 1) {
      digit *= 2;
      if (digit > 9) digit -= 9;
    }
    sum += digit;
  }
  return sum % 10 === 0;
}

function brandOf(number: string): string {
  if (number.startsWith('4')) return 'visa';
  if (/^(5[1-5]|2[2-7])/.test(number)) return 'mastercard';
  if (/^3[47]/.test(number)) return 'amex';
  if (/^(6011|65)/.test(number)) return 'discover';
  if (/^35/.test(number)) return 'jcb';
  return 'unknown';
}

/** Checks the number, expiry and CVC against `now` (unix seconds, the fake's clock) as Stripe does. */
export function checkCard(card: RawCard, now: number): CardProblem | null {
  const { number, expMonth, expYear, cvc } = card;
  if (!/^\d{12,19}$/.test(number) || !luhnValid(number))
    return { code: 'incorrect_number', message: 'Your card number is incorrect.', param: 'number' };
  if (expMonth < 1 || expMonth > 12)
    return { code: 'invalid_expiry_month', message: "Your card's expiration month is invalid.", param: 'exp_month' };
  const today = new Date(now * 1000);
  const [year, month] = [today.getUTCFullYear(), today.getUTCMonth() + 1];
  if (expYear < year || expYear > year + 50)
    return { code: 'invalid_expiry_year', message: "Your card's expiration year is invalid.", param: 'exp_year' };
  if (expYear === year && expMonth < month)
    return { code: 'invalid_expiry_month', message: "Your card's expiration month is invalid.", param: 'exp_month' };
  if (cvc !== undefined && !/^\d{3,4}$/.test(cvc))
    return { code: 'invalid_cvc', message: "Your card's security code is invalid.", param: 'cvc' };
  return null;
}

/** Any other valid number succeeds, as on Stripe's test mode for its published brand cards. */
export const behaviourOf = (number: string): CardBehaviour => TEST_CARDS[number] ?? { kind: 'succeeds' };

export function detailsOf(number: string, expMonth: number, expYear: number, fingerprint: string): CardDetails {
  return {
    brand: brandOf(number),
    last4: number.slice(-4),
    exp_month: expMonth,
    exp_year: expYear,
    funding: 'credit',
    country: 'US',
    fingerprint,
  };
}
