/**
 * The widget's languages: every locale translates every English string with the same
 * placeholders, the shopper's language is picked from the merchant's choice and the browser's
 * list, and a locale whose chunk fails to load falls back to English.
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import en from '../../widget/app/locales/en.ts';
import {
  chooseLocale,
  failureText,
  isRightToLeft,
  LOCALES,
  loadMessages,
  type Messages,
  translator,
} from '../../widget/app/messages.ts';

/** The `{name}` placeholders of a string, sorted, repeats kept. */
const placeholders = (text: string): string[] => [...text.matchAll(/\{(\w+)\}/g)].map((match) => match[1] ?? '').sort();

const englishKeys = Object.keys(en).sort();

describe('every locale', () => {
  it('includes English and the eleven translations', () => {
    expect(LOCALES).toHaveLength(12);
    expect(LOCALES).toContain('en');
  });

  describe.each(LOCALES)('%s', (locale) => {
    it('loads, with exactly the keys of en', async () => {
      const { messages } = await loadMessages(locale);
      expect(Object.keys(messages).sort()).toEqual(englishKeys);
    });

    it('has no empty string', async () => {
      const { messages } = await loadMessages(locale);
      const empty = Object.entries(messages).filter(([, text]) => text.trim() === '');
      expect(empty).toEqual([]);
    });

    it('keeps the placeholders of en in every string', async () => {
      const { messages } = await loadMessages(locale);
      for (const key of englishKeys as (keyof Messages)[]) {
        expect(placeholders(messages[key]), `${locale}.${key}: ${messages[key]}`).toEqual(placeholders(en[key]));
      }
    });

    it('is its own table, not English again', async () => {
      // loadMessages answers English when a chunk fails, so a broken chunk would pass the tests above.
      const { messages } = await loadMessages(locale);
      if (locale === 'en') expect(messages).toBe(en);
      else expect(messages.paymentMethod).not.toBe(en.paymentMethod);
    });
  });
});

describe('chooseLocale', () => {
  it('takes the merchant’s choice when we have it, over the shopper’s languages', () => {
    expect(chooseLocale('fr-CH', ['de-DE'])).toBe('fr');
    expect(chooseLocale('ja', ['en-US'])).toBe('ja');
    expect(chooseLocale('zh-TW', ['zh-CN'])).toBe('zh-TW');
  });

  it('falls through to the first of the shopper’s languages we have', () => {
    expect(chooseLocale('xx', ['de-AT', 'en'])).toBe('de');
    expect(chooseLocale(null, ['tlh', 'es-MX', 'en'])).toBe('es');
    expect(chooseLocale('', ['ko-KR'])).toBe('ko');
  });

  it.each([
    ['pt-PT', 'pt-BR'],
    ['pt', 'pt-BR'],
    ['pt-BR', 'pt-BR'],
    ['zh-HK', 'zh-TW'],
    ['zh-MO', 'zh-TW'],
    ['zh-Hant', 'zh-TW'],
    ['zh-Hant-TW', 'zh-TW'],
    ['zh-Hant-HK', 'zh-TW'],
    ['zh', 'zh-CN'],
    ['zh-Hans-CN', 'zh-CN'],
    ['zh-SG', 'zh-CN'],
    ['ar-EG', 'ar'],
    ['ar-SA', 'ar'],
    ['ru-RU', 'ru'],
    ['it-CH', 'it'],
    ['en_US', 'en'],
    ['zh_TW', 'zh-TW'],
    ['FR-ca', 'fr'],
  ] as const)('reads the shopper language %s as %s', (tag, locale) => {
    expect(chooseLocale(null, [tag])).toBe(locale);
  });

  it('answers English when nothing matches', () => {
    expect(chooseLocale(null, ['xx', 'tlh'])).toBe('en');
    expect(chooseLocale('xx', [])).toBe('en');
    expect(chooseLocale(null, [])).toBe('en');
  });
});

describe('isRightToLeft', () => {
  it('is true for Arabic only', () => {
    expect(LOCALES.filter(isRightToLeft)).toEqual(['ar']);
  });
});

describe('failureText', () => {
  it(
    "names a processor's known decline in the shopper's language, " + "and keeps the channel's words otherwise",
    async () => {
      const ar = translator((await loadMessages('ar')).messages);
      expect(failureText(ar, { code: 'card_declined', message: 'Your card was declined.' })).toBe('تم رفض بطاقتك.');
      expect(failureText(ar, { code: 'insufficient_funds', message: 'x' })).not.toBe('x');
      expect(failureText(ar, { code: 'stolen_card', message: 'Your card was reported stolen.' })).toBe(
        'تم رفض بطاقتك.',
      );
      expect(failureText(ar, { code: 'ACQ.TRADE_HAS_CLOSE', message: 'Alipay closed the trade' })).toBe(
        'Alipay closed the trade',
      );
      expect(failureText(translator(en), { code: 'network_error', message: '' })).toBe(en.networkError);
    },
  );
});

describe('translator', () => {
  const t = translator(en);

  it('fills the placeholders', () => {
    expect(t('pay', { amount: '¥12.00' })).toBe('Pay ¥12.00');
    expect(t('paidWith', { brand: 'Visa', last4: '4242' })).toBe('Paid with Visa •••• 4242');
  });

  it('leaves a placeholder it has no value for as it is', () => {
    expect(t('pay')).toBe('Pay {amount}');
    expect(t('paidWith', { brand: 'Visa' })).toBe('Paid with Visa •••• {last4}');
    expect(t('pay', { other: 'x' })).toBe('Pay {amount}');
  });

  it('returns a string without placeholders unchanged', () => {
    expect(t('retry', { amount: '¥1.00' })).toBe('Retry');
  });

  it('fills a translation the same way', async () => {
    const de = translator((await loadMessages('de')).messages);
    expect(de('pay', { amount: '12,00 €' })).toBe('12,00 € bezahlen');
  });
});

describe('loadMessages when a chunk fails', () => {
  afterEach(() => {
    vi.doUnmock('../../widget/app/locales/de.ts');
    vi.doUnmock('../../widget/app/locales/en.ts');
    vi.resetModules();
  });

  it('loads English', async () => {
    expect(await loadMessages('en')).toEqual({ locale: 'en', messages: en });
  });

  it('falls back to English, and says so', async () => {
    vi.resetModules();
    vi.doMock('../../widget/app/locales/de.ts', () => {
      throw new Error('chunk failed to load');
    });
    const messages = await import('../../widget/app/messages.ts');
    const english = (await import('../../widget/app/locales/en.ts')).default;
    expect(await messages.loadMessages('de')).toEqual({ locale: 'en', messages: english });
  });

  it('rejects when English fails too', async () => {
    vi.resetModules();
    vi.doMock('../../widget/app/locales/en.ts', () => {
      throw new Error('chunk failed to load');
    });
    const messages = await import('../../widget/app/messages.ts');
    await expect(messages.loadMessages('en')).rejects.toThrow();
  });
});
