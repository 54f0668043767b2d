/**
 * The card form's formatting and checks, against the test numbers Stripe publishes per brand
 * (test/fixtures/test-cards.json names the source). Expected groupings and code lengths are the
 * schemes' printed formats, written out here rather than derived from the code under test.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { brandRule, digitGroups, isCardNumber, passesLuhn } from '../../shared/card-brand.ts';
import {
  cardBrandOf,
  cardNumberError,
  caretAfterDigits,
  cvcError,
  digitsOf,
  expiryError,
  formatCardNumber,
  formatCvc,
  formatExpiry,
  nameError,
  parseExpiry,
} from '../../widget/app/card-input.ts';

interface TestCard {
  number: string;
  brand: string;
  label: string;
}
const { cards } = JSON.parse(readFileSync(new URL('../fixtures/test-cards.json', import.meta.url), 'utf8')) as {
  cards: TestCard[];
};

const FORMATTED: Record<string, string> = {
  '4242424242424242': '4242 4242 4242 4242',
  '5555555555554444': '5555 5555 5555 4444',
  '2223003122003222': '2223 0031 2200 3222',
  '378282246310005': '3782 822463 10005',
  '6011111111111117': '6011 1111 1111 1117',
  '3056930009020004': '3056 9300 0902 0004',
  '36227206271667': '3622 720627 1667',
  '3566002020360505': '3566 0020 2036 0505',
  '6200000000000005': '6200 0000 0000 0005',
};

/** The same number with its check digit changed, so Luhn fails. */
const mistyped = (number: string): string => number.slice(0, -1) + ((Number(number.slice(-1)) + 1) % 10);

describe('published test cards', () => {
  it('covers every brand the form knows', () => {
    expect(new Set(cards.map((card) => card.brand))).toEqual(
      new Set(['visa', 'mastercard', 'amex', 'discover', 'diners', 'jcb', 'unionpay']),
    );
  });

  describe.each(cards)('$label $number', ({ number, brand }) => {
    it('is detected as its brand, from the digits or the formatted text', () => {
      expect(cardBrandOf(number)).toBe(brand);
      expect(cardBrandOf(FORMATTED[number]!)).toBe(brand);
    });

    it('is grouped as printed on the card, and formatting is idempotent', () => {
      expect(formatCardNumber(number)).toBe(FORMATTED[number]);
      expect(formatCardNumber(FORMATTED[number]!)).toBe(FORMATTED[number]);
      expect(formatCardNumber(number.split('').join('-'))).toBe(FORMATTED[number]);
    });

    it('is valid, and incomplete one digit short', () => {
      expect(cardNumberError(FORMATTED[number]!)).toBeNull();
      expect(cardNumberError(number.slice(0, 13))).toBe('numberIncomplete');
    });

    it('passes Luhn, and fails it with another check digit', () => {
      expect(passesLuhn(number)).toBe(true);
      expect(passesLuhn(mistyped(number))).toBe(false);
    });

    it(`takes a ${brand === 'amex' ? 4 : 3}-digit security code`, () => {
      const length = brand === 'amex' ? 4 : 3;
      expect(formatCvc('123456', number)).toBe('123456'.slice(0, length));
      expect(cvcError('1234'.slice(0, length), number)).toBeNull();
      expect(cvcError('12', number)).toBe('cvcIncomplete');
    });
  });
});

describe('brand detection', () => {
  it.each([
    ['4', 'visa'],
    ['51', 'mastercard'],
    ['55', 'mastercard'],
    ['2221', 'mastercard'],
    ['2299', 'mastercard'],
    ['2300', 'mastercard'],
    ['2699', 'mastercard'],
    ['2720', 'mastercard'],
    ['34', 'amex'],
    ['37', 'amex'],
    ['6011', 'discover'],
    ['644', 'discover'],
    ['649', 'discover'],
    ['65', 'discover'],
    ['3528', 'jcb'],
    ['3589', 'jcb'],
    ['36', 'diners'],
    ['300', 'diners'],
    ['305', 'diners'],
    ['38', 'diners'],
    ['39', 'diners'],
    ['62', 'unionpay'],
  ])('%s… is %s', (prefix, brand) => {
    expect(cardBrandOf(prefix)).toBe(brand);
    expect(cardBrandOf(prefix.padEnd(16, '0'))).toBe(brand);
  });

  it.each([
    '',
    '2',
    '22',
    '2220',
    '2721',
    '50',
    '56',
    '3',
    '35',
    '3527',
    '3590',
    '306',
    '6',
    '60',
    '6010',
    '643',
    '61',
    '1234',
    '7',
    '8',
    '9',
    '0',
  ])('%s… is no known brand yet', (prefix) => {
    expect(cardBrandOf(prefix)).toBeNull();
  });
});

