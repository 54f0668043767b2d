/**
 * Refunds, idempotent by Till's refund id (WeChat's `out_refund_no`): WeChat refunds one number
 * once, and a retried call is answered with that refund's current state.
 */
import { z } from 'zod';
import { TillError } from '../../../shared/errors.ts';
import type { Failure } from '../../../shared/schemas.ts';
import type { RefundResult, TradeRef } from '../types.ts';
import { WechatpayApiError, type WechatpayClient } from './api-client.ts';
import { type RefundStatus, RefundStatusSchema, refundProblemOf, refundStatusOf } from './trade-state.ts';

/** A refund's status as Till's RefundResult: a failed one carries WeChat's reason. */
export function refundResultOf(status: RefundStatus, channelRef: string): RefundResult {
  const result: RefundResult = { status: refundStatusOf(status), channelRef };
  const problem = refundProblemOf(status);
  if (result.status === 'failed' && problem) result.failure = problem;
  return result;
}

const RefundAnswerSchema = z.object({
  refund_id: z.string().min(1),
  out_refund_no: z.string(),
  out_trade_no: z.string().optional(),
  status: RefundStatusSchema,
});

function resultOf(body: unknown, trade: TradeRef, refundId: string): RefundResult {
  const parsed = RefundAnswerSchema.safeParse(body);
  if (!parsed.success) throw new TillError('channel_error', 'WeChat Pay refund answer has an unexpected shape');
  const refund = parsed.data;
  if (
    refund.out_refund_no !== refundId ||
    (refund.out_trade_no !== undefined && refund.out_trade_no !== trade.attemptId)
  ) {
    throw new TillError('channel_error', 'WeChat Pay answered about another refund or trade');
  }
  if (refund.status === 'ABNORMAL') {
    // Pending, not failed: it can still end SUCCESS once the merchant acts. Logged so they learn why it waits.
    console.warn('wechatpay refund abnormal', {
      attempt: trade.attemptId,
      refund: refundId,
      reason: refundProblemOf('ABNORMAL')?.message,
    });
  }
  return refundResultOf(refund.status, refund.refund_id);
}

/** What the merchant can do about a refusal, by WeChat's code, where there is something to say. */
const REFUSAL_HINTS = new Map([
  ['NOT_ENOUGH', 'the merchant account has too little balance to refund from; top it up and refund again'],
]);

/** Why WeChat refused a refund: its error code and a hint, never the payer's details. */
export function refusalOf(wechatCode: string): Failure {
  // The code is WeChat's (`NOT_ENOUGH`, …); anything else in it is dropped, as is WeChat's message.
  const code = wechatCode.replace(/[^A-Za-z0-9_]/g, '').slice(0, 64) || 'UNKNOWN';
  const hint = REFUSAL_HINTS.get(code);
  return { code: 'refund_declined', message: `WeChat Pay refused the refund (${code})${hint ? `: ${hint}` : ''}.` };
}

const refundPath = (refundId: string): string => `/v3/refund/domestic/refunds/${encodeURIComponent(refundId)}`;

/** The refund WeChat holds under `refundId`, or null when it holds none. */
export async function findRefund(
  client: WechatpayClient,
  trade: TradeRef,
  refundId: string,
): Promise<RefundResult | null> {
  try {
    const { body } = await client.call('GET', refundPath(refundId));
    return resultOf(body, trade, refundId);
  } catch (error) {
    if (error instanceof WechatpayApiError && error.httpStatus === 404) return null;
    throw error;
  }
}

export async function refundTrade(
  client: WechatpayClient,
  trade: TradeRef,
  amount: number,
  refundId: string,
  notifyUrl: string,
): Promise<RefundResult> {
  const request = {
    out_trade_no: trade.attemptId,
    out_refund_no: refundId,
    notify_url: notifyUrl,
    // WeChat checks `total` against the trade, so a refund can only name the trade it belongs to.
    amount: { refund: amount, total: trade.amount, currency: 'CNY' },
  };
  try {
    const { body } = await client.call('POST', '/v3/refund/domestic/refunds', request);
    return resultOf(body, trade, refundId);
  } catch (error) {
    // No answer, or one worth repeating (system error, rate limit, a signature problem to fix):
    // thrown, so Till calls again with the same out_refund_no, which cannot refund twice.
    if (!(error instanceof WechatpayApiError) || error.retryable || error.httpStatus === 401) throw error;
    // A refusal may be WeChat saying this out_refund_no was used already (an earlier call whose
    // answer was lost): then that refund's state is the answer.
    const existing = await findRefund(client, trade, refundId);
    if (existing) return existing;
    // A business refusal (NOT_ENOUGH, a trade too old, …): no money moved under this number.
    console.warn('wechatpay refund refused', { attempt: trade.attemptId, refund: refundId, code: error.wechatCode });
    return { status: 'failed', channelRef: refundId, failure: refusalOf(error.wechatCode) };
  }
}
