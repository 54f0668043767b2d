/**
 * Card field formatting and validation, pure functions so they are easy to reason about. The
 * worker and the processor validate again; these checks only spare the shopper a round trip.
 */
import { brandRule, type CardBrand, digitGroups, maxLength, passesLuhn } from '../../shared/card-brand.ts';
import type { MessageKey } from './messages.ts';

/**
 * ASCII digits only. Arabic-Indic, Persian and full-width digits (an Arabic keyboard, a Chinese
 * or Japanese IME) count as the digits they are: their code points all end in 0–9 in hex.
 */
export const digitsOf = (text: string): string =>
  text
    .replace(/[\u0660-\u0669\u06f0-\u06f9\uff10-\uff19]/g, (digit) => String(digit.charCodeAt(0) & 15))
    .replace(/\D/g, '');

export function formatCardNumber(text: string): string {
  const allDigits = digitsOf(text);
  const digits = allDigits.slice(0, maxLength(brandRule(allDigits)));
  const parts: string[] = [];
  let start = 0;
  for (const size of digitGroups(digits)) {
    if (start >= digits.length) break;
    parts.push(digits.slice(start, start + size));
    start += size;
  }
  return parts.join(' ');
}

/** `MM / YY`; a lone first digit above 1 can only be a month, so it becomes `0n`. */
export function formatExpiry(text: string): string {
  let digits = digitsOf(text);
  if (/^[2-9]/.test(digits)) digits = `0${digits}`;
  // A pasted "12/2030" keeps the last two digits of the year.
  if (digits.length > 4 && digits.slice(2, 4) === '20') digits = digits.slice(0, 2) + digits.slice(4);
  digits = digits.slice(0, 4);
  return digits.length > 2 ? `${digits.slice(0, 2)} / ${digits.slice(2)}` : digits;
}

/** As many digits as the brand's code has; 4 while the brand is unknown, as it may be Amex. */
export function formatCvc(text: string, cardNumber: string): string {
  return digitsOf(text).slice(0, Math.max(...brandRule(digitsOf(cardNumber)).cvc));
}

/**
 * Where the caret belongs after reformatting: just after the same number of digits it followed
 * before, so editing in the middle of a number does not throw the caret to the end.
 */
export function caretAfterDigits(formatted: string, digitCount: number): number {
  if (digitCount <= 0) return 0;
  let seen = 0;
  for (let index = 0; index < formatted.length; index++) {
    if (/\d/.test(formatted.charAt(index)) && ++seen === digitCount) return index + 1;
  }
  return formatted.length;
}

export const cardBrandOf = (cardNumber: string): CardBrand | null => brandRule(digitsOf(cardNumber)).brand;

/**
 * A number of a length the brand issues is either right or mistyped (Luhn); a shorter one may
 * still be on its way to a longer length (a 16-digit Visa on its way to 19), so it is incomplete.
 */
export function cardNumberError(formatted: string): MessageKey | null {
  const digits = digitsOf(formatted);
  const rule = brandRule(digits);
  // Six digits name the issuer: a brand Till does not know is refused here, as the worker would.
  if (rule.brand === null && digits.length >= 6) return 'numberUnsupported';
  if (rule.lengths.includes(digits.length)) return !rule.luhn || passesLuhn(digits) ? null : 'numberInvalid';
  return digits.length < maxLength(rule) ? 'numberIncomplete' : 'numberInvalid';
}

export interface Expiry {
  month: number;
  /** Four digits. */
  year: number;
}

export function parseExpiry(formatted: string): Expiry | null {
  const digits = digitsOf(formatted);
  if (digits.length !== 4) return null;
  return { month: Number(digits.slice(0, 2)), year: 2000 + Number(digits.slice(2)) };
}

export function expiryError(formatted: string, now = new Date()): MessageKey | null {
  const expiry = parseExpiry(formatted);
  if (!expiry) return 'expiryIncomplete';
  if (expiry.month < 1 || expiry.month > 12) return 'expiryInvalid';
  // A card is valid through the last day of its expiry month.
  const thisMonth = now.getFullYear() * 12 + now.getMonth();
  return expiry.year * 12 + expiry.month - 1 < thisMonth ? 'expiryPast' : null;
}

export function cvcError(cvc: string, cardNumber: string): MessageKey | null {
  return brandRule(digitsOf(cardNumber)).cvc.includes(digitsOf(cvc).length) ? null : 'cvcIncomplete';
}

/** The worker takes 1 to 200 characters once trimmed; the input's maxlength keeps to 200. */
export const NAME_MAX_LENGTH = 200;

export const nameError = (name: string): MessageKey | null => (name.trim() ? null : 'nameMissing');

/**
 * What the host hears about the card form (the `change` event): never a digit, a date, a code
 * or a name, only whether it is ready and what, if anything, is wrong.
 */
export interface CardFormState {
  complete: boolean;
  empty: boolean;
  brand: CardBrand | null;
  /** The first error the shopper can see: its message key and its translated text. */
  error: { code: MessageKey; message: string } | null;
}
