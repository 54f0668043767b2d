/**
 * Card brands from the leading digits (the issuer identification number), shared by the card
 * form and the sandbox processor so both judge a number alike. A hand-written table rather than
 * a dependency, to keep the widget's card chunk small; prefixes, lengths and code lengths
 * follow the card schemes' published ranges as Braintree's credit-card-type lists them.
 */
import type { CardBrand } from './card-brand-names.ts';

export { BRAND_NAMES, type CardBrand } from './card-brand-names.ts';

export interface BrandRule {
  brand: CardBrand | null;
  /** Valid numbers of digits. */
  lengths: readonly number[];
  /** Valid security-code lengths. */
  cvc: readonly number[];
  /** Whether the last digit is a Luhn check digit. */
  luhn: boolean;
}

const rule = (brand: CardBrand, lengths: number[], cvc = 3, luhn = true): BrandRule & { brand: CardBrand } => ({
  brand,
  lengths,
  cvc: [cvc],
  luhn,
});

/** Checked in order; no two prefixes overlap. */
const BRANDS: readonly [RegExp, BrandRule & { brand: CardBrand }][] = [
  [/^4/, rule('visa', [16, 18, 19])],
  [/^(5[1-5]|222[1-9]|22[3-9]|2[3-6]|27[01]|2720)/, rule('mastercard', [16])],
  [/^3[47]/, rule('amex', [15], 4)],
  [/^(6011|64[4-9]|65)/, rule('discover', [16, 19])],
  [/^35(2[89]|[3-8])/, rule('jcb', [16, 17, 18, 19])],
  [/^(36|30[0-5]|3[89])/, rule('diners', [14, 16, 19])],
  // UnionPay issues numbers without a Luhn check digit: Braintree's card-validator skips the
  // check for UnionPay unless told otherwise, and so does creditcards-types. Refusing them here
  // would turn away real cards; the processor still has the final word.
  [/^62/, rule('unionpay', [14, 15, 16, 17, 18, 19], 3, false)],
];

/**
 * A number whose brand is not known yet (or that we do not know): any length ISO/IEC 7812
 * allows, Luhn-checked, and a 3- or 4-digit code until the brand tells which.
 */
const UNKNOWN: BrandRule = { brand: null, lengths: [12, 13, 14, 15, 16, 17, 18, 19], cvc: [3, 4], luhn: true };

/** The rule for a number's digits; `brand` is null while the prefix is too short to tell. */
export const brandRule = (digits: string): BrandRule => BRANDS.find(([prefix]) => prefix.test(digits))?.[1] ?? UNKNOWN;

export const maxLength = (rule: BrandRule): number => Math.max(...rule.lengths);

/**
 * How the number is split into groups as printed on the card: Amex 4-6-5, 14-digit Diners
 * 4-6-4, everything else 4-4-4-4-3.
 */
export function digitGroups(digits: string): readonly number[] {
  const { brand } = brandRule(digits);
  if (brand === 'amex') return [4, 6, 5];
  return brand === 'diners' && digits.length <= 14 ? [4, 6, 4] : [4, 4, 4, 4, 3];
}

export function passesLuhn(digits: string): boolean {
  let sum = 0;
  for (let index = 0; index < digits.length; index++) {
    const digit = Number(digits[digits.length - 1 - index]);
    // Every second digit from the right is doubled, and a two-digit result counts as its digit sum.
    const doubled = index % 2 === 1 ? digit * 2 : digit;
    sum += doubled > 9 ? doubled - 9 : doubled;
  }
  return digits.length > 0 && sum % 10 === 0;
}

/** A whole number its brand could have issued: a length the brand uses and, where it has one, the check digit. */
export function isCardNumber(digits: string): boolean {
  const rule = brandRule(digits);
  return /^\d+$/.test(digits) && rule.lengths.includes(digits.length) && (!rule.luhn || passesLuhn(digits));
}
