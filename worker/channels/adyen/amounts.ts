/**
 * Till's minor units in Adyen's. Adyen follows ISO 4217 except for a few currencies whose decimals
 * it counts its own way (docs.adyen.com/development-resources/currency-codes): CLP and ISK take
 * two decimals at Adyen (zero in ISO), IDR none (two in ISO). An IDR amount with cents cannot be
 * charged exactly, so it is not offered.
 */
import type { Currency } from '../../../shared/money.ts';

const TWO_DECIMALS_AT_ADYEN: ReadonlySet<Currency> = new Set(['CLP', 'ISK']);
const NO_DECIMALS_AT_ADYEN: ReadonlySet<Currency> = new Set(['IDR']);

/** Whether Adyen can charge exactly this amount in this currency. */
export const adyenTakes = (amount: number, currency: Currency): boolean =>
  !NO_DECIMALS_AT_ADYEN.has(currency) || amount % 100 === 0;

export function toAdyenAmount(amount: number, currency: Currency): number {
  if (TWO_DECIMALS_AT_ADYEN.has(currency)) return amount * 100;
  return NO_DECIMALS_AT_ADYEN.has(currency) ? amount / 100 : amount;
}

/** Null when Adyen's amount is no whole number of Till's minor units (it cannot be Till's). */
export function fromAdyenAmount(value: number, currency: Currency): number | null {
  if (!Number.isSafeInteger(value)) return null;
  if (TWO_DECIMALS_AT_ADYEN.has(currency)) return value % 100 === 0 ? value / 100 : null;
  return NO_DECIMALS_AT_ADYEN.has(currency) ? value * 100 : value;
}
