/**
 * The `reference` Till gives Adyen for a payment and for each modification of it. Adyen's webhook
 * HMAC covers the merchantReference but not additionalData (where metadata comes back), so what a
 * webhook must tell Till for sure lives in the reference: the order (to find its object), the
 * attempt, whether the payment waits for a manual capture (an AUTHORISATION is then `authorized`,
 * not paid), and for a refund, Till's refund id. Adyen allows 80 characters:
 *
 *   ord_…-att_…            a payment captured at once, and its capture or cancel (53)
 *   ord_…-att_…-manual     a payment authorized for a manual capture (60)
 *   ord_…-att_…-re…        a refund: Till's refund id `re_…` without its underscore (80)
 */
import { TillError } from '../../../shared/errors.ts';
import { ORDER_ID } from '../../../shared/schema-primitives.ts';
import type { ChannelContext } from '../types.ts';

const REFERENCE = /^(ord_[0-9A-Za-z]{24})-(att_[0-9A-Za-z]{20})(?:-(manual|re[0-9A-Za-z]{24}))?$/;

export interface TillReference {
  orderId: string;
  attemptId: string;
  manualCapture: boolean;
  /** Till's refund id, for a refund's reference. */
  refundId: string | null;
}

export const paymentReference = (orderId: string, attemptId: string, manualCapture: boolean): string =>
  `${orderId}-${attemptId}${manualCapture ? '-manual' : ''}`;

export const refundReference = (orderId: string, attemptId: string, refundId: string): string =>
  `${orderId}-${attemptId}-${refundId.replace(/^re_/, 're')}`;

/** What a reference of Till's names, or null for anyone else's (the account has other business). */
export function readReference(reference: unknown): TillReference | null {
  const match = typeof reference === 'string' ? REFERENCE.exec(reference) : null;
  if (!match) return null;
  const [, orderId, attemptId, tail] = match as unknown as [string, string, string, string | undefined];
  return {
    orderId,
    attemptId,
    manualCapture: tail === 'manual',
    refundId: tail?.startsWith('re') ? `re_${tail.slice(2)}` : null,
  };
}

/**
 * The order a call is about. TradeRef names the attempt only; the notify URL Till builds for the
 * call (`…/notify/<order>`) is the order's own, so it is read from there.
 */
export function orderOf(ctx: Pick<ChannelContext, 'notifyUrl'>): string {
  const orderId = new URL(ctx.notifyUrl).pathname.split('/').at(-1) ?? '';
  if (!ORDER_ID.test(orderId)) throw new TillError('channel_error', 'The call names no order of Till');
  return orderId;
}
