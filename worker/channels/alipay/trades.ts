/**
 * What Till asks of an Alipay trade after it started: its state (alipay.trade.query), a refund
 * (alipay.trade.refund, confirmed by alipay.trade.fastpay.refund.query) and closing it
 * (alipay.trade.close). Business refusals are answers; anything else throws, and Till's caller
 * takes a throw as "no answer" and asks again later.
 */
import { TillError } from '../../../shared/errors.ts';
import { MoneyError, parseDecimalString, toAlipayAmount } from '../../../shared/money.ts';
import type { Failure } from '../../../shared/schemas.ts';
import type { ChannelContext, ChannelOutcome, RefundResult, TradeRef } from '../types.ts';
import { gatewayOf } from './context.ts';
import type { AlipayCredentials } from './credentials.ts';
import { type AlipayReply, callGateway, describeReply, type GatewayConfig, isSuccess } from './gateway.ts';

type Ctx = ChannelContext<AlipayCredentials>;

const NOT_EXIST = 'ACQ.TRADE_NOT_EXIST';
/** "Try again" answers: 20000 (service unavailable) and Alipay's system error, made or not. */
const isRetryable = (reply: AlipayReply): boolean => reply.code === '20000' || reply.sub_code === 'ACQ.SYSTEM_ERROR';
const isBusinessRefusal = (reply: AlipayReply): boolean => reply.code === '40004' && !isRetryable(reply);

const unexpected = (method: string, reply: AlipayReply): TillError =>
  new TillError('channel_error', `Alipay ${method} failed (${describeReply(reply)})`);

/** A trade's state as Alipay's trade_status says it. */
export function outcomeOfStatus(status: unknown): ChannelOutcome | null {
  switch (status) {
    case 'WAIT_BUYER_PAY':
      return null;
    case 'TRADE_SUCCESS':
    case 'TRADE_FINISHED': // paid and past its refund period
      return { status: 'succeeded' };
    case 'TRADE_CLOSED':
      // Closed unpaid (expired or closed by Till). A paid trade refunded in full is closed too,
      // but Till heard it succeed before it could refund it, and a success is never undone.
      return { status: 'canceled' };
    default:
      throw new TillError('channel_error', `Alipay answered an unknown trade_status ${JSON.stringify(status)}`);
  }
}

async function queryReply(gateway: GatewayConfig, attemptId: string): Promise<AlipayReply> {
  const reply = await callGateway(gateway, 'alipay.trade.query', { out_trade_no: attemptId });
  if (isSuccess(reply)) return reply;
  // Before the shopper scans a QR code (or logs in at the cashier) Alipay has no trade yet.
  if (reply.sub_code === NOT_EXIST) throw new TillError('channel_trade_not_found', 'Alipay has no such trade');
  throw unexpected('alipay.trade.query', reply);
}

export async function queryAlipay(ctx: Ctx, trade: TradeRef): Promise<ChannelOutcome | null> {
  const reply = await queryReply(gatewayOf(ctx), trade.attemptId);
  const outcome = outcomeOfStatus(reply.trade_status);
  // A signed answer naming another total is not an answer about this attempt's trade (Till
  // signed the attempt's amount into precreate / page.pay): no answer, asked again later.
  if (typeof reply.total_amount === 'string') {
    let total: number;
    try {
      total = parseDecimalString(reply.total_amount, 'CNY');
    } catch (error) {
      if (error instanceof MoneyError)
        throw new TillError('channel_error', `Alipay query answered a total_amount Till cannot read: ${error.message}`);
      throw error;
    }
    if (total !== trade.amount || trade.currency !== 'CNY')
      throw new TillError('channel_error', 'Alipay query answered a total_amount other than the attempt’s');
  } else if (outcome?.status === 'succeeded') {
    throw new TillError('channel_error', 'Alipay query answered a paid trade without its total_amount');
  }
  return outcome;
}

/** Alipay's refund query for one refund request, its reply checked to be about that request. */
async function refundQuery(gateway: GatewayConfig, trade: TradeRef, refundId: string): Promise<AlipayReply> {
  const reply = await callGateway(gateway, 'alipay.trade.fastpay.refund.query', {
    out_trade_no: trade.attemptId,
    out_request_no: refundId,
  });
  if (isSuccess(reply) && reply.out_request_no !== undefined && reply.out_request_no !== refundId)
    throw new TillError('channel_error', 'Alipay answered about another refund');
  return reply;
}

/**
 * The refund a successful refund query reports as made, or null when it reports none (an absent
 * refund_status is "not refunded").
 */
function refundMade(reply: AlipayReply, amount: string, refundId: string): RefundResult | null {
  if (!isSuccess(reply) || reply.refund_status !== 'REFUND_SUCCESS') return null;
  // One refund id always carries one amount; another amount means another request answered.
  if (reply.refund_amount !== undefined && reply.refund_amount !== amount)
    throw new TillError('channel_error', 'Alipay refunded another amount for this refund id');
  return { status: 'succeeded', channelRef: typeof reply.trade_no === 'string' ? reply.trade_no : refundId };
}

