/**
 * SQLite layout of one order's Durable Object and the mapping between rows and API objects.
 * All functions here are synchronous so callers can compose them inside one transaction.
 */
import type { Currency } from '../../shared/money.ts';
import type { AttemptStatus, OrderStatus, WebhookEventType } from '../../shared/order-model.ts';
import type { Attempt, Failure, Mode, NextAction, Order } from '../../shared/schemas.ts';
import type { Migration } from '../storage/sql-migrations.ts';

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
}

export interface OutboxRow extends Record<string, SqlStorageValue> {
  seq: number;
  id: string;
  type: WebhookEventType;
  created_at: number;
  body: string;
  state: 'pending' | 'delivered' | 'failed' | 'no_endpoint';
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

export function orderView(row: OrderRow, attempts: AttemptRow[]): Order {
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
    attempts: attempts.map(attemptView),
    client_token: row.client_token,
    receipt: row.receipt,
  };
}
