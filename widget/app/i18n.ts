/** The shopper's locale and its translator, available to every component. */
import { createContext } from 'preact';
import { useContext } from 'preact/hooks';
import { formatMoney, type Currency } from '../../shared/money.ts';
import { translator, type Locale, type Translate } from './messages.ts';

export interface I18n {
  locale: Locale;
  t: Translate;
  money(amount: number, currency: Currency): string;
}

export function createI18n(locale: Locale): I18n {
  return { locale, t: translator(locale), money: (amount, currency) => formatMoney(amount, currency, locale) };
}

export const I18nContext = createContext<I18n>(createI18n('en'));

export const useI18n = (): I18n => useContext(I18nContext);