/**
 * Alipay's word on one refund request Alipay took; REFUND_SUCCESS is the only success, anything
 * else is "not (yet) refunded".
 */
async function refundState(
  gateway: GatewayConfig,
  trade: TradeRef,
  amount: string,
  refundId: string,
): Promise<RefundResult> {
  const reply = await refundQuery(gateway, trade, refundId);
  if (!isSuccess(reply) && !(isBusinessRefusal(reply) && reply.sub_code !== NOT_EXIST))
    throw unexpected('alipay.trade.fastpay.refund.query', reply);
  return refundMade(reply, amount, refundId) ?? { status: 'pending', channelRef: refundId };
}

/** What the merchant can do about a refusal, by Alipay's sub_code, where there is something to say. */
const REFUSAL_HINTS = new Map([
  [
    'ACQ.SELLER_BALANCE_NOT_ENOUGH',
    'the Alipay account has too little balance to refund from; top it up and refund again',
  ],
  ['ACQ.REASON_TRADE_REFUND_FEE_ERR', 'more than is left to refund on the trade'],
  ['ACQ.TRADE_HAS_FINISHED', 'the trade is past its refund period'],
]);

/**
 * Why Alipay refused a refund: its sub_code and a hint, never sub_msg (Alipay's words, which Till
 * does not vet for payer data).
 */
export function refusalOf(reply: AlipayReply): Failure {
  const code = (reply.sub_code ?? reply.code).replace(/[^A-Za-z0-9_.-]/g, '').slice(0, 64) || 'UNKNOWN';
  const hint = REFUSAL_HINTS.get(code);
  return { code: 'refund_declined', message: `Alipay refused the refund (${code})${hint ? `: ${hint}` : ''}.` };
}

export async function refundAlipay(ctx: Ctx, trade: TradeRef, amount: number, refundId: string): Promise<RefundResult> {
  const gateway = gatewayOf(ctx);
  const refundAmount = toAlipayAmount(amount, 'CNY');
  // out_request_no is always sent: it makes the request idempotent (a repeat refunds nothing
  // more and answers fund_change N) and lets a partial refund follow another.
  const reply = await callGateway(gateway, 'alipay.trade.refund', {
    out_trade_no: trade.attemptId,
    refund_amount: refundAmount,
    out_request_no: refundId,
  });
  if (isSuccess(reply)) {
    const channelRef = typeof reply.trade_no === 'string' ? reply.trade_no : refundId;
    if (reply.fund_change === 'Y') return { status: 'succeeded', channelRef };
    // N: this request was refunded before (a retry) or is not through yet; the refund query says which.
    return refundState(gateway, trade, refundAmount, refundId);
  }
  if (isBusinessRefusal(reply)) {
    // More than is left (ACQ.REASON_TRADE_REFUND_FEE_ERR), a trade past its refund period
    // (ACQ.TRADE_STATUS_ERROR, ACQ.TRADE_HAS_FINISHED), the merchant's balance too low
    // (ACQ.SELLER_BALANCE_NOT_ENOUGH): Alipay will not refund now. But an earlier call with this
    // out_request_no whose answer was lost may have gone through (a full refund closes the trade,
    // and the repeat then meets ACQ.TRADE_STATUS_ERROR): the refund query says which, and only
    // "not refunded" makes the refusal final. A query with no answer throws: asked again later.
    const query = await refundQuery(gateway, trade, refundId);
    if (!isSuccess(query) && !isBusinessRefusal(query)) throw unexpected('alipay.trade.fastpay.refund.query', query);
    return (
      refundMade(query, refundAmount, refundId) ?? { status: 'failed', channelRef: refundId, failure: refusalOf(reply) }
    );
  }
  // 20000 / ACQ.SYSTEM_ERROR: retried with the same out_request_no, which refunds at most once.
  throw unexpected('alipay.trade.refund', reply);
}

export async function closeAlipay(ctx: Ctx, trade: TradeRef): Promise<void> {
  const gateway = gatewayOf(ctx);
  const reply = await callGateway(gateway, 'alipay.trade.close', { out_trade_no: trade.attemptId });
  // Never opened (a QR nobody scanned yet): nothing to close. Its QR code stays valid until
  // time_expire, the order's expiry; a payment after Till gave the attempt up is refunded by Till.
  if (isSuccess(reply) || reply.sub_code === NOT_EXIST || reply.sub_code === 'ACQ.TRADE_HAS_CLOSE') return;
  if (reply.sub_code === 'ACQ.TRADE_STATUS_ERROR') {
    // Closed already, or paid: only the trade's state tells. A paid trade is not closed, and
    // throwing leaves reconciliation to learn that it is paid.
    const state = await queryReply(gateway, trade.attemptId);
    if (state.trade_status === 'TRADE_CLOSED') return;
    throw new TillError('channel_error', `Alipay will not close a trade that is ${String(state.trade_status)}`);
  }
  throw unexpected('alipay.trade.close', reply);
}
