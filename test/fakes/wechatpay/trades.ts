/** Trades and refunds as WeChat shows them (query answers and callback resources), and paying a trade. */
import { buildCallback, type Callback, chinaTime, nowSeconds } from './protocol.ts';
import { type FakeState, type Refund, randomAlnum, randomDigits, type Trade } from './state.ts';

const STATE_DESC: Record<Trade['state'], string> = {
  NOTPAY: '订单未支付',
  SUCCESS: '支付成功',
  REFUND: '转入退款',
  CLOSED: '订单已关闭',
};

/** The transaction object of a query answer and of a TRANSACTION.SUCCESS callback. */
export function transactionView(trade: Trade, overrides: { total?: number } = {}): Record<string, unknown> {
  const paid = trade.state === 'SUCCESS' || trade.state === 'REFUND';
  const total = overrides.total ?? trade.total;
  return {
    appid: trade.appid,
    mchid: trade.mchid,
    out_trade_no: trade.out_trade_no,
    ...(paid
      ? {
          transaction_id: trade.transaction_id,
          trade_type: trade.trade_type,
          bank_type: 'OTHERS',
          success_time: trade.success_time,
        }
      : {}),
    trade_state: trade.state,
    trade_state_desc: STATE_DESC[trade.state],
    attach: '',
    ...(paid ? { payer: { openid: trade.openid } } : {}),
    amount: paid
      ? { total, payer_total: total, currency: 'CNY', payer_currency: 'CNY' }
      : { total, currency: 'CNY', payer_currency: 'CNY' },
  };
}

/** The refund object of a refund answer and a refund query. */
export function refundView(refund: Refund): Record<string, unknown> {
  return {
    refund_id: refund.refund_id,
    out_refund_no: refund.out_refund_no,
    transaction_id: refund.transaction_id,
    out_trade_no: refund.out_trade_no,
    channel: 'ORIGINAL',
    user_received_account: '支付用户零钱',
    ...(refund.success_time ? { success_time: refund.success_time } : {}),
    create_time: refund.create_time,
    status: refund.status,
    funds_account: 'AVAILABLE',
    amount: {
      total: refund.total,
      refund: refund.refund,
      payer_total: refund.total,
      payer_refund: refund.refund,
      settlement_refund: refund.refund,
      settlement_total: refund.total,
      discount_refund: 0,
      currency: 'CNY',
      refund_fee: 0,
    },
  };
}

/** What is left to refund: refunds that took money or may still take it (ABNORMAL ones wait to be paid out) count. */
export function refundable(state: FakeState, trade: Trade): number {
  const taken = state.refundsOf(trade.out_trade_no).filter((refund) => refund.status !== 'CLOSED');
  return trade.total - taken.reduce((sum, refund) => sum + refund.refund, 0);
}

export type PayResult = { ok: true; trade: Trade } | { ok: false; status: number; code: string; message: string };

/** The payer pays: NOTPAY → SUCCESS (an already paid trade stays as it is, so its callback can be sent again). */
export function payTrade(trade: Trade, openid?: string): PayResult {
  if (trade.state === 'SUCCESS' || trade.state === 'REFUND') return { ok: true, trade };
  if (trade.state === 'CLOSED')
    return { ok: false, status: 409, code: 'ORDER_CLOSED', message: '订单已关闭 (the trade is closed)' };
  if (trade.expires_at !== null && trade.expires_at <= nowSeconds()) {
    return { ok: false, status: 409, code: 'ORDER_EXPIRED', message: '订单已过期 (past time_expire)' };
  }
  trade.state = 'SUCCESS';
  trade.transaction_id = `4200${randomDigits(24)}`;
  trade.success_time = chinaTime(nowSeconds());
  trade.openid = openid ?? trade.openid ?? `oFake${randomAlnum(23)}`;
  trade.event_id = `EV-${randomDigits(20)}`;
  return { ok: true, trade };
}

/**
 * The TRANSACTION.SUCCESS callback of a paid trade; a fault changes what it says, signed and encrypted all the same.
 */
export function paymentCallback(state: FakeState, trade: Trade): Callback {
  const fault = state.takeFault(
    ['tamper_amount', 'foreign_currency', 'garbled_resource'],
    trade.mchid,
    trade.out_trade_no,
  );
  const resource = transactionView(
    trade,
    fault?.kind === 'tamper_amount' ? { total: fault.amount ?? trade.total + 1 } : {},
  );
  if (fault?.kind === 'foreign_currency') resource.amount = { ...(resource.amount as object), currency: 'USD' };
  return buildCallback(state, {
    mchid: trade.mchid,
    notifyUrl: trade.notify_url,
    eventId: trade.event_id!,
    eventType: 'TRANSACTION.SUCCESS',
    summary: '支付成功',
    originalType: 'transaction',
    resource,
    ...(fault?.kind === 'garbled_resource' ? { plaintext: `${JSON.stringify(resource).slice(0, -1)},` } : {}),
  });
}

export function refundCallback(state: FakeState, refund: Refund, notifyUrl: string): Callback {
  // One id per refund: a resend of its callback repeats it.
  refund.event_id ??= `EV-${randomDigits(20)}`;
  return buildCallback(state, {
    mchid: refund.mchid,
    notifyUrl,
    eventId: refund.event_id,
    eventType: `REFUND.${refund.status}`,
    summary: refund.status === 'SUCCESS' ? '退款成功' : refund.status === 'CLOSED' ? '退款关闭' : '退款异常',
    originalType: 'refund',
    resource: {
      mchid: refund.mchid,
      out_trade_no: refund.out_trade_no,
      transaction_id: refund.transaction_id,
      out_refund_no: refund.out_refund_no,
      refund_id: refund.refund_id,
      refund_status: refund.status,
      ...(refund.success_time ? { success_time: refund.success_time } : {}),
      user_received_account: '支付用户零钱',
      amount: { total: refund.total, refund: refund.refund, payer_total: refund.total, payer_refund: refund.refund },
    },
  });
}
