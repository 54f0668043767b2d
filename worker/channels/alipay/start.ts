/**
 * Starting an Alipay payment: a QR code from alipay.trade.precreate (a server call), or a signed
 * URL of Alipay's web (page.pay) or mobile (wap.pay) cashier for the shopper's browser.
 */
import { z } from 'zod';
import { TillError } from '../../../shared/errors.ts';
import { toAlipayAmount } from '../../../shared/money.ts';
import { StartAttemptBaseSchema } from '../../../shared/schemas.ts';
import { beijingTime } from '../china-time.ts';
import type { ChannelContext, StartRequest, StartResult } from '../types.ts';
import { gatewayOf } from './context.ts';
import type { AlipayCredentials } from './credentials.ts';
import { callGateway, describeReply, isSuccess, pageUrl } from './gateway.ts';
import { subjectOf } from './protocol.ts';

const base = StartAttemptBaseSchema.extend({ channel: z.literal('alipay') });

export const AlipayInputSchema = z.discriminatedUnion('method', [
  base.extend({ method: z.literal('qr') }).strict(),
  base.extend({ method: z.literal('page') }).strict(),
  base.extend({ method: z.literal('wap') }).strict(),
]);
export type AlipayInput = z.infer<typeof AlipayInputSchema>;

/** Business fields every method shares. The trade closes itself when the order expires. */
function tradeFields(request: StartRequest): Record<string, string> {
  return {
    out_trade_no: request.attemptId,
    total_amount: toAlipayAmount(request.amount, request.currency),
    subject: subjectOf(request.description),
    time_expire: beijingTime(request.expiresAt * 1000),
  };
}

/** Alipay's longest return_url and quit_url. */
const MAX_RETURN_URL = 256;

/**
 * The return URL as Alipay's return_url / quit_url, or undefined to send none. Its fragment is
 * dropped: it may carry a client token, and is no business of Alipay's. Alipay sends browsers
 * back to http(s) pages only, so an app's deep link is left out. A URL longer than Alipay takes
 * is left out too: sent, it would land the shopper on Alipay's error page instead of its cashier.
 * Without one the shopper stays on Alipay's own result page; the payment is learned from the
 * notification either way.
 */
export function cashierReturnUrl(returnUrl: string | undefined): string | undefined {
  if (returnUrl === undefined) return undefined;
  const hash = returnUrl.indexOf('#');
  const page = hash < 0 ? returnUrl : returnUrl.slice(0, hash);
  if (!/^https?:\/\/./i.test(page) || page.length > MAX_RETURN_URL) return undefined;
  return page;
}

export async function startAlipay(
  ctx: ChannelContext<AlipayCredentials>,
  request: StartRequest,
  input: AlipayInput,
): Promise<StartResult> {
  const gateway = gatewayOf(ctx);
  const channelRef = request.attemptId;
  if (input.method === 'qr') {
    const reply = await callGateway(gateway, 'alipay.trade.precreate', tradeFields(request), {
      notify_url: ctx.notifyUrl,
    });
    if (isSuccess(reply)) {
      if (typeof reply.qr_code !== 'string' || reply.qr_code === '')
        throw new TillError('channel_error', 'Alipay precreate answered no qr_code');
      // The trade itself exists at Alipay only once the shopper scans: until then a query answers ACQ.TRADE_NOT_EXIST.
      return {
        channelRef,
        outcome: {
          status: 'requires_action',
          nextAction: { type: 'qr', payload: reply.qr_code, expires_at: request.expiresAt },
        },
      };
    }
    if (reply.code === '40004' && reply.sub_code !== 'ACQ.SYSTEM_ERROR') {
      // A business refusal (amount over the app's limit, the app not signed up for this product, …):
      // this attempt is over.
      const refusal = reply.sub_code ?? reply.code;
      return {
        channelRef,
        outcome: {
          status: 'failed',
          failure: {
            code: 'channel_declined',
            message: `Alipay refused the payment (${refusal}). Try again or choose another method.`,
          },
        },
      };
    }
    // 20000 and ACQ.SYSTEM_ERROR (maybe made, maybe not) or a request Alipay could not read: no answer.
    throw new TillError('channel_error', `Alipay precreate failed (${describeReply(reply)})`);
  }
  const web = input.method === 'page';
  const back = cashierReturnUrl(request.returnUrl);
  const biz = web
    ? { ...tradeFields(request), product_code: 'FAST_INSTANT_TRADE_PAY' }
    : // quit_url: where Alipay's mobile cashier sends a shopper who gives up: back to the widget.
      { ...tradeFields(request), product_code: 'QUICK_WAP_WAY', ...(back ? { quit_url: back } : {}) };
  const url = await pageUrl(gateway, web ? 'alipay.trade.page.pay' : 'alipay.trade.wap.pay', biz, {
    notify_url: ctx.notifyUrl,
    return_url: back,
  });
  return { channelRef, outcome: { status: 'requires_action', nextAction: { type: 'redirect', url } } };
}
