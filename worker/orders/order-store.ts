/**
 * The rows of one order's Durable Object (tables made by order-migrations.ts) and the mapping
 * between rows and API objects. All functions here are synchronous so callers can compose them
 * inside one transaction; each table is written by its own module (test/unit/order-tables.test.ts).
 */
import type { Currency } from '../../shared/money.ts';
import type {
  AttemptStatus,
  CaptureMethod,
  OrderStatus,
  RefundReason,
  RefundStatus,
  WebhookEventType,
} from '../../shared/order-model.ts';
import type { Attempt, Failure, Mode, NextAction, Order, ProcessorTry, Refund } from '../../shared/schemas.ts';
import { amountTaken } from './attempts-table.ts';
import { type DisputeRow, disputeView } from './disputes.ts';

export interface OrderRow extends Record<string, SqlStorageValue> {
  id: string;
  merchant_id: string;
  merchant_name: string;
  channels: string;
  /** JSON: the merchant's card routing steps for the order's mode when it was made (CardRoute[]). */
  card_routing: string;
  mode: Mode;
  status: OrderStatus;
  amount: number;
  currency: Currency;
  description: string;
  return_url: string | null;
  metadata: string;
  created_at: number;
  expires_at: number;
  paid_at: number | null;
  canceled_at: number | null;
  paid_attempt_id: string | null;
  last_failure: string | null;
  client_token: string;
  receipt: string | null;
  request_hash: string;
  version: number;
  indexed_version: number;
  capture_method: CaptureMethod;
  authorized_at: number | null;
  capture_started_at: number | null;
  /** What the last capture asked for, while the processor may have taken it; null once it refused. */
  capture_amount: number | null;
  /** The last outbox event written to the D1 events index. */
  indexed_event_seq: number;
}

export interface AttemptRow extends Record<string, SqlStorageValue> {
  seq: number;
  id: string;
  channel: string;
  method: string;
  status: AttemptStatus;
  amount: number;
  currency: Currency;
  created_at: number;
  updated_at: number;
  next_action: string | null;
  failure: string | null;
  instrument: string | null;
  channel_ref: string | null;
  origin: string;
  needs_refund: number;
  next_query_at: number | null;
  queries: number;
  closed_at: number | null;
  /** What the attempt took once it succeeded: its amount, or less after a partial capture. */
  amount_captured: number | null;
}

export interface RefundRow extends Record<string, SqlStorageValue> {
  seq: number;
  id: string;
  attempt_id: string;
  amount: number;
  currency: Currency;
  status: RefundStatus;
  reason: RefundReason | null;
  automatic: number;
  metadata: string;
  failure: string | null;
  channel_ref: string | null;
  request_hash: string | null;
  created_at: number;
  updated_at: number;
  next_call_at: number | null;
  calls: number;
}

export interface OutboxRow extends Record<string, SqlStorageValue> {
  seq: number;
  id: string;
  type: WebhookEventType;
  created_at: number;
  body: string;
  /** `pending` until the alarm hands the event out, then `dispatched` or `no_endpoint` (`delivered`
   * and `failed` remain on events delivered before per-endpoint deliveries existed). */
  state: 'pending' | 'dispatched' | 'delivered' | 'failed' | 'no_endpoint';
  tries: number;
  next_attempt_at: number;
  last_error: string | null;
  delivered_at: number | null;
}

const parseJson = <T>(text: string | null): T | null => (text === null ? null : (JSON.parse(text) as T));

export function attemptView(row: AttemptRow): Attempt {
  return {
    id: row.id,
    channel: row.channel,
    method: row.method,
    status: row.status,
    amount: row.amount,
    currency: row.currency,
    created_at: row.created_at,
    next_action: parseJson<NextAction>(row.next_action),
    failure: parseJson<Failure>(row.failure),
    instrument: parseJson<{ brand: string; last4: string }>(row.instrument),
    needs_refund: row.needs_refund === 1,
  };
}

export function refundView(row: RefundRow, orderId: string): Refund {
  return {
    id: row.id,
    object: 'refund',
    order_id: orderId,
    attempt_id: row.attempt_id,
    amount: row.amount,
    currency: row.currency,
    status: row.status,
    reason: row.reason,
    automatic: row.automatic === 1,
    metadata: JSON.parse(row.metadata) as Record<string, string>,
    failure: parseJson<Failure>(row.failure),
    created_at: row.created_at,
    updated_at: row.updated_at,
  };
}

export function orderView(
  row: OrderRow,
  attempts: AttemptRow[],
  refunds: RefundRow[],
  { tries = new Map(), disputes = [] }: { tries?: ReadonlyMap<string, ProcessorTry[]>; disputes?: DisputeRow[] } = {},
): Order {
  const amountRefunded = refunds
    .filter((refund) => refund.status === 'succeeded' && refund.attempt_id === row.paid_attempt_id)
    .reduce((sum, refund) => sum + refund.amount, 0);
  const paid = attempts.find((attempt) => attempt.id === row.paid_attempt_id);
  return {
    id: row.id,
    object: 'order',
    merchant_id: row.merchant_id,
    mode: row.mode,
    status: row.status,
    amount: row.amount,
    currency: row.currency,
    description: row.description,
    return_url: row.return_url,
    metadata: JSON.parse(row.metadata) as Record<string, string>,
    created_at: row.created_at,
    expires_at: row.expires_at,
    paid_at: row.paid_at,
    canceled_at: row.canceled_at,
    paid_attempt_id: row.paid_attempt_id,
    last_failure: parseJson<Failure>(row.last_failure),
    capture_method: row.capture_method,
    attempts: attempts.map((attempt) => {
      const routed = tries.get(attempt.id);
      return routed ? { ...attemptView(attempt), tries: routed } : attemptView(attempt);
    }),
    amount_captured: paid ? amountTaken(paid) : null,
    amount_refunded: amountRefunded,
    refunds: refunds.map((refund) => refundView(refund, row.id)),
    disputes: disputes.map((dispute) => disputeView(dispute, row.id)),
    client_token: row.client_token,
    receipt: row.receipt,
  };
}
