/**
 * Capture, cancel and refund. Adyen checks each request and answers 201 `received`; the outcome
 * comes in a CAPTURE / CANCELLATION / TECHNICAL_CANCEL / REFUND webhook (`success: false` with a
 * reason when it failed, which is rare once Adyen has received the request).
 */
import type { ChannelContext, ChannelOutcome, RefundResult, TradeRef } from '../types.ts';
import { toAdyenAmount } from './amounts.ts';
import { AdyenApiError, type AdyenCall, adyenRequest, refusedAccount } from './api.ts';
import { orderOf, paymentReference, refundReference } from './references.ts';

/** An answer Adyen gives a request it will never take (4xx); throws for a refused key and for everything else. */
function refusal(error: unknown): AdyenApiError {
  const account = refusedAccount(error);
  if (account) throw account;
  if (error instanceof AdyenApiError && error.httpStatus < 500) return error;
  throw error;
}

const captureFailed = (why: string): ChannelOutcome => ({
  status: 'failed',
  failure: { code: 'capture_failed', message: `The authorization could not be captured: ${why}` },
});

/**
 * Adyen's `received` is taken as the capture done: Till's capture is answered at once, an
 * authorization can only move on to paid, and a capture Adyen received fails only rarely (the
 * CAPTURE webhook with `success: false`, or CAPTURE_FAILED days later, is kept in the order's
 * notification log for the merchant to see).
 */
export async function capturePayment(
  call: AdyenCall,
  ctx: ChannelContext,
  trade: TradeRef,
  amount: number,
): Promise<ChannelOutcome> {
  if (!trade.channelRef) return captureFailed('Adyen never named the payment');
  try {
    await adyenRequest(
      call,
      `/payments/${encodeURIComponent(trade.channelRef)}/captures`,
      {
        amount: { value: toAdyenAmount(amount, trade.currency), currency: trade.currency },
        reference: paymentReference(orderOf(ctx), trade.attemptId, false),
      },
      // Keyed by the amount too: a capture retried after a refusal may ask for another amount.
      `till_${trade.attemptId}_capture_${amount}`,
    );
    return { status: 'succeeded', amount };
  } catch (error) {
    return captureFailed(refusal(error).error.message ?? 'Adyen refused the capture');
  }
}

/**
 * Releases the authorization: by pspReference when Adyen named the payment, otherwise by Till's own
 * reference (`POST /cancels`, Adyen's technical cancel), which reaches a payment whose answer was
 * lost. The reference differs with the capture mode, which TradeRef does not carry: both are sent,
 * and Adyen finds at most one payment.
 */
export async function cancelPayment(call: AdyenCall, ctx: ChannelContext, trade: TradeRef): Promise<void> {
  const orderId = orderOf(ctx);
  const reference = paymentReference(orderId, trade.attemptId, false);
  const requests = trade.channelRef
    ? [{ path: `/payments/${encodeURIComponent(trade.channelRef)}/cancels`, body: { reference }, key: 'cancel' }]
    : [false, true].map((manual) => ({
        path: '/cancels',
        body: { paymentReference: paymentReference(orderId, trade.attemptId, manual), reference },
        key: manual ? 'cancel_manual' : 'cancel_auto',
      }));
  for (const { path, body, key } of requests) {
    try {
      await adyenRequest(call, path, body, `till_${trade.attemptId}_${key}`);
    } catch (error) {
      // Refused as a request (the payment is final, or unknown): there is nothing to release.
      refusal(error);
    }
  }
}

interface ModificationAnswer {
  pspReference?: unknown;
  status?: unknown;
}

export async function refundPayment(
  call: AdyenCall,
  ctx: ChannelContext,
  trade: TradeRef,
  amount: number,
  refundId: string,
): Promise<RefundResult> {
  const failed = (why: string): RefundResult => ({
    status: 'failed',
    channelRef: '',
    failure: { code: 'refund_failed', message: `Adyen refused the refund: ${why}` },
  });
  if (!trade.channelRef) return failed('Adyen never named the payment');
  try {
    const answer = await adyenRequest<ModificationAnswer>(
      call,
      `/payments/${encodeURIComponent(trade.channelRef)}/refunds`,
      {
        amount: { value: toAdyenAmount(amount, trade.currency), currency: trade.currency },
        reference: refundReference(orderOf(ctx), trade.attemptId, refundId),
      },
      `till_refund_${refundId}`,
    );
    const channelRef = typeof answer.pspReference === 'string' ? answer.pspReference : '';
    // `received`: the REFUND webhook completes it.
    return { status: 'pending', channelRef };
  } catch (error) {
    return failed(refusal(error).error.message ?? 'no reason given');
  }
}
