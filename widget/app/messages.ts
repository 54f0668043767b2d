/**
 * Every string the shopper reads, keyed. English is the reference table; each other locale must
 * translate every key (a missing one fails `tsc`). `{name}` placeholders are filled by `t`.
 * The wallet flows bring their own strings (wallet-messages.ts), added when they load.
 */
import type { WalletMessageKey } from './wallet-messages.ts';

const en = {
  testMode: 'Test mode',
  paymentMethod: 'Payment method',
  methodCard: 'Card',
  methodQr: 'Scan QR code',
  noMethods: 'No payment method is available for this order. Please contact the store.',
  cardNumber: 'Card number',
  expiry: 'Expiry',
  expiryPlaceholder: 'MM / YY',
  cvc: 'CVC',
  numberIncomplete: 'Your card number is incomplete.',
  numberInvalid: 'Your card number is invalid.',
  expiryIncomplete: "Your card's expiry date is incomplete.",
  expiryInvalid: "Your card's expiry month is invalid.",
  expiryPast: "Your card's expiry date is in the past.",
  cvcIncomplete: "Your card's security code is incomplete.",
  pay: 'Pay {amount}',
  processing: 'Processing…',
  secureNote: 'Payments are encrypted and processed securely.',
  authTitle: 'Confirm your payment',
  authHint: 'Your bank needs you to confirm this payment.',
  continue: 'Continue',
  otherMethod: 'Choose another way to pay',
  processingTitle: 'Processing your payment',
  processingHint: 'This usually takes a few seconds. Please keep this page open.',
  paidTitle: 'Payment successful',
  paidHint: 'Order {order}',
  authorizedTitle: 'Payment authorized',
  paidWith: 'Paid with {brand} •••• {last4}',
  expiredTitle: 'This checkout has expired',
  expiredHint: 'Return to the store to start again.',
  canceledTitle: 'This payment was canceled',
  canceledHint: 'No money was taken. Return to the store if you want to order again.',
  failedTitle: 'Payment failed',
  errorTitle: 'Something went wrong',
  retry: 'Retry',
  networkError: 'We could not reach the payment server. Check your connection and try again.',
  sessionLost: 'This checkout link is incomplete or has ended. Return to the store and try again.',
  wechatUnavailable: 'WeChat Pay is not available on this page. Please contact the store.',
  // Spoken by the status region only. Worded apart from the visible titles on purpose, so
  // each visible text appears once on the page (for people and for tests searching by text).
  sayLoading: 'Loading checkout…',
  saySubmitting: 'Submitting your payment, please wait.',
  sayQr: 'QR code shown. Scan it with your phone.',
  sayAction: 'Confirmation by your bank is needed.',
  sayProcessing: 'Your payment is being processed.',
  sayPaid: 'Paid {amount}. Thank you!',
  sayAuthorized: 'Payment of {amount} authorized.',
  sayExpired: 'Checkout expired.',
  sayCanceled: 'Payment canceled.',
  sayFailed: 'The payment did not go through.',
  sayError: 'The checkout could not load.',
  sayRedirecting: 'Opening the payment page.',
  sayRedirect: 'Continue on the payment page to pay.',
  sayWechat: 'Waiting for WeChat Pay.',
};

type CoreMessageKey = keyof typeof en;
export type MessageKey = CoreMessageKey | WalletMessageKey;
type MessageTable = Record<CoreMessageKey, string>;

const zhCN: MessageTable = {
  testMode: '测试模式',
  paymentMethod: '支付方式',
  methodCard: '银行卡',
  methodQr: '扫码支付',
  noMethods: '此订单暂无可用的支付方式，请联系商家。',
  cardNumber: '卡号',
  expiry: '有效期',
  expiryPlaceholder: '月 / 年',
  cvc: '安全码',
  numberIncomplete: '卡号不完整。',
  numberInvalid: '卡号无效。',
  expiryIncomplete: '有效期不完整。',
  expiryInvalid: '有效期月份无效。',
  expiryPast: '银行卡已过期。',
  cvcIncomplete: '安全码不完整。',
  pay: '支付 {amount}',
  processing: '处理中…',
  secureNote: '支付信息经加密安全处理。',
  authTitle: '确认您的支付',
  authHint: '您的银行需要您确认本次支付。',
  continue: '继续',
  otherMethod: '选择其他支付方式',
  processingTitle: '正在处理支付',
  processingHint: '通常只需几秒钟，请勿关闭此页面。',
  paidTitle: '支付成功',
  paidHint: '订单 {order}',
  authorizedTitle: '支付已授权',
  paidWith: '使用 {brand} •••• {last4} 支付',
  expiredTitle: '收银台已过期',
  expiredHint: '请返回商店重新下单。',
  canceledTitle: '支付已取消',
  canceledHint: '未扣款。如需购买，请返回商店重新下单。',
  failedTitle: '支付失败',
  errorTitle: '出错了',
  retry: '重试',
  networkError: '无法连接支付服务器，请检查网络后重试。',
  sessionLost: '收银台链接不完整或已失效，请返回商店重试。',
  wechatUnavailable: '此页面暂不支持微信支付，请联系商家。',
  sayLoading: '正在加载收银台…',
  saySubmitting: '正在提交支付，请稍候。',
  sayQr: '二维码已显示，请用手机扫码。',
  sayAction: '需要银行确认。',
  sayProcessing: '支付正在处理。',
  sayPaid: '已支付 {amount}，谢谢！',
  sayAuthorized: '已授权支付 {amount}。',
  sayExpired: '收银台已失效。',
  sayCanceled: '已取消支付。',
  sayFailed: '支付未成功。',
  sayError: '收银台加载失败。',
  sayRedirecting: '正在打开支付页面。',
  sayRedirect: '请前往支付页面完成支付。',
  sayWechat: '等待微信支付。',
};

export type Locale = 'en' | 'zh-CN';
export type Translate = (key: MessageKey, values?: Record<string, string>) => string;

/** Any Chinese variant gets Simplified Chinese; everything else English. */
export function chooseLocale(requested: string | null): Locale {
  const language = (requested || navigator.language || 'en').toLowerCase();
  return language.startsWith('zh') ? 'zh-CN' : 'en';
}

const tables: Record<Locale, Record<string, string>> = { en, 'zh-CN': zhCN };

/** Called by the wallet flows' chunk as it loads, before any of its strings is asked for. */
export function addMessages(more: Record<Locale, Record<WalletMessageKey, string>>): void {
  for (const locale of ['en', 'zh-CN'] as const) Object.assign(tables[locale], more[locale]);
}

export function translator(locale: Locale): Translate {
  const table = tables[locale];
  return (key, values) => table[key]!.replace(/\{(\w+)\}/g, (match, name: string) => values?.[name] ?? match);
}
