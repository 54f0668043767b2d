/**
 * Till's card decline codes: each has a merchant description and the shopper's words in every
 * locale, fraud reads as the generic decline, and only path failures let the router fail over.
 */
import { describe, expect, it } from 'vitest';
import {
  CARD_DECLINE_CODES,
  CARD_DECLINE_DESCRIPTIONS,
  type CardDeclineCode,
  retryableByRouter,
  shopperMayRetry,
} from '../../shared/card-declines.ts';
import en from '../../widget/app/locales/en.ts';
import { failureText, LOCALES, loadMessages, type Translate, translator } from '../../widget/app/messages.ts';

/** What the channel said; seeing it back means the widget had no words of its own for the code. */
const CHANNEL_WORDS = 'channel words';

const shopperText = (t: Translate, code: string): string => failureText(t, { code, message: CHANNEL_WORDS });

const FRAUD_CODES: CardDeclineCode[] = ['fraudulent', 'lost_card', 'stolen_card'];

const english = translator(en);

describe('CARD_DECLINE_CODES', () => {
  it('are unique', () => {
    expect(new Set(CARD_DECLINE_CODES).size).toBe(CARD_DECLINE_CODES.length);
  });

  it.each(CARD_DECLINE_CODES)('%s has a one-line description for merchants', (code) => {
    const description = CARD_DECLINE_DESCRIPTIONS[code];
    expect(description.trim().length).toBeGreaterThan(10);
    expect(description).not.toMatch(/\n/);
  });
});

describe.each(LOCALES)('the shopper’s words in %s', (locale) => {
  it.each(CARD_DECLINE_CODES)('names %s', async (code) => {
    const t = translator((await loadMessages(locale)).messages);
    const text = shopperText(t, code);
    expect(text).not.toBe(CHANNEL_WORDS);
    expect(text.trim()).not.toBe('');
    // Every locale is another language than English; none leaves a decline in English.
    if (locale !== 'en') expect(text).not.toBe(shopperText(english, code));
  });

  it('shows fraud, lost and stolen cards as the generic decline', async () => {
    const t = translator((await loadMessages(locale)).messages);
    const generic = shopperText(t, 'card_declined');
    for (const code of FRAUD_CODES) expect(shopperText(t, code), code).toBe(generic);
  });
});

describe('failureText with codes Till does not name', () => {
  it.each(['generic_decline', 'toString', 'constructor', '__proto__'])('keeps the channel’s words for %s', (code) => {
    expect(shopperText(english, code)).toBe(CHANNEL_WORDS);
  });
});

describe('retries', () => {
  it('lets the router fail over only on processing_error and try_again_later', () => {
    expect(CARD_DECLINE_CODES.filter(retryableByRouter)).toEqual(['processing_error', 'try_again_later']);
  });

  it('lets the shopper retry the same card only where a detail, 3-D Secure or a moment can mend it', () => {
    expect(CARD_DECLINE_CODES.filter(shopperMayRetry).sort()).toEqual(
      ['authentication_required', 'incorrect_cvc', 'incorrect_number', 'processing_error', 'try_again_later'].sort(),
    );
  });

  it('never invites the shopper to retry a card flagged for fraud, lost or stolen', () => {
    for (const code of FRAUD_CODES) expect(shopperMayRetry(code), code).toBe(false);
  });
});
