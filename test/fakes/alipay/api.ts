/**
 * The trade methods of the fake gateway: precreate, query, refund, fastpay.refund.query and
 * close, plus creating the trade behind a page.pay / wap.pay cashier. Each answers the inner
 * object of `…_response`, as Alipay does, with its business validation.
 */
import { buildNotification, deliver } from './notify.ts';
import type { GatewayRequest } from './request.ts';
import { beijingNow, type FakeState, type PayMethod, parseBeijing, parseYuan, type Trade, yuan } from './state.ts';

export type Reply = Record<string, unknown> & { code: string };

const OK = { code: '10000', msg: 'Success' } as const;
const business = (sub_code: string, sub_msg: string): Reply => ({
  code: '40004',
  msg: 'Business Failed',
  sub_code,
  sub_msg,
});
const badParameter = (sub_msg: string): Reply => business('ACQ.INVALID_PARAMETER', sub_msg);

const OUT_NO = /^[A-Za-z0-9_-]{1,64}$/;
const PRODUCT_CODES: Record<PayMethod, string | null> = {
  precreate: null,
  page: 'FAST_INSTANT_TRADE_PAY',
  wap: 'QUICK_WAP_WAY',
};

const str = (value: unknown): string | undefined => (typeof value === 'string' ? value : undefined);

/** Finds the trade a request names, by out_trade_no or trade_no, within the calling app. */
function named(state: FakeState, request: GatewayRequest): Trade | Reply {
  const outTradeNo = str(request.biz.out_trade_no);
  const tradeNo = str(request.biz.trade_no);
  if (!outTradeNo && !tradeNo) return badParameter('out_trade_no or trade_no is required');
  const trade = outTradeNo ? state.trade(request.app.appId, outTradeNo) : undefined;
  if (!trade || trade.status === null || (tradeNo && trade.tradeNo !== tradeNo))
    return business('ACQ.TRADE_NOT_EXIST', '交易不存在');
  return trade;
}
const isReply = (value: Trade | Reply): value is Reply => 'code' in value;

