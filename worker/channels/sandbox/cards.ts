/**
 * Test cards of the sandbox channel, after the numbers shoppers and developers already know
 * from Stripe's test mode.
 */
import { brandRule } from '../../../shared/card-brand.ts';
import type { CardDeclineCode } from '../../../shared/card-declines.ts';
import { hasExpired } from '../../../shared/card-schema.ts';
import type { Failure } from '../../../shared/schemas.ts';
import { nowMs } from '../../base/clock.ts';
import { declineMessage } from '../card/decline-failure.ts';

export type CardBehaviour = { kind: 'succeed' } | { kind: 'challenge' } | { kind: 'decline'; failure: Failure };

const DECLINES: Record<string, CardDeclineCode> = {
  '4000000000000002': 'card_declined',
  '4000000000009995': 'insufficient_funds',
  '4000000000000069': 'expired_card',
  '4000000000000127': 'incorrect_cvc',
  '4000000000000119': 'processing_error',
  '4000000000009987': 'lost_card',
  '4000000000009979': 'stolen_card',
  '4100000000000019': 'fraudulent',
};

const declined = (code: CardDeclineCode): CardBehaviour => ({
  kind: 'decline',
  failure: { code, message: declineMessage(code) },
});

const CHALLENGE_CARDS = new Set(['4000000000003220', '4000002760003184']);

/** The brand channels report, lower case, as the card form detects it. */
export const cardBrand = (digits: string): string => brandRule(digits).brand ?? 'unknown';

export function behaviourOf(number: string, expMonth: number, expYear: number, now = new Date(nowMs())): CardBehaviour {
  if (hasExpired(expMonth, expYear, now)) return declined('expired_card');
  const decline = DECLINES[number];
  if (decline) return declined(decline);
  if (CHALLENGE_CARDS.has(number)) return { kind: 'challenge' };
  return { kind: 'succeed' };
}
