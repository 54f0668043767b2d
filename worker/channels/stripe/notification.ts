/**
 * Stripe's webhooks: one endpoint per account (`/v1/channels/stripe/events`), signed in
 * `Stripe-Signature` as `t=<unix>,v1=<hex>[,v1=…]` (several v1 while a secret rotates) over
 * `<t>.<raw body>` with the endpoint secret, 300 s tolerance — the very format of Till's own
 * signatures (shared/signature.ts), so the same verifier checks it. The intent's metadata names the
 * order and attempt Till created it for.
 */
import { TillError } from '../../../shared/errors.ts';
import { isCurrency } from '../../../shared/money.ts';
import { ORDER_ID } from '../../../shared/schema-primitives.ts';
import { SignatureError, verifyPayload } from '../../../shared/signature.ts';
import { now } from '../../base/clock.ts';
import type { VerifiedNotification } from '../types.ts';
import { fromStripeAmount } from './amounts.ts';
import { isDisputeEvent, stripeDisputeNews } from './disputes.ts';
import { intentOutcome, isPaymentIntent } from './intents.ts';

interface StripeEvent {
  id: string;
  type: string;
  data: { object: Record<string, unknown> };
}

const isEvent = (value: unknown): value is StripeEvent => {
  const event = value as Partial<StripeEvent> | null;
  return (
    typeof event?.id === 'string' &&
    typeof event.type === 'string' &&
    typeof event.data === 'object' &&
    event.data !== null &&
    typeof event.data.object === 'object' &&
    event.data.object !== null
  );
};

const metadataOf = (object: Record<string, unknown>): Record<string, unknown> =>
  typeof object.metadata === 'object' && object.metadata !== null ? (object.metadata as Record<string, unknown>) : {};

/** The order an event's object was made for (unverified), or null. */
export function stripeEventOrder(body: string): string | null {
  try {
    const event = JSON.parse(body) as unknown;
    if (!isEvent(event)) return null;
    const order = metadataOf(event.data.object).till_order;
    return typeof order === 'string' && ORDER_ID.test(order) ? order : null;
  } catch {
    return null;
  }
}

export async function verifyStripeEvent(body: string, header: string | null, secret: string): Promise<StripeEvent> {
  try {
    await verifyPayload(body, header, secret, { now: now() });
  } catch (error) {
    if (error instanceof SignatureError) throw new TillError('invalid_signature', `Stripe event: ${error.message}`);
    throw error;
  }
  let event: unknown;
  try {
    event = JSON.parse(body);
  } catch {
    throw new TillError('invalid_json', 'Stripe event is not JSON');
  }
  if (!isEvent(event)) throw new TillError('invalid_parameter', 'Stripe event has an unexpected shape');
  return event;
}

/**
 * What a verified event says of its attempt: a PaymentIntent's news, a dispute (disputes.ts), or
 * (a charge refunded, which Till learns of through its own calls) nothing to act on, logged all the same.
 */
export function stripeEventNews(orderId: string, event: StripeEvent): VerifiedNotification {
  if (isDisputeEvent(event.type)) return stripeDisputeNews(orderId, event);
  const object = event.data.object;
  const metadata = metadataOf(object);
  if (metadata.till_order !== orderId) {
    throw new TillError('invalid_parameter', 'Stripe event is about another order', 'metadata.till_order');
  }
  const attemptId = metadata.till_attempt;
  const currency = typeof object.currency === 'string' ? object.currency.toUpperCase() : '';
  const amount =
    typeof object.amount === 'number' && isCurrency(currency) ? fromStripeAmount(object.amount, currency) : null;
  if (typeof attemptId !== 'string' || !isCurrency(currency) || amount === null) {
    throw new TillError('invalid_parameter', 'Stripe event names no attempt, amount or currency Till knows');
  }
  const intent = event.type.startsWith('payment_intent.') && isPaymentIntent(object) ? object : null;
  return {
    kind: 'payment',
    orderId,
    attemptId,
    eventId: event.id,
    amount,
    currency,
    outcome: intent ? intentOutcome(intent) : null,
    ...(intent ? { channelRef: intent.id } : {}),
  };
}
