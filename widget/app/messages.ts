/**
 * The shopper's language: which of our locales to show, and its strings. Each locale is its own
 * chunk on our origin, fetched while the frame asks for the order, so no shopper downloads the
 * other eleven.
 */
import type { CardDeclineCode } from '../../shared/card-declines.ts';
import type { MessageKey, Messages } from './locales/en.ts';

export type { MessageKey, Messages };

const LOADERS = {
  en: () => import('./locales/en.ts'),
  'zh-CN': () => import('./locales/zh-CN.ts'),
  'zh-TW': () => import('./locales/zh-TW.ts'),
  ja: () => import('./locales/ja.ts'),
  ko: () => import('./locales/ko.ts'),
  es: () => import('./locales/es.ts'),
  fr: () => import('./locales/fr.ts'),
  de: () => import('./locales/de.ts'),
  'pt-BR': () => import('./locales/pt-BR.ts'),
  it: () => import('./locales/it.ts'),
  ru: () => import('./locales/ru.ts'),
  ar: () => import('./locales/ar.ts'),
} satisfies Record<string, () => Promise<{ default: Messages }>>;

export type Locale = keyof typeof LOADERS;
export const LOCALES = Object.keys(LOADERS) as Locale[];

/**
 * Where a language we have no table for goes once its region is dropped: the written form a
 * reader of it most likely reads (Traditional Chinese for Hong Kong, Macau and Taiwan).
 */
const NEAREST: Record<string, Locale> = {
  zh: 'zh-CN',
  'zh-hant': 'zh-TW',
  'zh-hk': 'zh-TW',
  'zh-mo': 'zh-TW',
  pt: 'pt-BR',
};

/** One BCP 47 tag to one of our locales by dropping subtags (`fr-CH` → `fr`), or null. */
function matchLocale(tag: string): Locale | null {
  const subtags = tag.trim().replace(/_/g, '-').toLowerCase().split('-');
  for (let length = subtags.length; length > 0; length--) {
    const candidate = subtags.slice(0, length).join('-');
    const exact = LOCALES.find((locale) => locale.toLowerCase() === candidate);
    if (exact) return exact;
    if (NEAREST[candidate]) return NEAREST[candidate];
  }
  return null;
}

/**
 * The merchant's choice when it names a language we have; else the first of the shopper's
 * languages we have; else English.
 */
export function chooseLocale(
  requested: string | null,
  shopperLanguages: readonly string[] = navigator.languages ?? [],
): Locale {
  for (const tag of [requested ?? '', ...shopperLanguages]) {
    const locale = tag ? matchLocale(tag) : null;
    if (locale) return locale;
  }
  return 'en';
}

export const isRightToLeft = (locale: Locale): boolean => locale === 'ar';

/**
 * A locale's strings, or English's when that chunk cannot be fetched (English failing too
 * rejects); `locale` says which came.
 */
export const loadMessages = (locale: Locale): Promise<{ locale: Locale; messages: Messages }> =>
  LOADERS[locale]().then(
    (module) => ({ locale, messages: module.default }),
    (error: unknown) => (locale === 'en' ? Promise.reject(error) : loadMessages('en')),
  );

export type Translate = (key: MessageKey, values?: Record<string, string>) => string;

/**
 * Till's card failures in the shopper's words; codes with the same advice share a key. Fraud,
 * lost and stolen read as the generic decline: telling a fraudster the card is flagged helps
 * only the fraudster (Stripe says the same of these codes: https://docs.stripe.com/declines/codes).
 */
const FAILURE_KEYS = {
  card_declined: 'declineCard',
  do_not_honor: 'declineCard',
  fraudulent: 'declineCard',
  lost_card: 'declineCard',
  stolen_card: 'declineCard',
  insufficient_funds: 'declineFunds',
  expired_card: 'declineExpired',
  incorrect_cvc: 'declineCvc',
  incorrect_number: 'numberInvalid',
  processing_error: 'declineRetry',
  try_again_later: 'declineRetry',
  authentication_required: 'declineAuth',
  card_not_supported: 'declineUnsupported',
  currency_not_supported: 'declineUnsupported',
  invalid_amount: 'declineUnsupported',
  card_velocity_exceeded: 'declineLimit',
} as const satisfies Record<CardDeclineCode, MessageKey>;

/**
 * A failure in the shopper's language where its code is known; else the channel's own words
 * (shown with `dir="auto"`, as they may be in another script than the page); else a network error.
 */
export const failureText = (t: Translate, failure: { code: string; message: string }): string =>
  // Own keys only: a code such as `toString` must not find the prototype's.
  Object.hasOwn(FAILURE_KEYS, failure.code)
    ? t(FAILURE_KEYS[failure.code as CardDeclineCode])
    : failure.message || t('networkError');

/** A wallet by the name shoppers know it by, in their language; null for a channel that is no wallet. */
export const walletName = (t: Translate, channel: string): string | null =>
  channel === 'alipay' || channel === 'wechatpay' ? t(channel) : null;

export const translator =
  (messages: Messages): Translate =>
  (key, values) =>
    messages[key].replace(/\{(\w+)\}/g, (match, name: string) => values?.[name] ?? match);
