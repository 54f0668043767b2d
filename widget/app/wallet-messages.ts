/**
 * The strings of the wallet flows (QR code, cashier page, WeChat's sheet). They load with those
 * flows, off the critical path, and join the tables in messages.ts when they do.
 */
const en = {
  scanTitle: 'Scan to pay {amount}',
  scanHint: 'Scan with your phone to pay',
  qrLabel: 'QR code to pay {amount}',
  openPaymentPage: 'Open the payment page',
  waitingForPayment: 'Waiting for payment…',
  codeExpiresIn: 'Code expires in {time}',
  codeExpiredTitle: 'This code has expired',
  newCode: 'Get a new code',
  redirectingTo: 'Redirecting to {name}…',
  redirectTitle: 'Continue to {name}',
  redirectHint: 'You will finish paying on the {name} page.',
  checkingTitle: 'Checking your payment',
  returnedHint: 'Not finished paying? Continue to {name} or choose another way to pay.',
  wechatTitle: 'Confirm the payment in WeChat',
  alipay: 'Alipay',
  wechatpay: 'WeChat Pay',
  sayCodeSoon: 'Less than a minute left to scan the code.',
  sayCodeExpired: 'The QR code ran out of time.',
  wechatCanceled: 'You closed WeChat Pay. Pay again or choose another way to pay.',
  wechatFailed: 'WeChat Pay could not take the payment. Try again or choose another way to pay.',
};

export type WalletMessageKey = keyof typeof en;

const zhCN: Record<WalletMessageKey, string> = {
  scanTitle: '扫码支付 {amount}',
  scanHint: '请用手机扫码支付',
  qrLabel: '支付 {amount} 的二维码',
  openPaymentPage: '打开支付页面',
  waitingForPayment: '等待支付…',
  codeExpiresIn: '二维码 {time} 后失效',
  codeExpiredTitle: '二维码已失效',
  newCode: '获取新的二维码',
  redirectingTo: '正在跳转到{name}…',
  redirectTitle: '前往{name}',
  redirectHint: '您将在{name}页面完成支付。',
  checkingTitle: '正在确认支付结果',
  returnedHint: '如未完成支付，可继续前往{name}，或选择其他支付方式。',
  wechatTitle: '请在微信中确认支付',
  alipay: '支付宝',
  wechatpay: '微信支付',
  sayCodeSoon: '二维码将在一分钟内失效。',
  sayCodeExpired: '二维码已超时。',
  wechatCanceled: '您已关闭微信支付。可再次支付，或选择其他支付方式。',
  wechatFailed: '微信支付未能完成，请重试或选择其他支付方式。',
};

export const walletMessages = { en, 'zh-CN': zhCN };
