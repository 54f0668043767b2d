/**
 * Card field formatting and validation, pure functions so they are easy to reason about. The
 * worker and the processor validate again; these checks only spare the shopper a round trip.
 */
import type { MessageKey } from './messages.ts';

export const digitsOf = (text: string): string => text.replace(/\D/g, '');

/** American Express numbers are 15 digits grouped 4-6-5 with a 4-digit code; others 4-4-4-4…. */
const isAmex = (digits: string): boolean => /^3[47]/.test(digits);

export function formatCardNumber(text: string): string {
  const allDigits = digitsOf(text);
  const digits = allDigits.slice(0, isAmex(allDigits) ? 15 : 19);
  const groups = isAmex(digits) ? [4, 6, 5] : [4, 4, 4, 4, 3];
  const parts: string[] = [];
  let start = 0;
  for (const size of groups) {
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

export function formatCvc(text: string, cardNumber: string): string {
  return digitsOf(text).slice(0, isAmex(digitsOf(cardNumber)) ? 4 : 3);
}

/**
 * Where the caret belongs after reformatting: just after the same number of digits it followed
 * before, so editing in the middle of a number does not throw the caret to the end.
 */
export function caretAfterDigits(formatted: string, digitCount: number): number {
  if (digitCount <= 0) return 0;
  let seen = 0;
  for (let index = 0; index < formatted.length; index++) {
    if (/\d/.test(formatted[index]!) && ++seen === digitCount) return index + 1;
  }
  return formatted.length;
}

export function passesLuhn(digits: string): boolean {
  let sum = 0;
  for (let index = 0; index < digits.length; index++) {
    let digit = Number(digits[digits.length - 1 - index]);
    if (index % 2 === 1 && (digit *= 2) > 9) digit -= 9;
    sum += digit;
  }
  return digits.length > 0 && sum % 10 === 0;
}

/** Shortest valid number: Amex 15, Visa and Mastercard 16, other schemes (Diners, …) 12. */
const minimumLength = (digits: string): number => (isAmex(digits) ? 15 : /^(4|5[1-5]|2[2-7])/.test(digits) ? 16 : 12);

export function cardNumberError(formatted: string): MessageKey | null {
  const digits = digitsOf(formatted);
  if (digits.length >= minimumLength(digits) && passesLuhn(digits)) return null;
  return digits.length < (isAmex(digits) ? 15 : 16) ? 'numberIncomplete' : 'numberInvalid';
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
  return cvc.length === (isAmex(digitsOf(cardNumber)) ? 4 : 3) ? null : 'cvcIncomplete';
}
