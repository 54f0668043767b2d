/**
 * WeChat Pay API v3 for a directly connected merchant (普通商户): Native (QR on desktop), H5
 * (mobile browsers) and JSAPI (inside WeChat). Requests are signed with the merchant's API key,
 * answers and callbacks verified with WeChat's key and callbacks decrypted with the APIv3 key.
 * WeChat Pay has no sandbox: test mode talks to whatever WECHATPAY_API_TEST names (the fake).
 */
import { TillError } from '../../../shared/errors.ts';
import type { PaymentMethod } from '../../../shared/schemas.ts';
import { now } from '../../base/clock.ts';
import type { Channel, ChannelContext } from '../types.ts';
import { WECHATPAY_LIVE_API, WechatpayClient } from './api-client.ts';
import { type WechatpayCredentials, WechatpayCredentialsSchema } from './credentials.ts';
import { type WechatpayInput, WechatpayInputSchema } from './input.ts';
import { readNotification } from './notification.ts';
import { closeTrade, queryTrade, startTrade } from './payments.ts';
import { refundResultOf, refundTrade } from './refunds.ts';
import { refundProblemOf, tradeOutcome } from './trade-state.ts';

export type { WechatpayCredentials } from './credentials.ts';
export type { WechatpayInput } from './input.ts';

const LABEL = 'WeChat Pay';

function credentialsOf(ctx: ChannelContext<WechatpayCredentials>): WechatpayCredentials {
  if (!ctx.credentials) {
    throw new TillError(
      'channel_not_available',
      `WeChat Pay has no credentials for ${ctx.mode} mode: set them with POST /v1/merchant/channels/wechatpay`,
    );
  }
  return ctx.credentials;
}

function apiBase(ctx: ChannelContext<WechatpayCredentials>): string {
  if (ctx.mode === 'live') return ctx.env.WECHATPAY_API_LIVE || WECHATPAY_LIVE_API;
  if (!ctx.env.WECHATPAY_API_TEST) {
    throw new TillError(
      'channel_not_available',
      'WeChat Pay has no sandbox: test mode works only where the operator ' +
        'sets WECHATPAY_API_TEST to a stand-in such as the bundled fake',
    );
  }
  return ctx.env.WECHATPAY_API_TEST;
}

const clientFor = (ctx: ChannelContext<WechatpayCredentials>): WechatpayClient =>
  new WechatpayClient({ baseUrl: apiBase(ctx), credentials: credentialsOf(ctx) });

export const wechatpay: Channel<WechatpayInput, WechatpayCredentials> = {
  id: 'wechatpay',
  credentials: WechatpayCredentialsSchema,
  input: WechatpayInputSchema,

  methods(order, context) {
    // WeChat Pay takes CNY only, and takes it at once: nothing can be held for a later capture.
    if (order.currency !== 'CNY' || order.capture_method !== 'automatic') return [];
    const method = (name: string, kind: PaymentMethod['kind']): PaymentMethod[] => [
      { channel: 'wechatpay', method: name, kind, label: LABEL },
    ];
    switch (context) {
      case 'desktop':
        return method('native', 'qr');
      case 'mobile':
        return method('h5', 'redirect');
      case 'wechat':
        return method('jsapi', 'jsapi');
      case 'alipay':
        return [];
    }
  },

  async start(ctx, request, input) {
    return startTrade(clientFor(ctx), request, input, ctx.notifyUrl);
  },

  async parseNotification(ctx, raw) {
    // Without the merchant's keys for this mode nothing can be verified: refused as a bad
    // signature (as a callback that fails verification is), not retried as an outage.
    if (!ctx.credentials)
      throw new TillError(
        'invalid_signature',
        `WeChat Pay notification for an order whose merchant has no WeChat Pay credentials in ${ctx.mode} mode`,
      );
    const note = await readNotification(ctx.credentials, raw.body, raw.headers, now());
    if (note.kind === 'refund') {
      if (note.refundStatus === 'ABNORMAL') {
        // REFUND.ABNORMAL is no end: the refund stays pending and may still end REFUND.SUCCESS.
        console.warn('wechatpay refund abnormal', {
          order: raw.orderId,
          refund: note.refundId,
          reason: refundProblemOf('ABNORMAL')?.message,
        });
      }
      return {
        kind: 'refund',
        orderId: raw.orderId,
        attemptId: note.attemptId,
        refundId: note.refundId,
        eventId: note.eventId,
        result: refundResultOf(note.refundStatus, note.wechatRefundId),
      };
    }
    return {
      kind: 'payment',
      orderId: raw.orderId,
      attemptId: note.attemptId,
      eventId: note.eventId,
      amount: note.amount,
      currency: note.currency,
      // A state that is not final (NOTPAY, USERPAYING) is no news, as it is to a query.
      outcome: tradeOutcome(note.tradeState, note.tradeStateDesc),
    };
  },

  // WeChat wants 200/204 with no body for success, and a 4xx/5xx with {code:"FAIL"} to send again.
  acknowledge(applied) {
    if (applied) return new Response(null, { status: 204 });
    return new Response(JSON.stringify({ code: 'FAIL', message: '失败' }), {
      status: 500,
      headers: { 'content-type': 'application/json' },
    });
  },

  async query(ctx, trade) {
    return queryTrade(clientFor(ctx), trade);
  },

  async refund(ctx, trade, amount, refundId) {
    return refundTrade(clientFor(ctx), trade, amount, refundId, ctx.notifyUrl);
  },

  async capture() {
    return {
      status: 'failed',
      failure: {
        code: 'capture_not_supported',
        message: 'WeChat Pay takes payments at once; there is nothing to capture.',
      },
    };
  },

  async cancel(ctx, trade) {
    return closeTrade(clientFor(ctx), trade);
  },
};
