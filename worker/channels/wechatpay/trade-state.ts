/** WeChat Pay's trade and refund states, and what each means for Till. Pure. */
import { z } from 'zod';
import type { Failure } from '../../../shared/schemas.ts';

/** REVOKED, USERPAYING and PAYERROR only occur for payment-code payments, which Till does not make, but a trade can be read back with any. */
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
      return { status: 'failed', failure: { code: 'payment_failed', message: description || 'WeChat Pay could not take the payment.' } };
  }
}

/** ABNORMAL (the payer's card refused the money back) and CLOSED end the refund without the money reaching the payer. */
export function refundStatusOf(status: RefundStatus): 'succeeded' | 'pending' | 'failed' {
  switch (status) {
    case 'SUCCESS':
      return 'succeeded';
    case 'PROCESSING':
      return 'pending';
    case 'CLOSED':
    case 'ABNORMAL':
      return 'failed';
  }
}
