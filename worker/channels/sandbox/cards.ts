/**
 * Test cards of the sandbox channel, after the numbers shoppers and developers already know
 * from Stripe's test mode.
 */
import { brandRule } from '../../../shared/card-brand.ts';
import type { Failure } from '../../../shared/schemas.ts';
import { nowMs } from '../../base/clock.ts';

export type CardBehaviour = { kind: 'succeed' } | { kind: 'challenge' } | { kind: 'decline'; failure: Failure };

const DECLINES: Record<string, Failure> = {
  '4000000000000002': { code: 'card_declined', message: 'Your card was declined.' },
  '4000000000009995': { code: 'insufficient_funds', message: 'Your card has insufficient funds.' },
  '4000000000000069': { code: 'expired_card', message: 'Your card has expired.' },
  '4000000000000127': { code: 'incorrect_cvc', message: "Your card's security code is incorrect." },
  '4000000000000119': {
    code: 'processing_error',
    message: 'An error occurred while processing your card. Try again in a moment.',
  },
  '4000000000009987': { code: 'lost_card', message: 'Your card was declined.' },
  '4000000000009979': { code: 'stolen_card', message: 'Your card was declined.' },
  '4100000000000019': { code: 'fraudulent', message: 'Your card was declined.' },
};

const CHALLENGE_CARDS = new Set(['4000000000003220', '4000002760003184']);

/** The brand channels report, lower case, as the card form detects it. */
export const cardBrand = (digits: string): string => brandRule(digits).brand ?? 'unknown';

export function behaviourOf(number: string, expMonth: number, expYear: number, now = new Date(nowMs())): CardBehaviour {
  const expired =
    expYear < now.getUTCFullYear() || (expYear === now.getUTCFullYear() && expMonth < now.getUTCMonth() + 1);
  if (expired) return { kind: 'decline', failure: { code: 'expired_card', message: 'Your card has expired.' } };
  const decline = DECLINES[number];
  if (decline) return { kind: 'decline', failure: decline };
  if (CHALLENGE_CARDS.has(number)) return { kind: 'challenge' };
  return { kind: 'succeed' };
}