describe('card number', () => {
  it('keeps to the brand’s longest number', () => {
    expect(formatCardNumber('4242424242424242424242')).toBe('4242 4242 4242 4242 424');
    expect(formatCardNumber('3782822463100059999')).toBe('3782 822463 10005');
    expect(formatCardNumber('55555555555544449')).toBe('5555 5555 5555 4444');
    expect(formatCardNumber('3622720627166799')).toBe('3622 7206 2716 6799');
  });

  it('groups 14-digit Diners 4-6-4 and longer Diners 4-4-4-4', () => {
    expect(digitGroups('36227206271667')).toEqual([4, 6, 4]);
    expect(digitGroups('3056930009020004')).toEqual([4, 4, 4, 4, 3]);
    expect(formatCardNumber('36227')).toBe('3622 7');
  });

  it('is incomplete below the brand’s shortest length, invalid at it with a wrong check digit', () => {
    expect(cardNumberError('')).toBe('numberIncomplete');
    expect(cardNumberError('4242 4242 4242 424')).toBe('numberIncomplete');
    expect(cardNumberError(mistyped('4242424242424242'))).toBe('numberInvalid');
    expect(cardNumberError(mistyped('378282246310005'))).toBe('numberInvalid');
    expect(cardNumberError('3782 822463 1000')).toBe('numberIncomplete');
  });

  it('refuses a brand Till does not know once six digits name the issuer, as the worker does', () => {
    expect(cardNumberError('1234 5')).toBe('numberIncomplete');
    expect(cardNumberError('1234 56')).toBe('numberUnsupported');
    // Luhn-valid all the same: the brand, not the number, is what the worker would refuse.
    expect(passesLuhn('1234567812345670')).toBe(true);
    expect(cardNumberError('1234 5678 1234 5670')).toBe('numberUnsupported');
  });

  it('waits for 18 or 19 digits after a 17-digit Visa', () => {
    expect(brandRule('4').lengths).toEqual([16, 18, 19]);
    expect(cardNumberError('42424242424242424')).toBe('numberIncomplete');
    expect(cardNumberError('4111 1111 1111 1111 110')).toBeNull();
    expect(cardNumberError('4111 1111 1111 1111 111')).toBe('numberInvalid');
  });

  it('accepts a UnionPay number without a Luhn check digit (UnionPay issues such numbers)', () => {
    expect(passesLuhn('6200000000000001')).toBe(false);
    expect(cardNumberError('6200000000000001')).toBeNull();
    expect(cardNumberError('620000000000')).toBe('numberIncomplete');
  });

  it('judges whole numbers as the sandbox processor does (shared/card-brand.ts isCardNumber)', () => {
    for (const { number } of cards) expect(isCardNumber(number), number).toBe(true);
    expect(isCardNumber('6200000000000001')).toBe(true);
    expect(isCardNumber('4242424242424241')).toBe(false);
    expect(isCardNumber('42424242424242424')).toBe(false);
    expect(isCardNumber('4242 4242 4242 4242')).toBe(false);
  });

  it('says a brand Till does not know is not accepted, as the processors would (issue 14)', () => {
    // 6759 (Maestro, not in the table), with a valid check digit or not.
    expect(cardBrandOf('6759649826438453')).toBeNull();
    expect(cardNumberError('6759649826438453')).toBe('numberUnsupported');
    expect(cardNumberError(mistyped('6759649826438453'))).toBe('numberUnsupported');
    expect(cardNumberError('67596')).toBe('numberIncomplete');
  });

  it('reads Arabic-Indic, Persian and full-width digits as digits', () => {
    expect(digitsOf('٤٢٤٢ ۴۲۴۲ ４２４２')).toBe('424242424242');
    expect(formatCardNumber('٤٢٤٢٤٢٤٢٤٢٤٢٤٢٤٢')).toBe('4242 4242 4242 4242');
    expect(cardNumberError('٤٢٤٢٤٢٤٢٤٢٤٢٤٢٤٢')).toBeNull();
  });

  it('puts the caret back after the same digit', () => {
    expect(caretAfterDigits('4242 4242 4242', 4)).toBe(4);
    expect(caretAfterDigits('4242 4242 4242', 5)).toBe(6);
    expect(caretAfterDigits('4242 4242', 0)).toBe(0);
    expect(caretAfterDigits('4242 4242', 99)).toBe(9);
  });
});

