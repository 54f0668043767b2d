/**
 * The Alipay channel: the merchant's own Alipay Open Platform app, over the gateway protocol
 * (RSA2). QR codes (alipay.trade.precreate) on desktops, Alipay's web cashier (page.pay) on
 * desktops and its mobile cashier (wap.pay) on phones and inside the Alipay app; not inside
 * WeChat, which blocks Alipay's pages. Automatic capture only: an Alipay payment takes the money.
 */
import type { PaymentMethod } from '../../../shared/schemas.ts';
import type { Channel } from '../types.ts';
import { type AlipayCredentials, AlipayCredentialsSchema } from './credentials.ts';
import { parseAlipayNotification } from './notification.ts';
import { type AlipayInput, AlipayInputSchema, startAlipay } from './start.ts';
import { closeAlipay, queryAlipay, refundAlipay } from './trades.ts';

export type { AlipayCredentials } from './credentials.ts';

/** Alipay's largest trade: 100,000,000.00 yuan, in fen. */
const MAX_ALIPAY_AMOUNT = 10_000_000_000;

const QR: PaymentMethod = { channel: 'alipay', method: 'qr', kind: 'qr', label: 'Alipay' };
const PAGE: PaymentMethod = { channel: 'alipay', method: 'page', kind: 'redirect', label: 'Alipay (web)' };
const WAP: PaymentMethod = { channel: 'alipay', method: 'wap', kind: 'redirect', label: 'Alipay' };

export const alipay: Channel<AlipayInput, AlipayCredentials> = {
  id: 'alipay',
  credentials: AlipayCredentialsSchema,
  input: AlipayInputSchema,

  methods(order, context) {
    if (order.currency !== 'CNY' || order.capture_method !== 'automatic' || order.amount > MAX_ALIPAY_AMOUNT) return [];
    switch (context) {
      case 'desktop':
        return [QR, PAGE];
      case 'mobile':
      case 'alipay':
        return [WAP];
      case 'wechat':
        return [];
    }
  },

  start: startAlipay,
  parseNotification: parseAlipayNotification,

  acknowledge(applied) {
    // Alipay reads exactly `success` as "received" and anything else as "send it again" (about
    // 8 times over 25 hours). A notification Till could not apply yet answers `fail` with a 200:
    // the status is not what Alipay reads, and a 5xx would only look like an outage in logs.
    return new Response(applied ? 'success' : 'fail', {
      status: 200,
      headers: { 'content-type': 'text/plain; charset=utf-8' },
    });
  },

  query: queryAlipay,
  refund: refundAlipay,

  async capture() {
    return {
      status: 'failed',
      failure: { code: 'capture_not_supported', message: 'Alipay payments are captured when they are made.' },
    };
  },

  cancel: closeAlipay,
};
