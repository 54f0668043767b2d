/**
 * What a verified Adyen webhook item says of Till's attempt or refund. The item's merchantReference
 * (signed) names the order, the attempt, a manual capture and, usually, a refund (references.ts); the
 * event and its `success` say what happened.
 */
import { TillError } from '../../../shared/errors.ts';
import { isCurrency } from '../../../shared/money.ts';
import type { ChannelOutcome, VerifiedNotification } from '../types.ts';
import { fromAdyenAmount } from './amounts.ts';
import { refusalFailureFromReason } from './declines.ts';
import { adyenDispute, isDisputeEvent } from './disputes.ts';
import { readReference, type TillReference } from './references.ts';
import { firstItem, type NotificationItem } from './webhook.ts';

/** The order an item names (unverified), or null when it is none of Till's. */
export function adyenEventOrder(body: string): string | null {
  return readReference(firstItem(body)?.merchantReference)?.orderId ?? null;
}

function paymentOutcome(item: NotificationItem, reference: TillReference, amount: number): ChannelOutcome | null {
  const success = item.success === 'true';
  switch (item.eventCode) {
    case 'AUTHORISATION':
      if (success) return { status: reference.manualCapture ? 'authorized' : 'succeeded' };
      return { status: 'failed', failure: refusalFailureFromReason(item.reason ?? '') };
    case 'CANCELLATION':
    case 'TECHNICAL_CANCEL':
      return success ? { status: 'canceled' } : null;
    // The authorization lapsed uncaptured: nothing is left to capture.
    case 'EXPIRE':
      return { status: 'canceled' };
    // A CAPTURE names what it took: part of the authorization after a partial capture.
    case 'CAPTURE':
      return success ? { status: 'succeeded', amount } : null;
    // CAPTURE_FAILED (the scheme refused a capture Adyen had taken) and anything else: logged, nothing to apply.
    default:
      return null;
  }
}

const isRefundEvent = (item: NotificationItem): boolean =>
  item.eventCode === 'REFUND' || item.eventCode === 'REFUND_FAILED';

export function adyenNews(orderId: string, merchantAccount: string, item: NotificationItem): VerifiedNotification {
  if (item.merchantAccountCode !== merchantAccount) {
    throw new TillError('invalid_signature', 'Adyen webhook is for another merchant account');
  }
  const reference = readReference(item.merchantReference);
  if (!reference || reference.orderId !== orderId) {
    throw new TillError('invalid_parameter', 'Adyen webhook is about another order', 'order_id');
  }
  const eventId = `${item.eventCode}:${item.pspReference}:${item.success}`;
  const base = { orderId, attemptId: reference.attemptId, eventId };
  if (isRefundEvent(item)) {
    const succeeded = item.eventCode === 'REFUND' && item.success === 'true';
    const channelRef = item.pspReference ?? '';
    return {
      kind: 'refund',
      ...base,
      // Adyen's reference for the field is "the payment's", its examples and practice the refund
      // request's: with the payment's, the refund is the one Adyen answered with this pspReference.
      refundId: reference.refundId,
      result: succeeded
        ? { status: 'succeeded', channelRef }
        : {
            status: 'failed',
            channelRef,
            failure: { code: 'refund_failed', message: `Adyen could not refund: ${item.reason || item.eventCode}` },
          },
    };
  }
  const currency = item.amount?.currency;
  const value = item.amount?.value;
  const amount = isCurrency(currency) && typeof value === 'number' ? fromAdyenAmount(value, currency) : null;
  if (!isCurrency(currency) || amount === null) {
    throw new TillError('invalid_parameter', 'Adyen webhook names no amount or currency Till knows', 'amount');
  }
  if (isDisputeEvent(item)) {
    const paymentRef = item.originalReference || item.pspReference || '';
    return { kind: 'dispute', ...base, paymentRef, dispute: adyenDispute(item, amount, currency) };
  }
  const outcome = paymentOutcome(item, reference, amount);
  // An AUTHORISATION's pspReference is the payment's own.
  const named = item.eventCode === 'AUTHORISATION' && item.pspReference ? { channelRef: item.pspReference } : {};
  return { kind: 'payment', ...base, amount, currency, outcome, ...named };
}
