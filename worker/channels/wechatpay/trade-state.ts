/** WeChat Pay's trade and refund states, and what each means for Till. Pure. */
import { z } from 'zod';
import type { Failure } from '../../../shared/schemas.ts';

/**
 * REVOKED, USERPAYING and PAYERROR only occur for payment-code payments, which Till does not make,
 * but a trade can be read back with any.
 */
export const TradeStateSchema = z.enum(['SUCCESS', 'REFUND', 'NOTPAY', 'CLOSED', 'REVOKED', 'USERPAYING', 'PAYERROR']);
export type TradeState = z.infer<typeof TradeStateSchema>;

export const RefundStatusSchema = z.enum(['SUCCESS', 'CLOSED', 'PROCESSING', 'ABNORMAL']);
export type RefundStatus = z.infer<typeof RefundStatusSchema>;

/** A settled trade's outcome (a subset of ChannelOutcome); null while the payer may still pay. */
export type TradeOutcome = { status: 'succeeded' } | { status: 'canceled' } | { status: 'failed'; failure: Failure };

export function tradeOutcome(state: TradeState, description: string | null): TradeOutcome | null {
  switch (state) {
    case 'SUCCESS':
    // REFUND: the trade was paid and has since been refunded (in part or in full).
    case 'REFUND':
      return { status: 'succeeded' };
    case 'NOTPAY':
    case 'USERPAYING':
      return null;
    case 'CLOSED':
    case 'REVOKED':
      return { status: 'canceled' };
    case 'PAYERROR':
      return {
        status: 'failed',
        failure: { code: 'payment_failed', message: description || 'WeChat Pay could not take the payment.' },
      };
  }
}

/**
 * What a refund's status means for Till. SUCCESS is final; CLOSED ends the refund without the
 * money reaching the payer. ABNORMAL is not an end: the bank leg failed (the payer's card was
 * cancelled or frozen, say), and once the merchant acts in the merchant platform (or through the
 * abnormal-refund API) the same refund can still end SUCCESS. A failed refund is final in Till,
 * so ABNORMAL stays pending until WeChat reports the end.
 */
export function refundStatusOf(status: RefundStatus): 'succeeded' | 'pending' | 'failed' {
  switch (status) {
    case 'SUCCESS':
      return 'succeeded';
    case 'PROCESSING':
    case 'ABNORMAL':
      return 'pending';
    case 'CLOSED':
      return 'failed';
  }
}

/** Why a refund in this status did not (yet) reach the payer, for the merchant; null when nothing is wrong. */
export function refundProblemOf(status: RefundStatus): Failure | null {
  switch (status) {
    case 'CLOSED':
      return {
        code: 'refund_declined',
        message: 'WeChat Pay closed the refund (CLOSED) without paying it back to the payer.',
      };
    case 'ABNORMAL':
      // Not a Till failure (the refund is pending): said in logs so the merchant's operator can act.
      return {
        code: 'refund_abnormal',
        message:
          "WeChat Pay could not pay the refund back (ABNORMAL): the payer's bank card refused it. Resolve it in " +
          'the WeChat Pay merchant platform (异常退款); Till keeps the refund pending until WeChat reports its end.',
      };
    case 'SUCCESS':
    case 'PROCESSING':
      return null;
  }
}
