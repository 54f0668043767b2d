/**
 * SQLite layout of one order's Durable Object and the mapping between rows and API objects.
 * All functions here are synchronous so callers can compose them inside one transaction.
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
import type { Attempt, Failure, Mode, NextAction, Order, Refund } from '../../shared/schemas.ts';
import type { Migration } from '../base/sql-migrations.ts';

export const ORDER_MIGRATIONS: readonly Migration[] = [
  `
CREATE TABLE IF NOT EXISTS orders (
  id TEXT PRIMARY KEY,
  merchant_id TEXT NOT NULL,
  merchant_name TEXT NOT NULL,
  channels TEXT NOT NULL,
  mode TEXT NOT NULL,
  status TEXT NOT NULL,
  amount INTEGER NOT NULL,
  currency TEXT NOT NULL,
  description TEXT NOT NULL,
  return_url TEXT,
  metadata TEXT NOT NULL,
  created_at INTEGER NOT NULL,
  expires_at INTEGER NOT NULL,
  paid_at INTEGER,
  canceled_at INTEGER,
  paid_attempt_id TEXT,
  last_failure TEXT,
  client_token TEXT NOT NULL,
  receipt TEXT,
  request_hash TEXT NOT NULL,
  version INTEGER NOT NULL DEFAULT 1,
  -- the version last written to the D1 orders index
  indexed_version INTEGER NOT NULL DEFAULT 0
);
CREATE TABLE IF NOT EXISTS attempts (
  seq INTEGER PRIMARY KEY AUTOINCREMENT,
  id TEXT NOT NULL UNIQUE,
  channel TEXT NOT NULL,
  method TEXT NOT NULL,
  status TEXT NOT NULL,
  amount INTEGER NOT NULL,
  currency TEXT NOT NULL,
  created_at INTEGER NOT NULL,
  updated_at INTEGER NOT NULL,
  next_action TEXT,
  failure TEXT,
  instrument TEXT,
  channel_ref TEXT,
  -- the worker origin the attempt was started from, for the channel's later calls
  origin TEXT NOT NULL DEFAULT '',
  -- money taken on an attempt that cannot pay the order (it was already paid or closed)
  needs_refund INTEGER NOT NULL DEFAULT 0
);
CREATE TABLE IF NOT EXISTS outbox (
  seq INTEGER PRIMARY KEY AUTOINCREMENT,
  id TEXT NOT NULL UNIQUE,
  type TEXT NOT NULL,
  created_at INTEGER NOT NULL,
  body TEXT NOT NULL,
  state TEXT NOT NULL DEFAULT 'pending',
  tries INTEGER NOT NULL DEFAULT 0,
  next_attempt_at INTEGER NOT NULL,
  last_error TEXT,
  delivered_at INTEGER
);
CREATE TABLE IF NOT EXISTS channel_events (
  event_id TEXT PRIMARY KEY,
  attempt_id TEXT NOT NULL,
  received_at INTEGER NOT NULL
);
`,
  // Issue 4: manual capture, refunds, reconciliation by channel query.
  `
ALTER TABLE orders ADD COLUMN capture_method TEXT NOT NULL DEFAULT 'automatic';
ALTER TABLE orders ADD COLUMN authorized_at INTEGER;
-- a capture whose channel call is in flight; a void or second capture waits for it
ALTER TABLE orders ADD COLUMN capture_started_at INTEGER;
-- when the channel is next asked about an attempt whose outcome has not been heard
ALTER TABLE attempts ADD COLUMN next_query_at INTEGER;
ALTER TABLE attempts ADD COLUMN queries INTEGER NOT NULL DEFAULT 0;
-- set once the channel confirmed a canceled attempt's trade closed
ALTER TABLE attempts ADD COLUMN closed_at INTEGER;
CREATE TABLE refunds (
  seq INTEGER PRIMARY KEY AUTOINCREMENT,
  id TEXT NOT NULL UNIQUE,
  attempt_id TEXT NOT NULL,
  amount INTEGER NOT NULL,
  currency TEXT NOT NULL,
  status TEXT NOT NULL,
  reason TEXT,
  automatic INTEGER NOT NULL DEFAULT 0,
  metadata TEXT NOT NULL DEFAULT '{}',
  failure TEXT,
  channel_ref TEXT,
  request_hash TEXT,
  created_at INTEGER NOT NULL,
  updated_at INTEGER NOT NULL,
  -- a pending refund's channel call is made (again) at this time, until the channel answers
  next_call_at INTEGER,
  calls INTEGER NOT NULL DEFAULT 0
);
CREATE UNIQUE INDEX refunds_one_automatic_per_attempt ON refunds (attempt_id) WHERE automatic = 1;
`,
  // Issue 4: webhook fan-out (webhook-delivery.ts). The alarm hands each event out once, to one
  // delivery per endpoint, and logs every HTTP attempt. outbox.state then reads 'dispatched' or
  // 'no_endpoint'; rows delivered before this step keep their state and have no deliveries.
  `
CREATE TABLE deliveries (
  seq INTEGER PRIMARY KEY AUTOINCREMENT,
  event_seq INTEGER NOT NULL,
  event_id TEXT NOT NULL,
  endpoint_id TEXT NOT NULL,
  -- queued by POST /v1/events/:id/redeliver
  redelivery INTEGER NOT NULL DEFAULT 0,
  state TEXT NOT NULL DEFAULT 'pending',
  tries INTEGER NOT NULL DEFAULT 0,
  created_at INTEGER NOT NULL,
  -- the three days of retries count from here
  first_tried_at INTEGER,
  next_attempt_at INTEGER NOT NULL,
  last_error TEXT,
  delivered_at INTEGER
);
CREATE INDEX deliveries_by_endpoint ON deliveries (endpoint_id, state, event_seq, seq);
CREATE INDEX deliveries_by_event ON deliveries (event_seq, seq);
CREATE TABLE delivery_attempts (
  seq INTEGER PRIMARY KEY AUTOINCREMENT,
  delivery_seq INTEGER NOT NULL,
  event_id TEXT NOT NULL,
  endpoint_id TEXT NOT NULL,
  attempted_at INTEGER NOT NULL,
  -- the HTTP status, or NULL with error 'timeout' / 'network_error'
  status INTEGER,
  error TEXT,
  latency_ms INTEGER NOT NULL,
  response_excerpt TEXT
);
CREATE INDEX delivery_attempts_by_event ON delivery_attempts (event_id, seq);
`,
  // Issue 4: events appended without a status change (refund.*) reach the index too.
  `
ALTER TABLE orders ADD COLUMN indexed_event_seq INTEGER NOT NULL DEFAULT 0;
`,
];

export interface OrderRow extends Record<string, SqlStorageValue> {
  id: string;
  merchant_id: string;
  merchant_name: string;
  channels: string;
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

export function orderView(row: OrderRow, attempts: AttemptRow[], refunds: RefundRow[]): Order {
  const amountRefunded = refunds
    .filter((refund) => refund.status === 'succeeded' && refund.attempt_id === row.paid_attempt_id)
    .reduce((sum, refund) => sum + refund.amount, 0);
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
    attempts: attempts.map(attemptView),
    amount_refunded: amountRefunded,
    refunds: refunds.map((refund) => refundView(refund, row.id)),
    client_token: row.client_token,
    receipt: row.receipt,
  };
}
