/** The shopper's locale and its translator, available to every component. */
import { createContext } from 'preact';
import { useContext } from 'preact/hooks';
import { type Currency, formatMoney } from '../../shared/money.ts';
import { type Locale, type Messages, type Translate, translator } from './messages.ts';

export interface I18n {
  locale: Locale;
  t: Translate;
  money(amount: number, currency: Currency): string;
}

export function createI18n(locale: Locale, messages: Messages): I18n {
  return { locale, t: translator(messages), money: (amount, currency) => formatMoney(amount, currency, locale) };
}

// Always provided by main.tsx once the locale's strings are here.
export const I18nContext = createContext<I18n>(null as unknown as I18n);

export const useI18n = (): I18n => useContext(I18nContext);
