/**
 * Test cards of the sandbox channel, after the numbers shoppers and developers already know
 * from Stripe's test mode.
 */
import type { Failure } from '../../../shared/schemas.ts';

export type CardBehaviour = { kind: 'succeed' } | { kind: 'challenge' } | { kind: 'decline'; failure: Failure };

const DECLINES: Record<string, Failure> = {
  '4000000000000002': { code: 'card_declined', message: 'Your card was declined.' },
  '4000000000009995': { code: 'insufficient_funds', message: 'Your card has insufficient funds.' },
  '4000000000000069': { code: 'expired_card', message: 'Your card has expired.' },
  '4000000000000127': { code: 'incorrect_cvc', message: "Your card's security code is incorrect." },
};

const CHALLENGE_CARDS = new Set(['4000000000003220', '4000002760003184']);

export function luhnValid(digits: string): boolean {
  let sum = 0;
  for (let i = 0; i < digits.length; i++) {
    let digit = digits.charCodeAt(digits.length - 1 - i) - 48;
    if (i % 2 === 1) {
      digit *= 2;
      if (digit > 9) digit -= 9;
    }
    sum += digit;
  }
  return sum % 10 === 0;
}

export function cardBrand(digits: string): string {
  if (/^4/.test(digits)) return 'visa';
  if (/^(5[1-5]|2[2-7])/.test(digits)) return 'mastercard';
  if (/^3[47]/.test(digits)) return 'amex';
  if (/^62/.test(digits)) return 'unionpay';
  if (/^35/.test(digits)) return 'jcb';
  return 'unknown';
}

export function behaviourOf(number: string, expMonth: number, expYear: number, now = new Date()): CardBehaviour {
  const expired = expYear < now.getUTCFullYear() || (expYear === now.getUTCFullYear() && expMonth < now.getUTCMonth() + 1);
  if (expired) return { kind: 'decline', failure: { code: 'expired_card', message: 'Your card has expired.' } };
  const decline = DECLINES[number];
  if (decline) return { kind: 'decline', failure: decline };
  if (CHALLENGE_CARDS.has(number)) return { kind: 'challenge' };
  return { kind: 'succeed' };
}
