/**
 * Till's minor units in Stripe's. Stripe takes amounts in the ISO minor unit except where it keeps
 * an older convention (its "special cases"): ISK stays two-decimal in the API (100 = 1 króna), and
 * three-decimal currencies must end in 0. UGX, whose treatment Stripe has changed over time, is not
 * offered rather than risked.
 */
import type { Currency } from '../../../shared/money.ts';

const TWO_DECIMAL_IN_STRIPE: ReadonlySet<Currency> = new Set(['ISK']);
const LAST_DIGIT_ZERO: ReadonlySet<Currency> = new Set(['BHD', 'JOD', 'KWD', 'OMR', 'TND']);
const NOT_OFFERED: ReadonlySet<Currency> = new Set(['UGX']);

/** Whether Stripe can charge exactly this amount in this currency. */
export const stripeTakes = (amount: number, currency: Currency): boolean =>
  !NOT_OFFERED.has(currency) && (!LAST_DIGIT_ZERO.has(currency) || amount % 10 === 0);

export const toStripeAmount = (amount: number, currency: Currency): number =>
  TWO_DECIMAL_IN_STRIPE.has(currency) ? amount * 100 : amount;

/** Null when Stripe's amount is no whole number of Till's minor units (it cannot be Till's). */
export function fromStripeAmount(amount: number, currency: Currency): number | null {
  if (!TWO_DECIMAL_IN_STRIPE.has(currency)) return amount;
  return amount % 100 === 0 ? amount / 100 : null;
}
