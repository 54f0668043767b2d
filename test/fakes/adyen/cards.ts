/**
 * Reading a raw card (`paymentMethod.type: scheme`) the way Adyen's test platform answers it:
 * format errors are 422s; the outcome comes from the test card numbers (3-D Secure 2 challenge
 * cards), the expiry, and the refusal-reason values set as holderName or
 * additionalData.RequestedTestAcquirerResponseCode (docs.adyen.com/development-resources/testing/result-codes).
 * Any other Luhn-valid number authorises.
 */
import { AdyenError } from './errors.ts';
import type { Card } from './state.ts';

/** 3-D Secure 2 test cards (docs.adyen.com/development-resources/testing/3d-secure-2-authentication). */
export const CHALLENGE_CARDS: ReadonlySet<string> = new Set(['4917610000000000', '5454545454545454']);

/** holderName → [refusalReasonCode, refusalReason, resultCode], from Adyen's testing table. */
const TEST_RESPONSES: Record<string, readonly [string, string, 'Refused' | 'Error' | 'Cancelled' | 'Received']> = {
  UNKNOWN: ['0', 'Unknown', 'Error'],
  DECLINED: ['2', 'Refused', 'Refused'],
  REFERRAL: ['3', 'Referral', 'Refused'],
  ERROR: ['4', 'Acquirer Error', 'Error'],
  BLOCK_CARD: ['5', 'Blocked Card', 'Refused'],
  CARD_EXPIRED: ['6', 'Expired Card', 'Refused'],
  INVALID_AMOUNT: ['7', 'Invalid Amount', 'Refused'],
  INVALID_CARD_NUMBER: ['8', 'Invalid Card Number', 'Refused'],
  ISSUER_UNAVAILABLE: ['9', 'Issuer Unavailable', 'Refused'],
  NOT_SUPPORTED: ['10', 'Not supported', 'Refused'],
  NOT_3D_AUTHENTICATED: ['11', '3D Not Authenticated', 'Refused'],
  NOT_ENOUGH_BALANCE: ['12', 'Not enough balance', 'Refused'],
  PENDING: ['13', '', 'Received'],
  ACQUIRER_FRAUD: ['14', 'Acquirer Fraud', 'Refused'],
  CANCELLED: ['15', 'Cancelled', 'Refused'],
  SHOPPER_CANCELLED: ['16', 'Shopper Cancelled', 'Refused'],
  FRAUD: ['20', 'FRAUD', 'Refused'],
  FRAUD_CANCELLED: ['22', 'FRAUD-CANCELLED', 'Cancelled'],
  TRANSACTION_NOT_PERMITTED: ['23', 'Transaction Not Permitted', 'Refused'],
  CVC_DECLINED: ['24', 'CVC Declined', 'Refused'],
  RESTRICTED_CARD: ['25', 'Restricted Card', 'Refused'],
  DECLINED_NON_GENERIC: ['27', 'Declined Non Generic', 'Refused'],
  ISSUER_SUSPECTED_FRAUD: ['31', 'Issuer Suspected Fraud', 'Refused'],
};
const BY_CODE = new Map(Object.values(TEST_RESPONSES).map((entry) => [entry[0], entry]));

export interface Outcome {
  resultCode: 'Authorised' | 'Refused' | 'Error' | 'Cancelled' | 'Received';
  refusalReasonCode: string | null;
  refusalReason: string | null;
}

const AUTHORISED: Outcome = { resultCode: 'Authorised', refusalReasonCode: null, refusalReason: null };

function luhnValid(number: string): boolean {
  let sum = 0;
  for (let i = 0; i < number.length; i++) {
    let digit = Number(number[number.length - 1 - i]);
    if (i % 2 === 1) digit = digit * 2 > 9 ? digit * 2 - 9 : digit * 2;
    sum += digit;
  }
  return sum % 10 === 0;
}

function brandOf(number: string): string {
  if (/^3[47]/.test(number)) return 'amex';
  if (/^4/.test(number)) return 'visa';
  if (/^(5[1-5]|2[2-7])/.test(number)) return 'mc';
  if (/^(6011|65)/.test(number)) return 'discover';
  if (/^35/.test(number)) return 'jcb';
  if (/^62/.test(number)) return 'cup';
  return 'maestro';
}

const text = (value: unknown): string | undefined => (typeof value === 'string' ? value : undefined);

/** Checks paymentMethod as Adyen does before authorising; the card number and CVC go no further than here. */
export function readCard(paymentMethod: Record<string, unknown>): { card: Card; holderName: string } {
  if (paymentMethod.type !== 'scheme')
    throw new AdyenError(422, '14_007', 'Invalid payment method data (the fake takes type "scheme" only)');
  const number = text(paymentMethod.number)?.replace(/\s/g, '') ?? '';
  if (!/^\d{12,19}$/.test(number) || !luhnValid(number)) throw new AdyenError(422, '101', 'Invalid card number');
  const expiryMonth = text(paymentMethod.expiryMonth) ?? '';
  const expiryYear = text(paymentMethod.expiryYear) ?? '';
  if (!expiryMonth || !expiryYear) throw new AdyenError(422, '129', 'Expiry Date Invalid');
  const month = Number(expiryMonth);
  if (!/^\d{1,2}$/.test(expiryMonth) || month < 1 || month > 12 || !/^20\d{2}$/.test(expiryYear))
    throw new AdyenError(422, '141', 'Invalid expiryMonth[1..12] / expiryYear[>2000]');
  const brand = brandOf(number);
  const cvc = text(paymentMethod.cvc);
  if (cvc !== undefined && !(brand === 'amex' ? /^\d{4}$/ : /^\d{3}$/).test(cvc))
    throw new AdyenError(422, '103', 'CVC is not the right length');
  const card = {
    brand,
    bin: number.slice(0, 6),
    last4: number.slice(-4),
    expiryMonth: expiryMonth.padStart(2, '0'),
    expiryYear,
  };
  return { card, holderName: text(paymentMethod.holderName) ?? '' };
}

export const isChallengeCard = (paymentMethod: Record<string, unknown>): boolean =>
  CHALLENGE_CARDS.has(text(paymentMethod.number)?.replace(/\s/g, '') ?? '');

/** The authorisation's outcome: an expired card is refused, then the test values decide. */
export function outcomeOf(card: Card, holderName: string, requestedCode: string | undefined, now: number): Outcome {
  const date = new Date(now);
  const expired =
    Number(card.expiryYear) < date.getUTCFullYear() ||
    (Number(card.expiryYear) === date.getUTCFullYear() && Number(card.expiryMonth) < date.getUTCMonth() + 1);
  if (expired) return { resultCode: 'Refused', refusalReasonCode: '6', refusalReason: 'Expired Card' };
  // "DECLINED : 06 : ERROR" customises the raw response; the Adyen code is the first part.
  const test =
    TEST_RESPONSES[holderName.split(':')[0]!.trim()] ?? (requestedCode ? BY_CODE.get(requestedCode) : undefined);
  if (!test) return AUTHORISED;
  const [refusalReasonCode, refusalReason, resultCode] = test;
  if (resultCode === 'Received') return { resultCode, refusalReasonCode: null, refusalReason: null };
  return { resultCode, refusalReasonCode, refusalReason };
}

/** Adyen's additionalData.expiryDate is "3/2030": the month without its leading zero. */
export const expiryDate = (card: Card): string => `${Number(card.expiryMonth)}/${card.expiryYear}`;
