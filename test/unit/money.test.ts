import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  assertAmount,
  assertCurrency,
  CURRENCIES,
  exponentOf,
  formatMoney,
  MAX_AMOUNT,
  MoneyError,
  parseDecimalString,
  toAlipayAmount,
  toDecimalString,
  toWechatAmount,
} from '../../shared/money.ts';

describe('money', () => {
  it('knows ISO 4217 exponents', () => {
    expect(exponentOf('USD')).toBe(2);
    expect(exponentOf('JPY')).toBe(0);
    expect(exponentOf('KWD')).toBe(3);
  });

  it('formats minor units as decimal strings without floats', () => {
    expect(toDecimalString(1234, 'CNY')).toBe('12.34');
    expect(toDecimalString(5, 'USD')).toBe('0.05');
    expect(toDecimalString(500, 'JPY')).toBe('500');
    expect(toDecimalString(1, 'BHD')).toBe('0.001');
    expect(toDecimalString(-250, 'EUR')).toBe('-2.50');
    expect(toDecimalString(MAX_AMOUNT, 'USD')).toBe('999999999.99');
  });

  it('parses decimal strings exactly and refuses what would need rounding', () => {
    expect(parseDecimalString('12.34', 'CNY')).toBe(1234);
    expect(parseDecimalString('0.1', 'USD')).toBe(10);
    expect(parseDecimalString('7', 'USD')).toBe(700);
    expect(() => parseDecimalString('1.005', 'USD')).toThrow('USD has 2 decimal places, got "1.005"');
    expect(() => parseDecimalString('1.5', 'JPY')).toThrow('JPY has 0 decimal places');
    expect(() => parseDecimalString('1e3', 'USD')).toThrow('amount must be a plain decimal like "12.34", got "1e3"');
    expect(() => parseDecimalString('-1', 'USD')).toThrow(MoneyError);
    expect(() => parseDecimalString('01.00', 'USD')).toThrow(MoneyError);
  });

  it('checks amounts at the boundary with exact messages', () => {
    expect(assertAmount(1)).toBe(1);
    expect(() => assertAmount(12.5)).toThrow('amount must be an integer number of minor units, got 12.5');
    expect(() => assertAmount('100')).toThrow('amount must be an integer number of minor units, got "100"');
    expect(() => assertAmount(0)).toThrow('amount must be at least 1 minor unit, got 0');
    expect(() => assertAmount(MAX_AMOUNT + 1)).toThrow(`amount must be at most ${MAX_AMOUNT} minor units`);
    expect(() => assertAmount(Number.NaN)).toThrow(MoneyError);
  });

  it('checks currency codes', () => {
    expect(assertCurrency('USD')).toBe('USD');
    expect(() => assertCurrency('usd')).toThrow(
      'currency must be an upper-case ISO 4217 code Till supports, got "usd"',
    );
    expect(() => assertCurrency('XXX')).toThrow(MoneyError);
    expect(() => assertCurrency('__proto__')).toThrow(MoneyError);
  });

  it('converts to channel units in one place', () => {
    expect(toAlipayAmount(1, 'CNY')).toBe('0.01');
    expect(toAlipayAmount(123456, 'CNY')).toBe('1234.56');
    expect(toWechatAmount(1234, 'CNY')).toBe(1234);
    expect(() => toAlipayAmount(100, 'USD')).toThrow('Alipay amounts are in CNY, got USD');
    expect(() => toWechatAmount(100, 'JPY')).toThrow('WeChat Pay amounts are in CNY, got JPY');
  });

  it('formats for people', () => {
    expect(formatMoney(2900, 'USD', 'en-US')).toBe('$29.00');
    expect(formatMoney(500, 'JPY', 'en-US')).toBe('¥500');
    expect(formatMoney(1234, 'CNY', 'zh-CN')).toBe('¥12.34');
  });

  it('round-trips every amount in every currency (property)', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: MAX_AMOUNT }), fc.constantFrom(...CURRENCIES), (amount, currency) => {
        expect(parseDecimalString(toDecimalString(amount, currency), currency)).toBe(amount);
      }),
    );
  });
});
