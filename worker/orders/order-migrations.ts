/**
 * SQLite layout of one order's Durable Object, as numbered steps (base/sql-migrations.ts). Each
 * table has one module that writes it: orders-table.ts, attempts-table.ts, refunds.ts, outbox.ts,
 * delivery-store.ts (deliveries, delivery_attempts), notification-log.ts (channel_events,
 * channel_notifications), cards-table.ts, processor-tries.ts, disputes.ts; test/unit/order-tables.test.ts
 * keeps it so.
 */
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
  // Issue 13: every verified channel notification and what became of it, for the operator
  // (notification-log.ts). No body, signature or header is kept.
  `
CREATE TABLE channel_notifications (
  seq INTEGER PRIMARY KEY AUTOINCREMENT,
  received_at INTEGER NOT NULL,
  channel TEXT NOT NULL,
  event_id TEXT,
  attempt_id TEXT,
  -- applied, duplicate or rejected
  outcome TEXT NOT NULL,
  reason_code TEXT,
  reason TEXT
);
`,
  // Issue 14: the card vault of this order's attempts (cards-table.ts). The number and expiry are
  // sealed and erased a while after the order ends; the CVC is never written anywhere.
  `
CREATE TABLE cards (
  token TEXT PRIMARY KEY,
  attempt_id TEXT NOT NULL,
  fingerprint TEXT NOT NULL,
  brand TEXT NOT NULL,
  bin TEXT NOT NULL,
  last4 TEXT NOT NULL,
  exp_month INTEGER NOT NULL,
  exp_year INTEGER NOT NULL,
  sealed TEXT,
  created_at INTEGER NOT NULL,
  erased_at INTEGER
);
ALTER TABLE orders ADD COLUMN card_routing TEXT NOT NULL DEFAULT '[]';
-- Each processor a routed card attempt went to, in order (processor-tries.ts): what came of it,
-- and whether what it may have left there was canceled or proven absent before the next.
CREATE TABLE processor_tries (
  seq INTEGER PRIMARY KEY AUTOINCREMENT,
  attempt_id TEXT NOT NULL,
  processor TEXT NOT NULL,
  started_at INTEGER NOT NULL,
  ended_at INTEGER NOT NULL,
  -- the attempt status the processor answered, or 'unavailable' (timeout, 5xx, network error)
  result TEXT NOT NULL,
  failure_code TEXT,
  channel_ref TEXT,
  left_nothing INTEGER NOT NULL
);
`,
  // Issue 14: what a succeeded attempt took (a partial capture takes less than its amount); NULL for
  // attempts that took nothing, or succeeded before it was kept (their whole amount). Refunds are
  // bounded by it (attempts-table.ts amountTaken). And the amount the merchant's capture asked for,
  // kept while the processor may have taken it (its answer lost), so a retry cannot ask another.
  `
ALTER TABLE attempts ADD COLUMN amount_captured INTEGER;
ALTER TABLE orders ADD COLUMN capture_amount INTEGER;
`,
  // Issue 14: shoppers' disputes of this order's payments, as processors report them (disputes.ts).
  `
CREATE TABLE disputes (
  seq INTEGER PRIMARY KEY AUTOINCREMENT,
  id TEXT NOT NULL UNIQUE,
  attempt_id TEXT NOT NULL,
  processor TEXT NOT NULL,
  processor_dispute_id TEXT NOT NULL UNIQUE,
  amount INTEGER NOT NULL,
  currency TEXT NOT NULL,
  status TEXT NOT NULL,
  reason TEXT NOT NULL,
  processor_reason TEXT NOT NULL,
  evidence_due_by INTEGER,
  created_at INTEGER NOT NULL,
  updated_at INTEGER NOT NULL
);
`,
];
