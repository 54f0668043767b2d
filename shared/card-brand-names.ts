/**
 * The card brands Till tells apart, and their names. Apart from the brand table (card-brand.ts)
 * so a receipt line can name a brand without shipping the table in the widget's first chunk.
 */
export const CARD_BRAND_IDS = ['visa', 'mastercard', 'amex', 'discover', 'jcb', 'diners', 'unionpay'] as const;
export type CardBrand = (typeof CARD_BRAND_IDS)[number];

/** Names as the schemes write them, for the screen-reader text beside the brand mark. */
export const BRAND_NAMES: Record<CardBrand, string> = {
  visa: 'Visa',
  mastercard: 'Mastercard',
  amex: 'American Express',
  discover: 'Discover',
  jcb: 'JCB',
  diners: 'Diners Club',
  unionpay: 'UnionPay',
};
