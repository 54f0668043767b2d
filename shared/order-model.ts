/**
 * The order state machine as data. The order Durable Object decides with these functions and
 * the widget renders with them, so both agree on what each status allows.
 */

export const ORDER_STATUSES = [
  'open',
  'requires_action',
  'processing',
  'authorized',
  'paid',
  'failed',
  'canceled',
  'voided',
  'expired',
] as const;
export type OrderStatus = (typeof ORDER_STATUSES)[number];

/** Every allowed order transition; anything absent is refused. */
export const ORDER_TRANSITIONS: Readonly<Record<OrderStatus, readonly OrderStatus[]>> = {
  // An attempt's failure returns the order to `open` so the shopper can try again.
  open: ['requires_action', 'processing', 'authorized', 'paid', 'failed', 'canceled', 'expired'],
  requires_action: ['open', 'requires_action', 'processing', 'authorized', 'paid', 'failed', 'canceled', 'expired'],
  processing: ['open', 'requires_action', 'authorized', 'paid', 'failed', 'expired'],
  // An authorization is captured (paid) or released (voided: by the merchant, or when it lapses).
  authorized: ['paid', 'voided'],
  paid: [],
  failed: [],
  canceled: [],
  voided: [],
  expired: [],
};

export const ATTEMPT_STATUSES = [
  'pending',
  'requires_action',
  'processing',
  'authorized',
  'succeeded',
  'failed',
  'canceled',
] as const;
export type AttemptStatus = (typeof ATTEMPT_STATUSES)[number];

export const ATTEMPT_TRANSITIONS: Readonly<Record<AttemptStatus, readonly AttemptStatus[]>> = {
  pending: ['requires_action', 'processing', 'authorized', 'succeeded', 'failed', 'canceled'],
  requires_action: ['processing', 'authorized', 'succeeded', 'failed', 'canceled'],
  processing: ['authorized', 'succeeded', 'failed', 'canceled'],
  authorized: ['succeeded', 'canceled'],
  // A channel may report money taken for an attempt Till had already given up on (closed it,
  // or lost the answer to its call): that money is recorded, then paid into the order or refunded.
  canceled: ['succeeded'],
  failed: ['succeeded'],
  succeeded: [],
};

export function canTransition(from: OrderStatus, to: OrderStatus): boolean {
  return ORDER_TRANSITIONS[from].includes(to);
}

export function canTransitionAttempt(from: AttemptStatus, to: AttemptStatus): boolean {
  return ATTEMPT_TRANSITIONS[from].includes(to);
}

export function isTerminal(status: OrderStatus): boolean {
  return ORDER_TRANSITIONS[status].length === 0;
}

/** Nothing the shopper sees changes any more: the order is paid, authorized or closed. The widget
 * stops following it and the server closes its live socket. */
export function isSettledForShopper(status: OrderStatus): boolean {
  return status !== 'open' && status !== 'requires_action' && status !== 'processing';
}

/** The shopper may start a new attempt only while the order still waits for money. */
export function acceptsAttempts(status: OrderStatus): boolean {
  return status === 'open' || status === 'requires_action';
}

/** Where an order goes when one of its attempts reaches `attempt`. */
export function orderStatusForAttempt(attempt: AttemptStatus): OrderStatus {
  switch (attempt) {
    case 'pending':
    case 'processing':
      return 'processing';
    case 'requires_action':
      return 'requires_action';
    case 'authorized':
      return 'authorized';
    case 'succeeded':
      return 'paid';
    case 'failed':
    case 'canceled':
      return 'open';
  }
}

export const WEBHOOK_EVENT_TYPES = [
  'order.created',
  'order.processing',
  'order.requires_action',
  'order.payment_failed',
  'order.authorized',
  'order.paid',
  'order.failed',
  'order.canceled',
  'order.voided',
  'order.expired',
  'refund.created',
  'refund.succeeded',
  'refund.failed',
  'dispute.created',
  'dispute.updated',
  'dispute.closed',
] as const;
export type WebhookEventType = (typeof WEBHOOK_EVENT_TYPES)[number];

export const REFUND_STATUSES = ['pending', 'succeeded', 'failed'] as const;
export type RefundStatus = (typeof REFUND_STATUSES)[number];

/** A refund waits on its channel (`pending`) until the channel says it succeeded or failed. */
export const REFUND_TRANSITIONS: Readonly<Record<RefundStatus, readonly RefundStatus[]>> = {
  pending: ['succeeded', 'failed'],
  succeeded: [],
  failed: [],
};

export const REFUND_REASONS = ['requested_by_customer', 'duplicate', 'fraudulent', 'other'] as const;
/** Reasons Till gives to refunds it makes on its own: money taken on an attempt that cannot pay the order. */
export const AUTOMATIC_REFUND_REASONS = ['duplicate_payment', 'order_closed'] as const;
export type RefundReason = (typeof REFUND_REASONS)[number] | (typeof AUTOMATIC_REFUND_REASONS)[number];

/**
 * Where a shopper's dispute of a payment stands. `inquiry`: the bank asks before any chargeback
 * (Stripe's warnings, Adyen's request for information); `needs_response`: a chargeback the merchant
 * may defend by the evidence deadline; `under_review`: defended; then `won`, `lost`, or, for an
 * inquiry that never became a chargeback, `inquiry_closed`.
 */
export const DISPUTE_STATUSES = ['inquiry', 'needs_response', 'under_review', 'won', 'lost', 'inquiry_closed'] as const;
export type DisputeStatus = (typeof DISPUTE_STATUSES)[number];
export const CLOSED_DISPUTE_STATUSES: ReadonlySet<DisputeStatus> = new Set(['won', 'lost', 'inquiry_closed']);

/** Why the shopper disputes, in Till's words (the processor's own reason is kept beside it). */
export const DISPUTE_REASONS = [
  'fraudulent',
  'product_not_received',
  'product_unacceptable',
  'duplicate',
  'credit_not_processed',
  'subscription_canceled',
  'unrecognized',
  'general',
] as const;
export type DisputeReason = (typeof DISPUTE_REASONS)[number];

export const CAPTURE_METHODS = ['automatic', 'manual'] as const;
export type CaptureMethod = (typeof CAPTURE_METHODS)[number];

/** The event an order emits on entering a status: every transition is on the timeline.
 * Returning to `open` after a failed attempt is the payment failure the merchant hears about. */
export const EVENT_FOR_STATUS: Readonly<Record<OrderStatus, WebhookEventType>> = {
  open: 'order.payment_failed',
  requires_action: 'order.requires_action',
  processing: 'order.processing',
  authorized: 'order.authorized',
  paid: 'order.paid',
  failed: 'order.failed',
  canceled: 'order.canceled',
  voided: 'order.voided',
  expired: 'order.expired',
};
