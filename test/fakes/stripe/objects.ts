/**
 * The fake's records and the JSON Stripe answers for them: the subset of the PaymentIntent,
 * Charge, Refund, Event and WebhookEndpoint fields of stripe/openapi spec3.json that Till reads,
 * with Stripe's names and types. Records hold no card number and no CVC.
 */
import { randomBytes } from 'node:crypto';
import type { CardBehaviour, CardDetails } from './cards.ts';

const BASE62 = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';

/** `pi_3Pgafy…`-like ids: a prefix and 24 base62 characters. */
export function stripeId(prefix: string, length = 24): string {
  return `${prefix}_${[...randomBytes(length)].map((byte) => BASE62[byte % 62]).join('')}`;
}

export type PaymentIntentStatus =
  | 'requires_payment_method'
  | 'requires_confirmation'
  | 'requires_action'
  | 'processing'
  | 'requires_capture'
  | 'succeeded'
  | 'canceled';

export type CaptureMethod = 'automatic' | 'automatic_async' | 'manual';

export interface PaymentError {
  type: 'card_error' | 'invalid_request_error';
  code: string;
  decline_code?: string;
  message: string;
  param?: string;
  charge?: string;
  payment_method?: { id: string; object: 'payment_method'; type: 'card'; card: CardDetails };
  doc_url: string;
}

export interface PaymentMethodRecord {
  id: string;
  created: number;
  card: CardDetails;
  billingName: string | null;
  behaviour: CardBehaviour;
}

export interface PaymentIntentRecord {
  id: string;
  created: number;
  amount: number;
  amount_capturable: number;
  amount_received: number;
  currency: string;
  status: PaymentIntentStatus;
  capture_method: CaptureMethod;
  client_secret: string;
  description: string | null;
  metadata: Record<string, string>;
  payment_method: string | null;
  payment_method_types: string[];
  latest_charge: string | null;
  last_payment_error: PaymentError | null;
  next_action: {
    type: 'redirect_to_url';
    redirect_to_url: { url: string; return_url: string };
  } | null;
  cancellation_reason: string | null;
  canceled_at: number | null;
  return_url: string | null;
  /** When the authorization was placed (manual capture): it lapses 7 days later. */
  authorizedAt: number | null;
}

export interface ChargeRecord {
  id: string;
  created: number;
  amount: number;
  amount_captured: number;
  currency: string;
  status: 'succeeded' | 'failed';
  captured: boolean;
  failure_code: string | null;
  failure_message: string | null;
  outcome: { type: string; network_status: string; reason: string | null; seller_message: string };
  payment_intent: string;
  payment_method: string;
  card: CardDetails;
  billingName: string | null;
  description: string | null;
  metadata: Record<string, string>;
  refundIds: string[];
  disputed: boolean;
}

export interface RefundRecord {
  id: string;
  object: 'refund';
  amount: number;
  charge: string;
  created: number;
  currency: string;
  metadata: Record<string, string>;
  payment_intent: string;
  reason: string | null;
  status: 'succeeded';
}

export const docUrl = (code: string): string => `https://stripe.com/docs/error-codes/${code.replaceAll('_', '-')}`;

export function chargeView(charge: ChargeRecord, refunds: RefundRecord[]) {
  const refunded = refunds.reduce((sum, refund) => sum + refund.amount, 0);
  return {
    id: charge.id,
    object: 'charge' as const,
    amount: charge.amount,
    amount_captured: charge.amount_captured,
    amount_refunded: refunded,
    billing_details: { name: charge.billingName, email: null, phone: null },
    captured: charge.captured,
    created: charge.created,
    currency: charge.currency,
    description: charge.description,
    disputed: charge.disputed,
    failure_code: charge.failure_code,
    failure_message: charge.failure_message,
    livemode: false,
    metadata: charge.metadata,
    outcome: charge.outcome,
    paid: charge.status === 'succeeded',
    payment_intent: charge.payment_intent,
    payment_method: charge.payment_method,
    payment_method_details: {
      type: 'card' as const,
      card: {
        brand: charge.card.brand,
        last4: charge.card.last4,
        exp_month: charge.card.exp_month,
        exp_year: charge.card.exp_year,
        funding: charge.card.funding,
        country: charge.card.country,
        fingerprint: charge.card.fingerprint,
      },
    },
    refunded: charge.amount_captured > 0 && refunded >= charge.amount_captured,
    refunds: { object: 'list' as const, data: refunds, has_more: false, url: `/v1/charges/${charge.id}/refunds` },
    status: charge.status,
  };
}

export function paymentIntentView(intent: PaymentIntentRecord) {
  return {
    id: intent.id,
    object: 'payment_intent' as const,
    amount: intent.amount,
    amount_capturable: intent.amount_capturable,
    amount_received: intent.amount_received,
    canceled_at: intent.canceled_at,
    cancellation_reason: intent.cancellation_reason,
    capture_method: intent.capture_method,
    client_secret: intent.client_secret,
    confirmation_method: 'automatic' as const,
    created: intent.created,
    currency: intent.currency,
    description: intent.description,
    last_payment_error: intent.last_payment_error,
    latest_charge: intent.latest_charge,
    livemode: false,
    metadata: intent.metadata,
    next_action: intent.next_action,
    payment_method: intent.payment_method,
    payment_method_types: intent.payment_method_types,
    status: intent.status,
  };
}