describe('Luhn', () => {
  it.each([
    ['79927398713', true],
    ['79927398710', false],
    ['0', true],
    ['', false],
    ['18', true],
    ['81', false],
  ])('%s → %s', (digits, valid) => {
    expect(passesLuhn(digits)).toBe(valid);
  });
});

describe('expiry', () => {
  // 15 May 2026, local time, as the form compares.
  const now = new Date(2026, 4, 15);

  it('formats as MM / YY', () => {
    expect(formatExpiry('1')).toBe('1');
    expect(formatExpiry('4')).toBe('04');
    expect(formatExpiry('123')).toBe('12 / 3');
    expect(formatExpiry('1230')).toBe('12 / 30');
    expect(formatExpiry('12/2030')).toBe('12 / 30');
    expect(formatExpiry('12 / 309')).toBe('12 / 30');
    expect(formatExpiry('٠٥/٢٩')).toBe('05 / 29');
  });

  it('parses to a four-digit year', () => {
    expect(parseExpiry('05 / 29')).toEqual({ month: 5, year: 2029 });
    expect(parseExpiry('05 / 2')).toBeNull();
  });

  it.each([
    ['', 'expiryIncomplete'],
    ['1', 'expiryIncomplete'],
    ['12 / 3', 'expiryIncomplete'],
    ['00 / 30', 'expiryInvalid'],
    ['13 / 30', 'expiryInvalid'],
    ['04 / 26', 'expiryPast'],
    ['12 / 25', 'expiryPast'],
    ['05 / 26', null],
    ['06 / 26', null],
    ['01 / 27', null],
    ['12 / 99', null],
  ])('%j → %s', (text, error) => {
    expect(expiryError(text, now)).toBe(error);
  });

  it('stays valid through the last day of its month', () => {
    expect(expiryError('05 / 26', new Date(2026, 4, 31, 23, 59))).toBeNull();
    expect(expiryError('05 / 26', new Date(2026, 5, 1))).toBe('expiryPast');
  });
});

describe('security code', () => {
  it('allows 4 digits while the brand is unknown, since it may be Amex', () => {
    expect(formatCvc('12345', '')).toBe('1234');
    expect(formatCvc('12345', '3')).toBe('1234');
    expect(cvcError('123', '')).toBeNull();
    expect(cvcError('1234', '')).toBeNull();
  });

  it('wants the brand’s exact length', () => {
    expect(cvcError('1234', '4242424242424242')).toBe('cvcIncomplete');
    expect(cvcError('123', '378282246310005')).toBe('cvcIncomplete');
    expect(cvcError('', '4242424242424242')).toBe('cvcIncomplete');
    expect(formatCvc('1a2b3', '4242')).toBe('123');
  });
});

describe('name on card', () => {
  it.each([
    ['', 'nameMissing'],
    ['   ', 'nameMissing'],
    ['\t\n', 'nameMissing'],
    ['Ada Lovelace', null],
    ['  李小龍 ', null],
  ])('%j → %s', (name, error) => {
    expect(nameError(name)).toBe(error);
  });
});
