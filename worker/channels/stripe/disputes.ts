/**
 * Stripe's `charge.dispute.*` events. A Dispute carries no metadata of Till's: it names the disputed
 * PaymentIntent, which Till finds in its index of paid attempts (the route) and among the order's
 * attempts (the order object). Stripe's reasons and statuses, in Till's words.
 */
import { TillError } from '../../../shared/errors.ts';
import { isCurrency } from '../../../shared/money.ts';
import { DISPUTE_REASONS, type DisputeReason, type DisputeStatus } from '../../../shared/order-model.ts';
import type { DisputeNotification } from '../types.ts';
import { fromStripeAmount } from './amounts.ts';

const STATUSES: Readonly<Record<string, DisputeStatus>> = {
  warning_needs_response: 'inquiry',
  warning_under_review: 'inquiry',
  warning_closed: 'inquiry_closed',
  needs_response: 'needs_response',
  under_review: 'under_review',
  won: 'won',
  // Stripe stopped the chargeback with the network's own evidence: the money stays.
  prevented: 'won',
  lost: 'lost',
};

const PAYMENT_INTENT = /^pi_[0-9A-Za-z_]+$/;

export const isDisputeEvent = (type: string): boolean => type.startsWith('charge.dispute.');

/** The PaymentIntent a dispute event names (unverified), or null for any other event. */
export function stripeDisputePayment(body: string): string | null {
  try {
    const event = JSON.parse(body) as { type?: unknown; data?: { object?: { payment_intent?: unknown } } };
    const intent = event.data?.object?.payment_intent;
    return typeof event.type === 'string' &&
      isDisputeEvent(event.type) &&
      typeof intent === 'string' &&
      PAYMENT_INTENT.test(intent)
      ? intent
      : null;
  } catch {
    return null;
  }
}

const isTillReason = (reason: string): reason is DisputeReason =>
  (DISPUTE_REASONS as readonly string[]).includes(reason);

/** What a verified dispute event says; a dispute Till cannot read is refused as invalid content. */
export function stripeDisputeNews(
  orderId: string,
  event: { id: string; data: { object: Record<string, unknown> } },
): DisputeNotification {
  const dispute = event.data.object;
  const currency = typeof dispute.currency === 'string' ? dispute.currency.toUpperCase() : '';
  const amount =
    typeof dispute.amount === 'number' && isCurrency(currency) ? fromStripeAmount(dispute.amount, currency) : null;
  const status = typeof dispute.status === 'string' ? STATUSES[dispute.status] : undefined;
  const intent = dispute.payment_intent;
  if (
    typeof dispute.id !== 'string' ||
    typeof intent !== 'string' ||
    !isCurrency(currency) ||
    amount === null ||
    status === undefined
  ) {
    throw new TillError('invalid_parameter', 'Stripe dispute names no payment, amount, currency or status Till knows');
  }
  const reason = typeof dispute.reason === 'string' ? dispute.reason : 'general';
  const details = dispute.evidence_details as { due_by?: unknown } | null | undefined;
  return {
    kind: 'dispute',
    orderId,
    attemptId: null,
    paymentRef: intent,
    eventId: event.id,
    dispute: {
      processorDisputeId: dispute.id,
      amount,
      currency,
      status,
      reason: isTillReason(reason) ? reason : 'general',
      processorReason: reason,
      evidenceDueBy: typeof details?.due_by === 'number' ? details.due_by : null,
    },
  };
}