/** Checks and records a new trade (precreate, or the one behind a cashier page); answers the trade or the refusal. */
export function createTrade(state: FakeState, request: GatewayRequest, method: PayMethod): Trade | Reply {
  const { biz, params } = request;
  const outTradeNo = str(biz.out_trade_no);
  if (!outTradeNo || !OUT_NO.test(outTradeNo)) return badParameter('out_trade_no must be 1-64 letters, digits, _ or -');
  const total = parseYuan(biz.total_amount);
  if (total === null)
    return badParameter(
      `total_amount must be yuan with at most 2 decimals in [0.01, 100000000], got ${JSON.stringify(biz.total_amount)}`,
    );
  const subject = str(biz.subject);
  if (!subject || subject.length > 256) return badParameter('subject is required, at most 256 characters');
  const productCode = PRODUCT_CODES[method];
  if (productCode && biz.product_code !== productCode)
    return badParameter(`product_code must be ${productCode}, got ${JSON.stringify(biz.product_code)}`);
  if (!productCode && biz.product_code !== undefined && biz.product_code !== 'FACE_TO_FACE_PAYMENT')
    return badParameter('product_code must be FACE_TO_FACE_PAYMENT');
  let expiresAt: number | null = null;
  if (biz.time_expire !== undefined) {
    expiresAt = parseBeijing(String(biz.time_expire));
    if (expiresAt === null) return badParameter('time_expire must be yyyy-MM-dd HH:mm:ss');
    if (expiresAt <= Date.now()) return business('ACQ.TRADE_HAS_CLOSE', 'time_expire is already past');
  }
  if (method === 'wap' && biz.quit_url !== undefined && !/^https?:\/\//.test(String(biz.quit_url)))
    return badParameter('quit_url is not a URL');
  if (method === 'wap' && biz.quit_url !== undefined && String(biz.quit_url).length > 256)
    return badParameter('quit_url is longer than 256 characters');
  const existing = state.trade(request.app.appId, outTradeNo);
  if (existing) {
    if (existing.status === 'TRADE_SUCCESS' || existing.status === 'TRADE_FINISHED')
      return business('ACQ.TRADE_HAS_SUCCESS', '交易已被支付');
    if (existing.status === 'TRADE_CLOSED') return business('ACQ.TRADE_HAS_CLOSE', '交易已经关闭');
    if (existing.total !== total || existing.subject !== subject)
      return business('ACQ.CONTEXT_INCONSISTENT', '交易信息被篡改');
    // The same request again (a retry): the same trade and QR code.
    return existing;
  }
  return state.add({
    appId: request.app.appId,
    outTradeNo,
    method,
    totalAmount: biz.total_amount as string,
    total,
    subject,
    notifyUrl: params.notify_url ?? null,
    returnUrl: params.return_url ?? null,
    quitUrl: str(biz.quit_url) ?? null,
    expiresAt,
  });
}

function precreate(state: FakeState, request: GatewayRequest, origin: string): Reply {
  const trade = createTrade(state, request, 'precreate');
  if (isReply(trade)) return trade;
  return { ...OK, out_trade_no: trade.outTradeNo, qr_code: `${origin}/qr/${trade.token}` };
}

function query(state: FakeState, request: GatewayRequest): Reply {
  const trade = named(state, request);
  if (isReply(trade)) return trade;
  return {
    ...OK,
    trade_no: trade.tradeNo,
    out_trade_no: trade.outTradeNo,
    buyer_logon_id: 'buy***@example.com',
    trade_status: trade.status,
    total_amount: trade.totalAmount,
    ...(trade.paidAt
      ? {
          buyer_pay_amount: trade.totalAmount,
          receipt_amount: trade.totalAmount,
          send_pay_date: trade.paidAt,
          buyer_user_id: '2088102000000001',
        }
      : {}),
  };
}

function refund(state: FakeState, request: GatewayRequest): Reply {
  const trade = named(state, request);
  if (isReply(trade)) return trade;
  const amount = parseYuan(request.biz.refund_amount);
  if (amount === null)
    return badParameter(
      `refund_amount must be yuan with at most 2 decimals, got ${JSON.stringify(request.biz.refund_amount)}`,
    );
  const outRequestNo = str(request.biz.out_request_no) ?? trade.outTradeNo;
  if (!OUT_NO.test(outRequestNo)) return badParameter('out_request_no must be 1-64 letters, digits, _ or -');
  const refunded = () => trade.refunds.reduce((sum, r) => sum + r.amount, 0);
  const answer = (fundChange: 'Y' | 'N', at: string): Reply => ({
    ...OK,
    trade_no: trade.tradeNo,
    out_trade_no: trade.outTradeNo,
    buyer_logon_id: 'buy***@example.com',
    fund_change: fundChange,
    refund_fee: yuan(refunded()),
    gmt_refund_pay: at,
    send_back_fee: yuan(amount),
  });
  const before = trade.refunds.find((r) => r.outRequestNo === outRequestNo);
  if (before) {
    // The same request again: nothing more is refunded.
    if (before.amount !== amount) return badParameter('out_request_no was used with another refund_amount');
    return answer('N', before.at);
  }
  if (trade.status === 'TRADE_FINISHED') return business('ACQ.TRADE_HAS_FINISHED', '交易已完结');
  if (trade.status !== 'TRADE_SUCCESS') return business('ACQ.TRADE_STATUS_ERROR', '交易状态不合法');
  if (!request.biz.out_request_no && amount !== trade.total)
    return business('ACQ.REFUND_AMT_NOT_EQUAL_TOTAL', '退款金额与交易金额不一致');
  if (refunded() + amount > trade.total) return business('ACQ.REASON_TRADE_REFUND_FEE_ERR', '退款金额超限');
  const at = beijingNow();
  trade.refunds.push({ outRequestNo, amount, at });
  if (refunded() === trade.total) {
    // Refunded in full: Alipay closes the trade.
    trade.status = 'TRADE_CLOSED';
    trade.closedAt = at;
  }
  const notification = buildNotification(state, trade, { outRequestNo, at });
  if (notification) void deliver(state, trade, notification);
  return answer('Y', at);
}

function refundQuery(state: FakeState, request: GatewayRequest): Reply {
  const trade = named(state, request);
  if (isReply(trade)) return trade;
  const outRequestNo = str(request.biz.out_request_no);
  if (!outRequestNo) return badParameter('out_request_no is required');
  const found = trade.refunds.find((r) => r.outRequestNo === outRequestNo);
  const base = {
    ...OK,
    trade_no: trade.tradeNo,
    out_trade_no: trade.outTradeNo,
    out_request_no: outRequestNo,
    total_amount: trade.totalAmount,
  };
  // No refund_status: Alipay never received (or refused) this request.
  if (!found) return base;
  return { ...base, refund_amount: yuan(found.amount), refund_status: 'REFUND_SUCCESS', gmt_refund_pay: found.at };
}

function close(state: FakeState, request: GatewayRequest): Reply {
  const trade = named(state, request);
  if (isReply(trade)) return trade;
  // Only a trade waiting for its payer can be closed; a closed or paid one is "in the wrong state".
  if (trade.status !== 'WAIT_BUYER_PAY') return business('ACQ.TRADE_STATUS_ERROR', '交易状态不合法');
  trade.status = 'TRADE_CLOSED';
  trade.closedAt = beijingNow();
  return { ...OK, trade_no: trade.tradeNo, out_trade_no: trade.outTradeNo };
}

/** The server-call methods the fake implements. */
export const METHODS: Record<string, (state: FakeState, request: GatewayRequest, origin: string) => Reply> = {
  'alipay.trade.precreate': precreate,
  'alipay.trade.query': query,
  'alipay.trade.refund': refund,
  'alipay.trade.fastpay.refund.query': refundQuery,
  'alipay.trade.close': close,
};
