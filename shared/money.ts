/**
 * Money is an integer count of a currency's minor unit. This module is the only place that
 * turns minor units into decimal strings or back, so no float ever carries an amount.
 */

/** ISO 4217 minor-unit exponents for the currencies Till accepts. */
export const CURRENCY_EXPONENTS = {
  AED: 2,
  AUD: 2,
  BHD: 3,
  BRL: 2,
  CAD: 2,
  CHF: 2,
  CLP: 0,
  CNY: 2,
  CZK: 2,
  DKK: 2,
  EUR: 2,
  GBP: 2,
  HKD: 2,
  HUF: 2,
  IDR: 2,
  ILS: 2,
  INR: 2,
  ISK: 0,
  JOD: 3,
  JPY: 0,
  KRW: 0,
  KWD: 3,
  MXN: 2,
  MYR: 2,
  NOK: 2,
  NZD: 2,
  OMR: 3,
  PHP: 2,
  PLN: 2,
  RUB: 2,
  SAR: 2,
  SEK: 2,
  SGD: 2,
  THB: 2,
  TND: 3,
  TRY: 2,
  TWD: 2,
  UGX: 0,
  USD: 2,
  VND: 0,
  XAF: 0,
  XOF: 0,
  ZAR: 2,
} as const satisfies Record<string, 0 | 2 | 3>;

export type Currency = keyof typeof CURRENCY_EXPONENTS;

export const CURRENCIES = Object.keys(CURRENCY_EXPONENTS) as Currency[];

/** Largest amount Till accepts in minor units: fits every channel's limits and JS integers. */
export const MAX_AMOUNT = 99_999_999_999;

export class MoneyError extends Error {
  override name = 'MoneyError';
}

export function isCurrency(code: unknown): code is Currency {
  return typeof code === 'string' && Object.hasOwn(CURRENCY_EXPONENTS, code);
}

export function assertCurrency(code: unknown): Currency {
  if (!isCurrency(code)) {
    throw new MoneyError(`currency must be an upper-case ISO 4217 code Till supports, got ${JSON.stringify(code)}`);
  }
  return code;
}

export function exponentOf(currency: Currency): 0 | 2 | 3 {
  return CURRENCY_EXPONENTS[currency];
}

/** Checks an amount in minor units: a positive safe integer no larger than MAX_AMOUNT. */
export function assertAmount(amount: unknown): number {
  if (typeof amount !== 'number' || !Number.isInteger(amount)) {
    throw new MoneyError(`amount must be an integer number of minor units, got ${JSON.stringify(amount)}`);
  }
  if (amount < 1) throw new MoneyError(`amount must be at least 1 minor unit, got ${amount}`);
  if (amount > MAX_AMOUNT) throw new MoneyError(`amount must be at most ${MAX_AMOUNT} minor units, got ${amount}`);
  return amount;
}

/** Minor units → plain decimal string in major units: (1234, CNY) → "12.34", (500, JPY) → "500". */
export function toDecimalString(amount: number, currency: Currency): string {
  if (!Number.isSafeInteger(amount)) throw new MoneyError(`amount must be a safe integer, got ${amount}`);
  const exponent = exponentOf(currency);
  const sign = amount < 0 ? '-' : '';
  const digits = String(Math.abs(amount));
  if (exponent === 0) return sign + digits;
  const padded = digits.padStart(exponent + 1, '0');
  return `${sign}${padded.slice(0, -exponent)}.${padded.slice(-exponent)}`;
}

const DECIMAL = /^(0|[1-9]\d*)(?:\.(\d+))?$/;

/** Decimal string in major units → minor units, refusing anything that would need rounding. */
export function parseDecimalString(text: string, currency: Currency): number {
  const match = DECIMAL.exec(text);
  if (!match) throw new MoneyError(`amount must be a plain decimal like "12.34", got ${JSON.stringify(text)}`);
  const exponent = exponentOf(currency);
  const [, whole = '0', fraction = ''] = match;
  if (fraction.length > exponent) {
    throw new MoneyError(`${currency} has ${exponent} decimal places, got ${JSON.stringify(text)}`);
  }
  const minor = Number(whole + fraction.padEnd(exponent, '0'));
  if (!Number.isSafeInteger(minor)) throw new MoneyError(`amount ${JSON.stringify(text)} is too large`);
  return minor;
}

/** Alipay wants yuan as a string with exactly two decimals ("12.34"). */
export function toAlipayAmount(amount: number, currency: Currency): string {
  if (currency !== 'CNY') throw new MoneyError(`Alipay amounts are in CNY, got ${currency}`);
  return toDecimalString(amount, currency);
}

/** WeChat Pay wants integer fen, which is CNY's minor unit already. */
export function toWechatAmount(amount: number, currency: Currency): number {
  if (currency !== 'CNY') throw new MoneyError(`WeChat Pay amounts are in CNY, got ${currency}`);
  return assertAmount(amount);
}

/** Human display, locale-aware; the amount itself never passes through a float. */
export function formatMoney(amount: number, currency: Currency, locale = 'en'): string {
  const formatter = new Intl.NumberFormat(locale, {
    style: 'currency',
    currency,
    minimumFractionDigits: exponentOf(currency),
    maximumFractionDigits: exponentOf(currency),
  });
  // A decimal string keeps exactness for amounts past 2^53 / 10^exponent rounding.
  return formatter.format(toDecimalString(amount, currency) as unknown as number);
}
